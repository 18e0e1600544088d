import { spawn } from 'node:child_process';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createEmbeddedMetricStore, type EmbeddedMetricStore } from '../../src/modules/signals/index.ts';
import type { LabelMatcher, SeriesSamples } from '../../src/modules/signals/metric-store.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { AppError } from '../../src/platform/errors.ts';
import { createTestDatabase, describeEachEngine, type TestDatabase } from '../helpers/engines.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const MIN = 60_000;
const eq = (name: string, value: string): LabelMatcher => ({ name, op: '=', value });
const all = { start: 0, end: 8_000_000_000_000 };

describeEachEngine('embedded metric store', (engine) => {
  let testDb: TestDatabase;
  let database: Database;
  let clock: FakeClock;
  let store: EmbeddedMetricStore;
  const open = (overrides: Record<string, unknown> = {}) =>
    createEmbeddedMetricStore({
      db: database.db,
      clock,
      config: loadConfig({}, undefined, { metricsMaxSeries: 5, ...overrides }),
    });

  beforeEach(async () => {
    testDb = await createTestDatabase(engine);
    database = testDb.open();
    clock = new FakeClock(T0);
    store = open();
  });
  afterEach(async () => {
    await store.close();
    await database.close();
    await testDb.drop();
  });

  const series = (
    name: string,
    labels: Record<string, string>,
    points: [number, number][],
  ): SeriesSamples => ({
    labels: { __name__: name, ...labels },
    points: points.map(([ts, value]) => ({ ts, value })),
  });

  it('appends and selects by every matcher op, newest write of a timestamp winning', async () => {
    const r = await store.append([
      series('http_requests_total', { service: 'shop', code: '200' }, [
        [T0, 1],
        [T0 + 15_000, 2],
      ]),
      series('http_requests_total', { service: 'shop', code: '500' }, [[T0, 7]]),
      series('up', { service: 'cart' }, [[T0, 1]]),
    ]);
    expect(r).toEqual({ samples: 4, newSeries: 3 });
    // A duplicate (series, ts) overwrites, without an error; the series is not new any more.
    expect(await store.append([series('up', { service: 'cart' }, [[T0, 0]])])).toEqual({
      samples: 1,
      newSeries: 0,
    });

    const byName = await store.select([eq('__name__', 'http_requests_total')], all);
    expect(byName.map((s) => s.labels.code)).toEqual(['200', '500']);
    expect(byName[0]?.points).toEqual([
      { ts: T0, value: 1 },
      { ts: T0 + 15_000, value: 2 },
    ]);
    expect((await store.select([eq('__name__', 'up')], all))[0]?.points).toEqual([{ ts: T0, value: 0 }]);
    const ne = await store.select(
      [eq('__name__', 'http_requests_total'), { name: 'code', op: '!=', value: '200' }],
      all,
    );
    expect(ne.map((s) => s.labels.code)).toEqual(['500']);
    const re = await store.select([{ name: '__name__', op: '=~', value: 'http_.*|up' }], all);
    expect(re).toHaveLength(3);
    const nre = await store.select([{ name: 'service', op: '!~', value: 'sh.*' }], all);
    expect(nre.map((s) => s.labels.__name__)).toEqual(['up']);
    // The range is inclusive on both ends.
    const ranged = await store.select([eq('code', '200')], { start: T0 + 1, end: T0 + 15_000 });
    expect(ranged[0]?.points).toEqual([{ ts: T0 + 15_000, value: 2 }]);

    // Compaction moves samples into the clustered table without changing what is read.
    expect(await store.compact()).toBe(5);
    expect((await store.select([eq('__name__', 'up')], all))[0]?.points).toEqual([{ ts: T0, value: 0 }]);
    await store.append([series('up', { service: 'cart' }, [[T0, 5]])]);
    expect((await store.select([eq('__name__', 'up')], all))[0]?.points).toEqual([{ ts: T0, value: 5 }]);
    await store.compact();
    expect((await store.select([eq('__name__', 'up')], all))[0]?.points).toEqual([{ ts: T0, value: 5 }]);

    expect(await store.labelValues('service', [])).toEqual(['cart', 'shop']);
    expect(await store.labelNames([eq('__name__', 'up')])).toEqual(['__name__', 'service']);
    expect(await store.series([eq('service', 'shop')], 10)).toHaveLength(2);
    const row = await database.db
      .selectFrom('metricSeries')
      .selectAll()
      .where('name', '=', 'up')
      .executeTakeFirst();
    expect(row?.service).toBe('cart');
  });

  it('keeps NaN and infinities', async () => {
    await store.append([
      series('x', {}, [
        [T0, Number.NaN],
        [T0 + 1, Number.POSITIVE_INFINITY],
        [T0 + 2, Number.NEGATIVE_INFINITY],
      ]),
    ]);
    const read = async () => (await store.select([eq('__name__', 'x')], all))[0]?.points.map((p) => p.value);
    expect(await read()).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    await store.compact();
    expect(await read()).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  });

  it('refuses a batch over the series limit whole, with 422 cardinality_limit', async () => {
    await store.append([1, 2, 3].map((i) => series('m', { i: String(i) }, [[T0, i]])));
    const over = [
      series('m', { i: '1' }, [[T0 + 1, 9]]),
      ...[4, 5, 6].map((i) => series('m', { i: String(i) }, [[T0, i]])),
    ];
    const err = await store.append(over).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(422);
    expect((err as AppError).code).toBe('cardinality_limit');
    expect((err as AppError).message).toContain('3 series exist');
    expect((err as AppError).message).toContain('3 new');
    expect((err as AppError).message).toContain('limit is 5');
    // Nothing of the batch: no new series, and not the sample of the known one either.
    expect(await store.series([eq('__name__', 'm')], 100)).toHaveLength(3);
    const one = await store.select([eq('i', '1')], all);
    expect(one[0]?.points).toEqual([{ ts: T0, value: 1 }]);
    // A batch that fits still goes in.
    expect((await store.append(over.slice(0, 3))).newSeries).toBe(2);
  });

  it('rolls raw samples up into 1 min and 1 h buckets, and queries pick the resolution', async () => {
    // 2 h of a gauge every 15 s: value = minute index, so each minute has 4 equal samples except the ramp.
    const points: [number, number][] = [];
    for (let t = T0; t < T0 + 120 * MIN; t += 15_000) points.push([t, (t - T0) / 15_000]);
    await store.append([series('g', { service: 'shop' }, points)]);
    clock.set(T0 + 125 * MIN);
    const report = await store.runRollups();
    expect(report.minutesUntil).toBe(T0 + 124 * MIN);
    expect(report.hoursUntil).toBe(T0 + 120 * MIN - ((T0 + 120 * MIN) % 3_600_000));
    // Running again changes nothing (idempotent).
    await store.runRollups();
    const minutes = await database.db.selectFrom('metricRollupsMinute').selectAll().orderBy('ts').execute();
    expect(minutes).toHaveLength(120);
    expect(minutes[1]).toMatchObject({ ts: T0 + MIN, min: 4, max: 7, sum: 22, count: 4, last: 7 });
    const hours = await database.db.selectFrom('metricRollupsHour').selectAll().orderBy('ts').execute();
    expect(hours[0]).toMatchObject({ ts: T0 - (T0 % 3_600_000), min: 0, max: 239, count: 240, last: 239 });

    expect(store.pickResolution({ start: T0, end: T0 + 120 * MIN }, 15_000).name).toBe('raw');
    expect(store.pickResolution({ start: T0, end: T0 + 120 * MIN }, 3_600_000).name).toBe('hour');
    // Older than raw retention (7 d): rollups answer, even for a small step.
    clock.set(T0 + 10 * 86_400_000);
    expect(store.pickResolution({ start: T0, end: T0 + 120 * MIN }, 60_000).name).toBe('minute');
    const viaRollups = await store.queryRange({
      query: 'max_over_time(g[5m])',
      start: T0 + 10 * MIN,
      end: T0 + 20 * MIN,
      step: 5 * MIN,
    });
    expect(viaRollups[0]?.points.map((p) => p.value)).toEqual([39, 59, 79]);
    expect(viaRollups[0]?.labels).toEqual({ service: 'shop' });
  });

  it('deletes what is past each retention, in chunks', async () => {
    await store.append([
      series('r', {}, [
        [T0, 1],
        [T0 + 8 * 86_400_000, 2],
      ]),
    ]);
    clock.set(T0 + 8 * 86_400_000 + 5 * MIN);
    await store.runRollups();
    const report = await store.runRetention();
    expect(report.samples + 0).toBeGreaterThanOrEqual(1);
    expect((await store.select([eq('__name__', 'r')], all))[0]?.points).toEqual([
      { ts: T0 + 8 * 86_400_000, value: 2 },
    ]);
    // Series unseen beyond the longest retention go, and stop counting against the limit.
    clock.set(T0 + 800 * 86_400_000);
    expect((await store.runRetention()).series).toBe(1);
    expect(await store.series([eq('__name__', 'r')], 10)).toEqual([]);
  });

  it('keeps a resolved append after the process holding the store is killed', async () => {
    await store.close();
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
        const { openDatabase } = await import(${JSON.stringify(new URL('../../src/platform/db/database.ts', import.meta.url).href)});
        const { createEmbeddedMetricStore } = await import(${JSON.stringify(new URL('../../src/modules/signals/index.ts', import.meta.url).href)});
        const { loadConfig } = await import(${JSON.stringify(new URL('../../src/config.ts', import.meta.url).href)});
        const database = openDatabase(${JSON.stringify(testDb.settings)});
        const store = createEmbeddedMetricStore({ db: database.db, clock: { now: () => ${T0} }, config: loadConfig({}) });
        await store.append([{ labels: { __name__: 'durable', i: '1' }, points: [{ ts: ${T0}, value: 42 }] }]);
        process.stdout.write('appended\\n');
        setInterval(() => {}, 1000);
        `,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('appended')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    store = open();
    const got = await store.select([eq('__name__', 'durable')], all);
    expect(got[0]?.points).toEqual([{ ts: T0, value: 42 }]);
  });
});
