import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricStore } from '../../src/modules/signals/index.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { type Client, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';
import { freePort } from '../helpers/pg-cluster.ts';
import { PROMETHEUS, requireBinary, stopChild, waitFor, waitHttp } from '../helpers/tsdb.ts';
import { eq, seriesOf, storeReader } from './ingest-helpers.ts';

const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const stop = stopChild;

const NAME = 'ingestion from real peers (Debian prometheus, node exporter)';
const suite = requireBinary(PROMETHEUS)
  ? describeEachEngine
  : (name: string, _body: unknown) => describe.skip(name, () => it('needs /usr/bin/prometheus', () => {}));

suite(NAME, (engine) => {
  let t: TestApp;
  let manager: Client;
  let store: MetricStore;
  let database: Database;
  let dir: string;
  let prometheus: ChildProcess | undefined;
  let promPort: number;

  beforeAll(async () => {
    t = await startTestApp(engine);
    manager = await t.as('manager');
    ({ store, database } = storeReader(t));
    const steady = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
    const token = await t.token('agent', ['ingest']);
    dir = mkdtempSync(join(tmpdir(), 'steady-prom-'));
    promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        `  - { job_name: prometheus, static_configs: [{ targets: ['127.0.0.1:${promPort}'] }] }`,
        'remote_write:',
        `  - url: ${steady}/api/v1/write`,
        `    authorization: { credentials: ${token} }`,
        '    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms }',
      ].join('\n'),
    );
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore' },
    );
    await waitHttp(`http://127.0.0.1:${promPort}/-/ready`);
  }, 60_000);
  afterAll(async () => {
    await stop(prometheus);
    await store?.close();
    await database?.close();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('Prometheus remote_writes to Steady with a bearer token: prometheus_* series and up arrive within seconds', async () => {
    const up = await waitFor('up from Prometheus', async () => {
      const s = await seriesOf(store, eq('__name__', 'up'), eq('job', 'prometheus'));
      return s.length > 0 ? s : undefined;
    });
    expect(up[0]?.labels).toMatchObject({ job: 'prometheus', instance: `127.0.0.1:${promPort}` });
    expect(up[0]?.points.at(-1)?.value).toBe(1);
    const names = await store.labelValues('__name__', []);
    expect(names.filter((n) => n.startsWith('prometheus_')).length).toBeGreaterThan(20);
  }, 40_000);

  it("Steady scrapes Prometheus's own /metrics", async () => {
    const res = await manager.request({
      method: 'POST',
      url: '/api/v1/scrape-targets',
      payload: {
        jobName: 'steady-scrapes-prom',
        url: `http://127.0.0.1:${promPort}/metrics`,
        intervalSeconds: 15,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    await t.app.worker.runDue();
    const target = (
      await manager.request({ method: 'GET', url: `/api/v1/scrape-targets/${res.json().id}` })
    ).json();
    expect(target.lastScrape.error).toBeNull();
    expect(target.lastScrape.samples).toBeGreaterThan(100);
    const build = await seriesOf(
      store,
      eq('__name__', 'prometheus_build_info'),
      eq('job', 'steady-scrapes-prom'),
    );
    expect(build).toHaveLength(1);
    const up = await seriesOf(store, eq('__name__', 'up'), eq('job', 'steady-scrapes-prom'));
    expect(up[0]?.points.at(-1)?.value).toBe(1);
  });

  it('Steady scrapes prometheus-node-exporter', async (ctx) => {
    if (!requireBinary(NODE_EXPORTER)) return ctx.skip();
    const port = await freePort();
    const exporter = spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    try {
      await waitHttp(`http://127.0.0.1:${port}/metrics`);
      const res = await manager.request({
        method: 'POST',
        url: '/api/v1/scrape-targets',
        payload: {
          jobName: 'node',
          url: `http://127.0.0.1:${port}/metrics`,
          intervalSeconds: 15,
          labels: { service: 'host' },
        },
      });
      await t.app.worker.runDue();
      const target = (
        await manager.request({ method: 'GET', url: `/api/v1/scrape-targets/${res.json().id}` })
      ).json();
      expect(target.lastScrape.error).toBeNull();
      expect(target.health).toBe('up');
      const info = await seriesOf(store, eq('__name__', 'node_exporter_build_info'), eq('job', 'node'));
      expect(info[0]?.labels).toMatchObject({ service: 'host', instance: `127.0.0.1:${port}` });
    } finally {
      await stop(exporter);
    }
  });
});
