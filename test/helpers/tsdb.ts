import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './pg-cluster.ts';

/** Real peers (Prometheus, VictoriaMetrics, Alertmanager…) started by tests from the Debian packages. */

export const PROMETHEUS = '/usr/bin/prometheus';
export const VICTORIA_METRICS = '/usr/bin/victoria-metrics';

/** Real peers must run in CI (which installs them); locally a missing binary is skipped loudly. */
export function requireBinary(path: string, what = 'the real-peer tests'): boolean {
  if (existsSync(path)) return true;
  if (process.env.CI === 'true') throw new Error(`${path} is missing: CI must install it (apt-get install)`);
  console.warn(`!!! SKIPPED: ${path} is not installed; ${what} did not run !!!`);
  return false;
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function waitHttp(url: string): Promise<void> {
  await waitFor(url, async () => ((await fetch(url)).ok ? true : undefined));
}

export const stopChild = async (child: ChildProcess | undefined): Promise<void> => {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
};

export interface Peer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  dir: string;
  child: ChildProcess;
  /** SIGKILLs the process and removes its data. */
  stop(): Promise<void>;
}

async function startPeer(
  bin: string,
  prefix: string,
  args: (port: number, dir: string) => string[],
  readyPath: string,
  prepare?: (port: number, dir: string) => void,
): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  prepare?.(port, dir);
  const child = spawn(bin, args(port, dir), { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitHttp(`${url}${readyPath}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, dir, child, stop };
}

/**
 * Debian's Prometheus on a free loopback port with a throwaway TSDB. `config` gets the port (to scrape
 * itself); `args` adds flags such as `--web.enable-remote-write-receiver`.
 */
export function startPrometheus(
  options: { config?: (port: number) => string; args?: string[] } = {},
): Promise<Peer> {
  return startPeer(
    PROMETHEUS,
    'steady-prom-',
    (port, dir) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(options.args ?? []),
    ],
    '/-/ready',
    (port, dir) => writeFileSync(join(dir, 'prometheus.yml'), options.config?.(port) ?? 'global: {}\n'),
  );
}

/**
 * Debian's single-node VictoriaMetrics on a free loopback port. Its query caches and latency offset are
 * off so a query sees what was just written once it is flushed (see `flushVictoriaMetrics`).
 */
export function startVictoriaMetrics(args: string[] = []): Promise<Peer> {
  return startPeer(
    VICTORIA_METRICS,
    'steady-vm-',
    (port, dir) => [
      `-storageDataPath=${join(dir, 'data')}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      '-search.latencyOffset=0s',
      '-search.disableCache',
      '-loggerLevel=ERROR',
      ...args,
    ],
    '/health',
  );
}

/** VictoriaMetrics makes new samples searchable within about a second; tests flush instead of waiting. */
export async function flushVictoriaMetrics(url: string): Promise<void> {
  const res = await fetch(`${url}/internal/force_flush`);
  if (!res.ok) throw new Error(`force_flush: HTTP ${res.status}`);
}
