import { CompiledQuery, type Kysely, sql, type Transaction } from 'kysely';
import type { Engine } from '../../../platform/db/engine.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { pgBinaryArray, sqliteHeadStatements } from './head-rows.ts';
import { compactHead, deleteChunksBefore, mergeHours, unpacked } from './pg-chunks.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface NewSeriesRow {
  hash: string;
  name: string;
  service: string | null;
  labels: string;
  createdAt: number;
  lastSeenAt: number;
}

/** One stored sample as read back; `value` null is a NaN on SQLite. */
export interface SampleRow {
  seriesId: number;
  ts: number;
  value: number | null;
}

export type RollupTable = 'metricRollupsMinute' | 'metricRollupsHour';

export interface RollupRow {
  seriesId: number;
  ts: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
}

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** Bound parameters per IN list: under both engines' limits with room to spare. */
const IN_CHUNK = 900;

/** The SQL of the embedded metric store and nothing else. */
export function createStoreRepo(engine: Engine) {
  const pg = engine === 'postgres';
  const notNan = pg ? sql`value <> 'NaN'::float8` : sql`value IS NOT NULL`;

  return {
    async seriesByHash(db: Db, hashes: readonly string[]): Promise<{ id: number; hash: string }[]> {
      const out: { id: number; hash: string }[] = [];
      for (const part of chunks(hashes, IN_CHUNK)) {
        out.push(
          ...(await db.selectFrom('metricSeries').select(['id', 'hash']).where('hash', 'in', part).execute()),
        );
      }
      return out;
    },

    async countSeries(db: Db): Promise<number> {
      const row = await db
        .selectFrom('metricSeries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Inserts series not yet known (a concurrent writer may have added some) and returns every id. */
    async insertSeries(db: Db, rows: readonly NewSeriesRow[]): Promise<{ id: number; hash: string }[]> {
      for (const part of chunks(rows, 1000)) {
        await db
          .insertInto('metricSeries')
          .values(part)
          .onConflict((oc) => oc.column('hash').doNothing())
          .execute();
      }
      return this.seriesByHash(
        db,
        rows.map((r) => r.hash),
      );
    },

    async insertLabels(
      db: Db,
      rows: readonly { name: string; value: string; seriesId: number }[],
    ): Promise<void> {
      for (const part of chunks(rows, 3000)) {
        await db
          .insertInto('metricSeriesLabels')
          .values(part)
          .onConflict((oc) => oc.columns(['name', 'value', 'seriesId']).doNothing())
          .execute();
      }
    },

    async touchSeries(db: Db, ids: readonly number[], now: number): Promise<void> {
      for (const part of chunks(ids, IN_CHUNK)) {
        await db.updateTable('metricSeries').set({ lastSeenAt: now }).where('id', 'in', part).execute();
      }
    },

    /**
     * The hot path: one statement per batch on PostgreSQL (into the head partition appends go to now), a
     * few prepared ones on SQLite.
     */
    async appendHead(db: Db, ids: Float64Array, ts: Float64Array, values: Float64Array): Promise<void> {
      if (ids.length === 0) return;
      if (pg) {
        await db.executeQuery(
          CompiledQuery.raw(
            `INSERT INTO metric_samples_head (gen, series_id, ts, value)
              SELECT (SELECT active FROM metric_head_state), * FROM unnest($1::bigint[], $2::bigint[], $3::float8[])`,
            [
              pgBinaryArray('int8', ids, 0, ids.length),
              pgBinaryArray('int8', ts, 0, ts.length),
              pgBinaryArray('float8', values, 0, values.length),
            ],
          ),
        );
        return;
      }
      for (const { sql, params } of sqliteHeadStatements(ids, ts, values))
        await db.executeQuery(CompiledQuery.raw(sql, params));
    },

    /** PostgreSQL: pg-chunks.ts `compactHead`. (SQLite's runs on the sample writer thread.) */
    async compact(db: Kysely<DB>): Promise<number> {
      if (!pg) throw new Error('SQLite compacts on the sample writer thread');
      return compactHead(db);
    },

    /** SQLite: the path of the main database file (the sample writer thread opens it too). */
    async sqliteFile(db: Db): Promise<string> {
      const r = await sql<{ name: string; file: string }>`PRAGMA database_list`.execute(db);
      const file = r.rows.find((row) => row.name === 'main')?.file;
      if (!file) throw new Error('the embedded metric store needs an SQLite database file');
      return file;
    },

    async headCount(db: Db): Promise<number> {
      const r = await sql<{ n: number }>`SELECT count(*) AS n FROM metric_samples_head`.execute(db);
      return Number(r.rows[0]?.n ?? 0);
    },

    /** Series (id, labels JSON) matching the SQL-resolvable part of a selector; see matchers.ts. */
    async seriesWhere(
      db: Db,
      conds: readonly { name: string; values: readonly string[] }[],
      limit: number | undefined,
    ): Promise<{ id: number; labels: string }[]> {
      let q = db.selectFrom('metricSeries').select(['id', 'labels']);
      for (const c of conds) {
        q = q.where('id', 'in', (eb) =>
          eb
            .selectFrom('metricSeriesLabels')
            .select('seriesId')
            .where('name', '=', c.name)
            .where('value', 'in', c.values as string[]),
        );
      }
      q = q.orderBy('lastSeenAt', 'desc').orderBy('id', 'desc');
      if (limit !== undefined) q = q.limit(limit);
      return q.execute();
    },

    async distinctValues(db: Db, name: string): Promise<string[]> {
      const rows = await db
        .selectFrom('metricSeriesLabels')
        .select('value')
        .distinct()
        .where('name', '=', name)
        .orderBy('value')
        .execute();
      return rows.map((r) => r.value);
    },

    async distinctNames(db: Db): Promise<string[]> {
      const rows = await db
        .selectFrom('metricSeriesLabels')
        .select('name')
        .distinct()
        .orderBy('name')
        .execute();
      return rows.map((r) => r.name);
    },

    /**
     * Raw samples of the given series in [start, end], head and compacted samples read in one statement
     * (one snapshot, so a concurrent compaction cannot hide a row), ordered so the last row of each
     * (series, ts) is the newest write.
     */
    async readSamples(db: Db, ids: readonly number[], start: number, end: number): Promise<SampleRow[]> {
      const out: SampleRow[] = [];
      for (const part of chunks(ids, IN_CHUNK)) {
        const list = sql.join(part);
        // PostgreSQL: chunks by sequence, then the head partition appends left, then the one they go to.
        const r = pg
          ? await sql<SampleRow>`
          SELECT c.series_id, u.ts, u.value, 0 AS src, c.seq AS k1, u.ord AS k2, NULL::tid AS k3
            FROM ${unpacked(list, start, end + 1)}
          UNION ALL
          SELECT h.series_id, h.ts, h.value, CASE WHEN h.gen = st.active THEN 2 ELSE 1 END,
              -age(h.xmin), 0, h.ctid
            FROM metric_samples_head h CROSS JOIN metric_head_state st
            WHERE h.series_id IN (${list}) AND h.ts >= ${start} AND h.ts <= ${end}
          ORDER BY series_id, ts, src, k1, k2, k3`.execute(db)
          : await sql<SampleRow>`
          SELECT series_id, ts, value, 0 AS src, 0 AS seq FROM metric_samples
            WHERE series_id IN (${list}) AND ts >= ${start} AND ts <= ${end}
          UNION ALL
          SELECT series_id, ts, value, 1 AS src, seq FROM metric_samples_head
            WHERE series_id IN (${list}) AND ts >= ${start} AND ts <= ${end}
          ORDER BY series_id, ts, src, seq`.execute(db);
        // Not push(...rows): a spread of a few hundred thousand rows overflows the stack.
        for (const row of r.rows) out.push(row);
      }
      return out;
    },

    async readRollups(
      db: Db,
      table: RollupTable,
      ids: readonly number[],
      start: number,
      end: number,
    ): Promise<RollupRow[]> {
      const out: RollupRow[] = [];
      for (const part of chunks(ids, IN_CHUNK)) {
        const rows = await db
          .selectFrom(table)
          .selectAll()
          .where('seriesId', 'in', part)
          .where('ts', '>=', start)
          .where('ts', '<=', end)
          .orderBy('seriesId')
          .orderBy('ts')
          .execute();
        for (const row of rows) out.push(row);
      }
      return out;
    },

    async rollupState(db: Db, resolution: string): Promise<number | undefined> {
      const row = await db
        .selectFrom('metricRollupState')
        .select('doneUntil')
        .where('resolution', '=', resolution)
        .executeTakeFirst();
      return row?.doneUntil;
    },

    async setRollupState(db: Db, resolution: string, doneUntil: number): Promise<void> {
      await db
        .insertInto('metricRollupState')
        .values({ resolution, doneUntil })
        .onConflict((oc) => oc.column('resolution').doUpdateSet({ doneUntil }))
        .execute();
    },

    /** Ids of series seen since `since` (the ones that can have samples to roll up), ascending. */
    async activeSeriesIds(db: Db, since: number): Promise<number[]> {
      const rows = await db
        .selectFrom('metricSeries')
        .select('id')
        .where('lastSeenAt', '>=', since)
        .orderBy('id')
        .execute();
      return rows.map((r) => r.id);
    },

    async allSeriesIds(db: Db): Promise<number[]> {
      const rows = await db.selectFrom('metricSeries').select('id').orderBy('id').execute();
      return rows.map((r) => r.id);
    },

    /** Raw samples of the series in [from, to) → 1 min buckets (NaN samples are not counted). */
    async rollupRawToMinutes(db: Db, ids: readonly number[], from: number, to: number): Promise<void> {
      await rollupInto(db, 'metric_rollups_minute', 60_000, ids, from, to, 'raw');
    },

    /** 1 min buckets in [from, to) → 1 h buckets. */
    async rollupMinutesToHours(db: Db, ids: readonly number[], from: number, to: number): Promise<void> {
      await rollupInto(db, 'metric_rollups_hour', 3_600_000, ids, from, to, 'minute');
    },

    /** PostgreSQL: pg-chunks.ts `mergeHours`; nothing to do on SQLite. */
    async mergeChunks(db: Kysely<DB>, ids: readonly number[], from: number, to: number): Promise<void> {
      if (pg && ids.length > 0) await mergeHours(db, ids, from, to);
    },

    /**
     * Deletes rows older than `before` for the given series; bounded by the series given. Returns the
     * samples (or rollup rows) deleted.
     */
    async deleteBefore(
      db: Db,
      table: 'samples' | RollupTable,
      ids: readonly number[],
      before: number,
    ): Promise<number> {
      if (table === 'samples' && pg) return deleteChunksBefore(db, ids, before);
      const r = await db
        .deleteFrom(table === 'samples' ? 'metricSamples' : table)
        .where('seriesId', 'in', ids)
        .where('ts', '<', before)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    async deleteHeadBefore(db: Db, before: number): Promise<void> {
      await db.deleteFrom('metricSamplesHead').where('ts', '<', before).execute();
    },

    /** Series unseen since `before` (every sample and rollup of theirs has expired): up to `limit` removed. */
    async deleteSeriesUnseenSince(db: Kysely<DB>, before: number, limit: number): Promise<number[]> {
      return db.transaction().execute(async (tx) => {
        const ids = (
          await tx
            .selectFrom('metricSeries')
            .select('id')
            .where('lastSeenAt', '<', before)
            .limit(limit)
            .execute()
        ).map((r) => r.id);
        if (ids.length === 0) return ids;
        await tx.deleteFrom('metricSeriesLabels').where('seriesId', 'in', ids).execute();
        await tx.deleteFrom('metricSeries').where('id', 'in', ids).execute();
        return ids;
      });
    },
  };

  async function rollupInto(
    db: Db,
    target: string,
    width: number,
    ids: readonly number[],
    from: number,
    to: number,
    source: 'raw' | 'minute',
  ): Promise<void> {
    if (ids.length === 0) return;
    const list = sql.join(ids as number[]);
    const bucket = sql`(ts / ${sql.lit(width)}) * ${sql.lit(width)}`;
    const upsert = sql`ON CONFLICT (series_id, ts) DO UPDATE SET min = excluded.min, max = excluded.max,
        sum = excluded.sum, count = excluded.count, last = excluded.last`;
    if (source === 'raw' && pg) {
      // The packed samples, the newest write of each (series, ts) only, NaN left out; a bucket's last
      // value is the one at its newest timestamp.
      await sql`WITH s AS (
          SELECT DISTINCT ON (c.series_id, u.ts) c.series_id, u.ts, u.value
          FROM ${unpacked(list, from, to)}
          ORDER BY c.series_id, u.ts, c.seq DESC, u.ord DESC)
        INSERT INTO ${sql.raw(target)} (series_id, ts, min, max, sum, count, last)
        SELECT series_id, ${bucket}, min(value), max(value), sum(value), count(*),
          (array_agg(value ORDER BY ts DESC))[1]
        FROM s WHERE ${notNan} GROUP BY series_id, ${bucket}
        ${upsert}`.execute(db);
      return;
    }
    // The bucket's last value is the row at its newest timestamp, joined back after grouping: the only
    // form of "last" both engines share.
    const grouped =
      source === 'raw'
        ? sql`SELECT series_id, ${bucket} AS bucket, min(value) AS mn, max(value) AS mx, sum(value) AS sm,
              count(*) AS cnt, max(ts) AS last_ts
            FROM metric_samples WHERE series_id IN (${list}) AND ts >= ${from} AND ts < ${to} AND ${notNan}
            GROUP BY series_id, ${bucket}`
        : sql`SELECT series_id, ${bucket} AS bucket, min(min) AS mn, max(max) AS mx, sum(sum) AS sm,
              sum(count) AS cnt, max(ts) AS last_ts
            FROM metric_rollups_minute WHERE series_id IN (${list}) AND ts >= ${from} AND ts < ${to}
            GROUP BY series_id, ${bucket}`;
    const lastOf =
      source === 'raw'
        ? sql`JOIN metric_samples s ON s.series_id = g.series_id AND s.ts = g.last_ts`
        : sql`JOIN metric_rollups_minute s ON s.series_id = g.series_id AND s.ts = g.last_ts`;
    const lastCol = source === 'raw' ? sql`s.value` : sql`s.last`;
    await sql`INSERT INTO ${sql.raw(target)} (series_id, ts, min, max, sum, count, last)
      SELECT g.series_id, g.bucket, g.mn, g.mx, g.sm, g.cnt, ${lastCol} FROM (${grouped}) AS g ${lastOf} WHERE true
      ${upsert}`.execute(db);
  }
}

export type StoreRepo = ReturnType<typeof createStoreRepo>;
