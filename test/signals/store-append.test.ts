import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createEmbeddedMetricStore, type EmbeddedMetricStore } from '../../src/modules/signals/index.ts';
import type { LabelMatcher, SeriesSamples } from '../../src/modules/signals/metric-store.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { createTestDatabase, describeEachEngine, type TestDatabase } from '../helpers/engines.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const DAY = 86_400_000;
const eq = (name: string, value: string): LabelMatcher => ({ name, op: '=', value });
const all = { start: 0, end: 8_000_000_000_000 };

/** The write path's series-id cache and group commit, seen from outside the store. */
describeEachEngine('embedded metric store appends', (engine) => {
  let testDb: TestDatabase;
  let database: Database;
  let clock: FakeClock;
  let store: EmbeddedMetricStore;

  beforeEach(async () => {
    testDb = await createTestDatabase(engine);
    database = testDb.open();
    clock = new FakeClock(T0);
    store = createEmbeddedMetricStore({
      db: database.db,
      clock,
      config: loadConfig({}, undefined, { metricsMaxSeries: 1000 }),
    });
  });
  afterEach(async () => {
    await store.close();
    await database.close();
    await testDb.drop();
  });

  it('a series dropped by retention is created again when it reports again, its samples kept', async () => {
    // The same label object each time, as the remote_write path hands it over: the cache is keyed by it.
    const labels = { __name__: 'comeback_total', instance: 'a' };
    const at = (ts: number, value: number): SeriesSamples[] => [{ labels, points: [{ ts, value }] }];
    expect(await store.append(at(T0, 1))).toEqual({ samples: 1, newSeries: 1 });
    expect(await store.append(at(T0 + 1000, 2))).toEqual({ samples: 1, newSeries: 0 });

    // Silent for longer than every retention: the series and all its data go.
    clock.set(T0 + 800 * DAY);
    expect((await store.runRetention()).series).toBe(1);
    expect(await store.series([eq('__name__', 'comeback_total')], 10)).toEqual([]);

    // Back: a new series, not samples written under the id of the one that was dropped.
    const back = T0 + 800 * DAY;
    expect(await store.append(at(back, 3))).toEqual({ samples: 1, newSeries: 1 });
    expect(await store.series([eq('__name__', 'comeback_total')], 10)).toEqual([labels]);
    const got = await store.select([eq('__name__', 'comeback_total')], all);
    expect(got[0]?.points).toEqual([{ ts: back, value: 3 }]);
    const orphans = await database.db
      .selectFrom('metricSamplesHead')
      .leftJoin('metricSeries', 'metricSeries.id', 'metricSamplesHead.seriesId')
      .select('metricSamplesHead.seriesId')
      .where('metricSeries.id', 'is', null)
      .execute();
    expect(orphans).toEqual([]);
  });

  it('concurrent appends of known series share commits, and each is answered only once committed', async () => {
    const batch = (round: number): SeriesSamples[] =>
      Array.from({ length: 50 }, (_, i) => ({
        labels: { __name__: 'group_total', i: String(i) },
        points: [{ ts: T0 + round * 1000, value: round }],
      }));
    await store.append(batch(0));

    // Another connection sees only what is committed: each append must be visible there when it resolves.
    const other = testDb.open();
    try {
      const seen: number[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async (_, k) => {
          const round = k + 1;
          expect(await store.append(batch(round))).toEqual({ samples: 50, newSeries: 0 });
          const rows = await other.db
            .selectFrom('metricSamplesHead')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('ts', '=', T0 + round * 1000)
            .executeTakeFirstOrThrow();
          seen.push(Number(rows.n));
        }),
      );
      expect(seen).toEqual(Array(8).fill(50));
    } finally {
      await other.close();
    }
  });

  it('main-connection transactions that read, then write, go on while samples are being written', async () => {
    const batch = (round: number): SeriesSamples[] =>
      Array.from({ length: 500 }, (_, i) => ({
        labels: { __name__: 'busy_total', i: String(i) },
        points: [{ ts: T0 + round * 1000, value: round }],
      }));
    await store.append(batch(0));
    let appending = true;
    const appends = (async () => {
      for (let round = 1; round <= 40; round++) await store.append(batch(round));
      appending = false;
    })();
    // Each transaction reads first: begun deferred, it could not write once the writer thread had
    // committed since its read (SQLITE_BUSY), whatever the busy timeout.
    let transactions = 0;
    while (appending) {
      await database.db.transaction().execute(async (tx) => {
        const n = await tx
          .selectFrom('metricSeries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        await new Promise((r) => setTimeout(r, 2));
        await tx
          .updateTable('metricSeries')
          .set({ lastSeenAt: T0 + Number(n.n) })
          .where('id', '=', 1)
          .execute();
      });
      transactions++;
    }
    await appends;
    expect(transactions).toBeGreaterThan(0);
    expect(await store.compact()).toBe(41 * 500);
    const got = await store.select([eq('__name__', 'busy_total'), eq('i', '7')], all);
    expect(got[0]?.points).toHaveLength(41);
  });

  it('appends racing compactions lose nothing, and every read sees each committed sample once', async () => {
    const batch = (round: number): SeriesSamples[] =>
      Array.from({ length: 200 }, (_, i) => ({
        labels: { __name__: 'race_total', i: String(i) },
        points: [{ ts: T0 + round * 1000, value: round }],
      }));
    await store.append(batch(0));
    const rounds = 60;
    let done = false;
    const appends = (async () => {
      // Several in flight at once, as remote_write shards send.
      for (let round = 1; round <= rounds; round += 3)
        await Promise.all([0, 1, 2].map((k) => store.append(batch(round + k))));
      done = true;
    })();
    let compactions = 0;
    while (!done) {
      await store.compact();
      compactions++;
      const got = await store.select([eq('__name__', 'race_total'), eq('i', '3')], all);
      const ts = got[0]?.points.map((p) => p.ts) ?? [];
      expect(new Set(ts).size).toBe(ts.length);
    }
    await appends;
    await store.compact();
    expect(compactions).toBeGreaterThan(1);
    const got = await store.select([eq('__name__', 'race_total')], all);
    expect(got).toHaveLength(200);
    for (const s of got)
      expect(s.points.map((p) => p.value)).toEqual(Array.from({ length: rounds + 1 }, (_, r) => r));
  });
});
