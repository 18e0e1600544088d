import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createEmbeddedMetricStore } from '../../src/modules/signals/index.ts';
import { canonicalLabels } from '../../src/modules/signals/store/matchers.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { type Database, migrate } from '../../src/platform/db/database.ts';
import {
  createTestDatabase,
  describeEachEngine,
  pgAvailable,
  type TestDatabase,
} from '../helpers/engines.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const HOUR = 3_600_000;

/** Samples stored under migration 0011's layout read the same once 0012 has run (PostgreSQL repacks). */
describeEachEngine('metric store migration 0012', (engine) => {
  let testDb: TestDatabase;
  let database: Database;
  afterEach(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('keeps compacted and head samples, the newest write of a timestamp still winning', async () => {
    testDb = await createTestDatabase(engine, { migrated: false });
    database = testDb.open();
    await migrate(database, '0011_alert_storm_indexes');
    const { db } = database;
    // The series as the store writes it, so that appends after the migration find it.
    const labels = canonicalLabels({ __name__: 'up', service: 'shop' });
    const hash = createHash('sha256').update(labels).digest('base64url');
    await sql`INSERT INTO metric_series (hash, name, service, labels, created_at, last_seen_at)
      VALUES (${hash}, 'up', 'shop', ${labels}, ${T0}, ${T0})`.execute(db);
    const id = Number(
      (await sql<{ id: number }>`SELECT id FROM metric_series WHERE hash = ${hash}`.execute(db)).rows[0]?.id,
    );
    await sql`INSERT INTO metric_series_labels (name, value, series_id)
      VALUES ('__name__', 'up', ${id}), ('service', 'shop', ${id})`.execute(db);
    // Three hours compacted; the head rewrites the last compacted sample, twice, and adds one.
    const compacted = [0, 1, 2, 3].map((h) => ({ ts: T0 + h * HOUR, value: h }));
    for (const p of compacted)
      await sql`INSERT INTO metric_samples (series_id, ts, value) VALUES (${id}, ${p.ts}, ${p.value})`.execute(
        db,
      );
    for (const [ts, value] of [
      [T0 + 3 * HOUR, 30],
      [T0 + 3 * HOUR, 31],
      [T0 + 4 * HOUR, 4],
    ] as const)
      await sql`INSERT INTO metric_samples_head (series_id, ts, value) VALUES (${id}, ${ts}, ${value})`.execute(
        db,
      );

    await migrate(database);
    const store = createEmbeddedMetricStore({
      db,
      clock: new FakeClock(T0 + 5 * HOUR),
      config: loadConfig({}),
    });
    const expected = [0, 1, 2, 31, 4].map((value, h) => ({ ts: T0 + h * HOUR, value }));
    const read = async () =>
      (await store.select([{ name: '__name__', op: '=', value: 'up' }], { start: 0, end: T0 + 9 * HOUR }))[0]
        ?.points;
    expect(await read()).toEqual(expected);
    await store.compact();
    expect(await read()).toEqual(expected);
    await store.append([
      { labels: { __name__: 'up', service: 'shop' }, points: [{ ts: T0 + 5 * HOUR, value: 5 }] },
    ]);
    expect(await read()).toEqual([...expected, { ts: T0 + 5 * HOUR, value: 5 }]);
    await store.close();
  });
});

if (!pgAvailable()) console.warn('!!! SKIPPED: "PostgreSQL packed samples" (no server) !!!');
describe.skipIf(!pgAvailable())('PostgreSQL packed samples', () => {
  let testDb: TestDatabase;
  let database: Database;
  afterEach(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('a partition left unpacked is packed before the next flip, so the newest write still wins', async () => {
    testDb = await createTestDatabase('postgres');
    database = testDb.open();
    const store = createEmbeddedMetricStore({
      db: database.db,
      clock: new FakeClock(T0),
      config: loadConfig({}),
    });
    const write = (value: number) =>
      store.append([{ labels: { __name__: 'v', service: 'shop' }, points: [{ ts: T0, value }] }]);
    const read = async () =>
      (await store.select([{ name: '__name__', op: '=', value: 'v' }], { start: 0, end: T0 }))[0]?.points;
    await write(1);
    // A compaction that flipped, then failed to pack (or another instance between its two steps).
    await sql`UPDATE metric_head_state SET active = 1`.execute(database.db);
    await write(2);
    expect(await read()).toEqual([{ ts: T0, value: 2 }]);
    await store.compact();
    await store.compact();
    expect(await read()).toEqual([{ ts: T0, value: 2 }]);
    await write(3);
    await store.compact();
    expect(await read()).toEqual([{ ts: T0, value: 3 }]);
    await store.close();
  });

  it("merges an hour's chunks into one once the hour is closed, the newest write still winning", async () => {
    testDb = await createTestDatabase('postgres');
    database = testDb.open();
    const clock = new FakeClock(T0);
    const store = createEmbeddedMetricStore({ db: database.db, clock, config: loadConfig({}) });
    const MIN = 60_000;
    const expected: { ts: number; value: number }[] = [];
    // A sample a minute for three hours, compacted after each (as the minutely rollup job does), and
    // each hour's first minute written again later, with another value.
    for (let m = 0; m < 180; m++) {
      const ts = T0 + m * MIN;
      clock.set(ts);
      await store.append([{ labels: { __name__: 'm', service: 'shop' }, points: [{ ts, value: m }] }]);
      if (m % 60 === 5) {
        const first = ts - 5 * MIN;
        await store.append([
          { labels: { __name__: 'm', service: 'shop' }, points: [{ ts: first, value: -m }] },
        ]);
      }
      await store.compact();
    }
    for (let m = 0; m < 180; m++) expected.push({ ts: T0 + m * MIN, value: m % 60 === 0 ? -(m + 5) : m });
    const read = async () =>
      (await store.select([{ name: '__name__', op: '=', value: 'm' }], { start: 0, end: T0 + 4 * HOUR }))[0]
        ?.points;
    const chunksPerHour = async () =>
      (
        await sql<{ n: number }>`SELECT count(*)::int AS n FROM metric_sample_chunks GROUP BY max_ts / 3600000
          ORDER BY max_ts / 3600000`.execute(database.db)
      ).rows.map((r) => r.n);
    expect(await read()).toEqual(expected);
    expect((await chunksPerHour()).every((n) => n > 50)).toBe(true);

    clock.set(T0 + 3 * HOUR + 15 * MIN);
    await store.runRollups();
    expect(await chunksPerHour()).toEqual([1, 1, 1]);
    expect(await read()).toEqual(expected);
    await store.close();
  });
});
