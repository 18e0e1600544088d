/**
 * Debian's Prometheus + Alertmanager, started as their own processes for a benchmark: Prometheus scrapes
 * one exposition URL, evaluates one alert rule and sends to Alertmanager, whose webhook receiver posts to
 * a given URL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/pg-cluster.ts';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

export interface PromTimings {
  /** Prometheus `scrape_interval` / `evaluation_interval`; null leaves Prometheus's default (1m). */
  scrapeInterval: string | null;
  evaluationInterval: string | null;
  /** Alertmanager route timings; null leaves Alertmanager's default (30s / 5m / 4h). */
  groupWait: string | null;
  groupInterval: string | null;
  repeatInterval: string | null;
  /** Alertmanager's `resolve_timeout` (default 5m). */
  resolveTimeout: string | null;
}

export interface PromStack {
  prometheus: ChildProcess;
  alertmanager: ChildProcess;
  stop(): Promise<void>;
}

const yamlLines = (entries: [string, string | null][], indent: string) =>
  entries
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${indent}${k}: ${v}`)
    .join('\n');

async function waitReady(url: string, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready`);
}

const stop = (child: ChildProcess) =>
  new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', () => r());
    child.kill('SIGKILL');
  });

/**
 * Starts Alertmanager, then Prometheus. The rule is `<metric> > <threshold>` with `for: 0s`, labelled
 * severity=critical; the route groups by (alertname, run), so each run of the benchmark is a new group.
 */
export async function startPromStack(opts: {
  dir: string;
  timings: PromTimings;
  scrapeUrl: URL;
  webhookUrl: string;
  metric: string;
  threshold: number;
}): Promise<PromStack> {
  for (const bin of [PROMETHEUS_BIN, ALERTMANAGER_BIN])
    if (!existsSync(bin))
      throw new Error(`${bin} is missing (apt-get install prometheus prometheus-alertmanager)`);
  const { dir, timings: t } = opts;
  mkdirSync(dir, { recursive: true });
  const amPort = await freePort();
  const promPort = await freePort();

  writeFileSync(
    join(dir, 'alertmanager.yml'),
    [
      'global:',
      yamlLines([['resolve_timeout', t.resolveTimeout]], '  ') || '  {}',
      'route:',
      '  receiver: bench',
      '  group_by: [alertname, run]',
      yamlLines(
        [
          ['group_wait', t.groupWait],
          ['group_interval', t.groupInterval],
          ['repeat_interval', t.repeatInterval],
        ],
        '  ',
      ),
      'receivers:',
      '  - name: bench',
      '    webhook_configs:',
      `      - url: ${opts.webhookUrl}`,
      '        send_resolved: true',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n'),
  );
  writeFileSync(
    join(dir, 'rules.yml'),
    [
      'groups:',
      '  - name: bench',
      '    rules:',
      '      - alert: BenchLatency',
      `        expr: ${opts.metric} > ${opts.threshold}`,
      '        for: 0s',
      '        labels: { severity: critical }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      yamlLines(
        [
          ['scrape_interval', t.scrapeInterval],
          ['evaluation_interval', t.evaluationInterval],
        ],
        '  ',
      ) || '  {}',
      'rule_files: [rules.yml]',
      'alerting:',
      '  alertmanagers:',
      `    - static_configs: [{ targets: ['127.0.0.1:${amPort}'] }]`,
      'scrape_configs:',
      '  - job_name: bench',
      `    metrics_path: ${opts.scrapeUrl.pathname}`,
      `    static_configs: [{ targets: ['${opts.scrapeUrl.host}'] }]`,
      '',
    ].join('\n'),
  );

  const alertmanager = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      // A single instance: no gossip cluster, so nothing waits for peers to settle.
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const prometheus = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  try {
    await waitReady(`http://127.0.0.1:${amPort}/-/ready`, alertmanager, 'alertmanager');
    await waitReady(`http://127.0.0.1:${promPort}/-/ready`, prometheus, 'prometheus');
  } catch (err) {
    await Promise.all([stop(prometheus), stop(alertmanager)]);
    throw err;
  }
  return {
    prometheus,
    alertmanager,
    stop: () => Promise.all([stop(prometheus), stop(alertmanager)]).then(() => undefined),
  };
}
