import type { Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MetricStore } from '../../src/modules/signals/index.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { type Client, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';
import { eq, fixtureServer, seriesOf, storeReader } from './ingest-helpers.ts';

const EXPOSITION = `# HELP shop_orders_total Orders placed.
# TYPE shop_orders_total counter
shop_orders_total{method="card"} 17
shop_orders_total{method="cash",job="exporter-says"} 3
# TYPE shop_latency_seconds histogram
shop_latency_seconds_bucket{le="0.1"} 4
shop_latency_seconds_bucket{le="+Inf"} 6
shop_latency_seconds_sum 1.2
shop_latency_seconds_count 6
shop_queue_depth NaN 1732500000000
`;

interface Target {
  id: string;
  instance: string;
  health: string;
  enabled: boolean;
  lastScrape: { at: number; durationMs: number; samples: number; error: string | null } | null;
}

describeEachEngine('ingestion: scraping', (engine) => {
  let t: TestApp;
  let manager: Client;
  let store: MetricStore;
  let database: Database;
  let fixture: { url: string; server: Server };
  let broken: { url: string; server: Server };

  beforeAll(async () => {
    t = await startTestApp(engine);
    manager = await t.as('manager');
    ({ store, database } = storeReader(t));
    fixture = await fixtureServer(() => ({ status: 200, body: EXPOSITION }));
    broken = await fixtureServer(() => ({ status: 503, body: 'down for maintenance' }));
  });
  afterAll(async () => {
    fixture?.server.close();
    broken?.server.close();
    await store?.close();
    await database?.close();
    await t?.close();
  });

  const create = (payload: Record<string, unknown>, c: Client = manager) =>
    c.request({ method: 'POST', url: '/api/v1/scrape-targets', payload });
  const get = async (id: string): Promise<Target> =>
    (await manager.request({ method: 'GET', url: `/api/v1/scrape-targets/${id}` })).json();

  it('scrapes a fixture server: job, instance and extra labels, up and scrape_* series, last scrape shown', async () => {
    const res = await create({
      jobName: 'shop-web',
      url: `${fixture.url}/metrics`,
      intervalSeconds: 60,
      timeoutSeconds: 5,
      labels: { service: 'web' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const target = res.json() as Target;
    expect(target).toMatchObject({ health: 'unknown', enabled: true, lastScrape: null });
    await t.app.worker.runDue();

    const after = await get(target.id);
    expect(after.health).toBe('up');
    expect(after.lastScrape).toMatchObject({ samples: 7, error: null });
    const instance = new URL(fixture.url).host;
    expect(after.instance).toBe(instance);

    const orders = await seriesOf(store, eq('__name__', 'shop_orders_total'));
    expect(
      orders.map((s) => s.labels).sort((a, b) => (a.method ?? '').localeCompare(b.method ?? '')),
    ).toEqual([
      { __name__: 'shop_orders_total', method: 'card', job: 'shop-web', instance, service: 'web' },
      {
        __name__: 'shop_orders_total',
        method: 'cash',
        job: 'shop-web',
        instance,
        service: 'web',
        exported_job: 'exporter-says',
      },
    ]);
    const queue = await seriesOf(store, eq('__name__', 'shop_queue_depth'));
    expect(queue[0]?.points[0]?.ts).toBe(1732500000000);
    expect(queue[0]?.points[0]?.value).toBeNaN();
    expect(await seriesOf(store, eq('__name__', 'shop_latency_seconds_bucket'))).toHaveLength(2);
    const up = await seriesOf(store, eq('__name__', 'up'), eq('job', 'shop-web'));
    expect(up[0]?.labels).toEqual({ __name__: 'up', job: 'shop-web', instance, service: 'web' });
    expect(up[0]?.points.at(-1)?.value).toBe(1);
    expect(
      (await seriesOf(store, eq('__name__', 'scrape_samples_scraped'), eq('job', 'shop-web')))[0]?.points.at(
        -1,
      )?.value,
    ).toBe(7);
    expect(
      await seriesOf(store, eq('__name__', 'scrape_duration_seconds'), eq('job', 'shop-web')),
    ).toHaveLength(1);

    // The chain goes on: the next slot of this target is queued, once.
    const queued = await database.db
      .selectFrom('jobs')
      .select('dedupeKey')
      .where('kind', '=', 'signals.scrape')
      .execute();
    expect(queued.filter((j) => j.dedupeKey?.startsWith(`scrape:${target.id}:`))).toHaveLength(1);

    const audit = (
      await t.admin.request({ method: 'GET', url: `/api/v1/audit?entityId=${target.id}` })
    ).json();
    expect(audit.items[0]).toMatchObject({ action: 'scrape_target.create', entityType: 'scrape_target' });
  });

  it('a failing target: up 0, health down, the error shown', async () => {
    const res = await create({ jobName: 'broken', url: `${broken.url}/metrics`, intervalSeconds: 30 });
    const target = res.json() as Target;
    await t.app.worker.runDue();
    const after = await get(target.id);
    expect(after.health).toBe('down');
    expect(after.lastScrape?.error).toMatch(/HTTP status 503/);
    const up = await seriesOf(store, eq('__name__', 'up'), eq('job', 'broken'));
    expect(up[0]?.points.at(-1)?.value).toBe(0);
  });

  it('a slot claimed once: running the same slot twice scrapes once', async () => {
    const hits = await fixtureServer(() => ({ status: 200, body: 'one 1\n' }));
    try {
      const target = (
        await create({ jobName: 'once', url: hits.url, intervalSeconds: 60, enabled: false })
      ).json() as Target;
      const { createScrapeService, scrapeRepo } = await import('../../src/modules/signals/index.ts');
      const enqueued: string[] = [];
      const svc = createScrapeService({
        db: database.db,
        clock: t.clock,
        repo: scrapeRepo,
        audit: { append: async () => {} },
        jobs: {
          enqueue: async (_k, _p, o) => {
            enqueued.push(o?.dedupeKey ?? '');
            return true;
          },
        },
        sink: { ingest: async () => ({ samples: 0, newSeries: 0 }) },
        logger: { warn: () => {} },
        maxBodyBytes: 1024 * 1024,
      });
      await manager.request({
        method: 'PATCH',
        url: `/api/v1/scrape-targets/${target.id}`,
        payload: { enabled: true },
      });
      const slotAt = t.clock.now() + 1;
      await Promise.all([
        svc.runSlot({ targetId: target.id, slotAt }),
        svc.runSlot({ targetId: target.id, slotAt }),
      ]);
      expect(hits.hits()).toBe(1);
    } finally {
      hits.server.close();
    }
  });

  it('CRUD: editors only, validation names the field, update and delete audited', async () => {
    const viewer = await t.as('viewer');
    expect((await create({ jobName: 'x', url: 'http://127.0.0.1:1/metrics' }, viewer)).statusCode).toBe(403);
    expect((await viewer.request({ method: 'GET', url: '/api/v1/scrape-targets' })).statusCode).toBe(200);
    const badUrl = await create({ jobName: 'x', url: 'ftp://example.com/metrics' });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().error.message).toMatch(/body\.url/);
    const badTimeout = await create({
      jobName: 'x',
      url: 'http://127.0.0.1:1/m',
      intervalSeconds: 5,
      timeoutSeconds: 10,
    });
    expect(badTimeout.json().error.message).toMatch(/timeoutSeconds/);
    const badLabel = await create({ jobName: 'x', url: 'http://127.0.0.1:1/m', labels: { 'bad-name': 'x' } });
    expect(badLabel.statusCode).toBe(400);

    const made = (
      await create({ jobName: 'crud', url: 'http://127.0.0.1:1/metrics', enabled: false })
    ).json() as Target;
    expect((await create({ jobName: 'crud', url: 'http://127.0.0.1:1/metrics' })).statusCode).toBe(409);
    const patched = await manager.request({
      method: 'PATCH',
      url: `/api/v1/scrape-targets/${made.id}`,
      payload: { intervalSeconds: 120 },
    });
    expect(patched.json()).toMatchObject({ intervalSeconds: 120, enabled: false });
    expect(
      (await manager.request({ method: 'DELETE', url: `/api/v1/scrape-targets/${made.id}` })).statusCode,
    ).toBe(204);
    expect(
      (await manager.request({ method: 'GET', url: `/api/v1/scrape-targets/${made.id}` })).statusCode,
    ).toBe(404);
    const audit = (await t.admin.request({ method: 'GET', url: `/api/v1/audit?entityId=${made.id}` })).json();
    expect(audit.items.map((i: { action: string }) => i.action).sort()).toEqual([
      'scrape_target.create',
      'scrape_target.delete',
      'scrape_target.update',
    ]);
  });
});
