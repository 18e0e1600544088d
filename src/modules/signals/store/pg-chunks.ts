/**
 * PostgreSQL's packed samples (migration 0012): the head's two partitions taking turns, a compaction
 * packing one of them into chunk rows (a series' samples of one clock hour, as arrays), the merge of an
 * hour's chunks once it is closed, and the SQL that unpacks them. SQLite's layout is in head-rows.ts;
 * store.repo.ts picks between them.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';

/**
 * A chunk holds one clock hour, so a chunk overlapping [from, to) has `max_ts` in [from, to + 1 h): a
 * range on both sides of the primary key (series_id, max_ts, seq).
 */
const HOUR_MS = 3_600_000;
/** Held by compactions and merges: one at a time across instances. */
const COMPACTION_LOCK = 7305012003;

/**
 * FROM-clause: the packed samples of the series in `list` with a timestamp in [from, to), as
 * `c.series_id, c.seq, u.ts, u.value, u.ord` (rows of one timestamp ordered by `c.seq, u.ord`, the
 * newest write last).
 */
export function unpacked(list: RawBuilder<unknown>, from: number, to: number): RawBuilder<unknown> {
  return sql`metric_sample_chunks c
    CROSS JOIN LATERAL unnest(c.ts, c.vals) WITH ORDINALITY AS u(ts, value, ord)
    WHERE c.series_id IN (${list}) AND c.max_ts >= ${from} AND c.max_ts < ${to + HOUR_MS}
      AND c.min_ts < ${to} AND u.ts >= ${from} AND u.ts < ${to}`;
}

/**
 * Sends appends to the other head partition, then packs the one they went to until now into chunk
 * rows and truncates it. A partition left unpacked (a failed or concurrent compaction) is packed first,
 * without a flip: the partitions are packed in the order they were written, so later chunks hold later
 * writes. Returns how many samples were moved; 0 when another instance is compacting.
 */
export async function compactHead(db: Kysely<DB>): Promise<number> {
  const old = await db.transaction().execute(async (tx) => {
    const lock = await sql<{
      ok: boolean;
    }>`SELECT pg_try_advisory_xact_lock(${sql.lit(COMPACTION_LOCK)}) AS ok`.execute(tx);
    if (!lock.rows[0]?.ok) return undefined;
    const state = await sql<{ active: number }>`SELECT active FROM metric_head_state`.execute(tx);
    const other = 1 - Number(state.rows[0]?.active ?? 0);
    const left = await sql<{ any: boolean }>`
      SELECT EXISTS (SELECT 1 FROM ${sql.table(`metric_samples_head_g${other}`)}) AS any`.execute(tx);
    if (left.rows[0]?.any) return other;
    await sql`UPDATE metric_head_state SET active = ${other}`.execute(tx);
    return 1 - other;
  });
  if (old === undefined) return 0;
  const part = sql.table(`metric_samples_head_g${old}`);
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${sql.lit(COMPACTION_LOCK)})`.execute(tx);
    // A reader holding the partition (a long query) must not keep the readers queued behind the
    // TRUNCATE waiting: give up, and pack the partition next time.
    await sql`SET LOCAL lock_timeout = '5s'`.execute(tx);
    // Appends that read the state before the flip may still be writing here: wait for them. A later
    // one waits for this transaction and lands in the emptied partition, packed before the next flip.
    await sql`LOCK TABLE ${part} IN EXCLUSIVE MODE`.execute(tx);
    // Sorted in memory, not spilled to disk at the default 4 MB.
    await sql`SET LOCAL work_mem = '64MB'`.execute(tx);
    // One sequence value for the whole compaction (an initplan). Rows of one timestamp oldest write
    // first (older transaction, then position in the table), so the newest is the one readers keep.
    const r = await sql<{ n: number }>`WITH packed AS (
        INSERT INTO metric_sample_chunks (series_id, max_ts, seq, min_ts, ts, vals)
        SELECT series_id, max(ts), (SELECT nextval('metric_sample_chunks_seq')), min(ts),
          array_agg(ts ORDER BY ts, age(xmin) DESC, ctid),
          array_agg(value ORDER BY ts, age(xmin) DESC, ctid)
        FROM ${part} GROUP BY series_id, ts / ${sql.lit(HOUR_MS)}
        RETURNING cardinality(ts) AS n)
      SELECT coalesce(sum(n), 0) AS n FROM packed`.execute(tx);
    await sql`TRUNCATE ${part}`.execute(tx);
    return Number(r.rows[0]?.n ?? 0);
  });
}

/**
 * Merges each series' chunks of one clock hour in [from, to) into one, keeping the newest write of each
 * timestamp. Compaction runs every minute (rollups read packed samples), so an hour would otherwise keep
 * sixty small rows per series. Under the compaction lock: a chunk packed meanwhile could hold newer
 * writes than the merged one, which takes the newer sequence value.
 */
export async function mergeHours(
  db: Kysely<DB>,
  ids: readonly number[],
  from: number,
  to: number,
): Promise<void> {
  const list = sql.join(ids as number[]);
  const hour = sql.lit(HOUR_MS);
  await db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${sql.lit(COMPACTION_LOCK)})`.execute(tx);
    await sql`WITH hours AS (
        SELECT series_id, max_ts / ${hour} AS h FROM metric_sample_chunks
        WHERE series_id IN (${list}) AND max_ts >= ${from} AND max_ts < ${to}
        GROUP BY series_id, max_ts / ${hour} HAVING count(*) > 1),
      gone AS (
        DELETE FROM metric_sample_chunks c USING hours
        WHERE c.series_id = hours.series_id AND c.max_ts >= hours.h * ${hour}
          AND c.max_ts < (hours.h + 1) * ${hour}
        RETURNING c.series_id, c.seq, c.ts, c.vals),
      kept AS (
        SELECT DISTINCT ON (gone.series_id, u.ts) gone.series_id, u.ts, u.value
        FROM gone CROSS JOIN LATERAL unnest(gone.ts, gone.vals) WITH ORDINALITY AS u(ts, value, ord)
        ORDER BY gone.series_id, u.ts, gone.seq DESC, u.ord DESC)
      INSERT INTO metric_sample_chunks (series_id, max_ts, seq, min_ts, ts, vals)
      SELECT series_id, max(ts), (SELECT nextval('metric_sample_chunks_seq')), min(ts),
        array_agg(ts ORDER BY ts), array_agg(value ORDER BY ts)
      FROM kept GROUP BY series_id, ts / ${hour}`.execute(tx);
  });
}

/**
 * Raw retention: chunks wholly older than `before` go, and a chunk reaching past it is rewritten
 * without its older samples. Returns the samples deleted.
 */
export async function deleteChunksBefore(
  db: Kysely<DB>,
  ids: readonly number[],
  before: number,
): Promise<number> {
  const list = sql.join(ids as number[]);
  const gone = await sql<{ n: number }>`WITH gone AS (
      DELETE FROM metric_sample_chunks WHERE series_id IN (${list}) AND max_ts < ${before}
      RETURNING cardinality(ts) AS n)
    SELECT coalesce(sum(n), 0) AS n FROM gone`.execute(db);
  const trimmed = await sql<{ n: number }>`WITH kept AS (
      SELECT c.series_id, c.max_ts, c.seq, min(u.ts) AS min_ts,
        array_agg(u.ts ORDER BY u.ord) AS ts, array_agg(u.value ORDER BY u.ord) AS vals,
        cardinality(c.ts) - count(*) AS removed
      FROM metric_sample_chunks c
      CROSS JOIN LATERAL unnest(c.ts, c.vals) WITH ORDINALITY AS u(ts, value, ord)
      WHERE c.series_id IN (${list}) AND c.max_ts >= ${before} AND c.max_ts < ${before + HOUR_MS}
        AND c.min_ts < ${before} AND u.ts >= ${before}
      GROUP BY c.series_id, c.max_ts, c.seq, c.ts),
    trimmed AS (
      UPDATE metric_sample_chunks c SET min_ts = kept.min_ts, ts = kept.ts, vals = kept.vals
      FROM kept WHERE c.series_id = kept.series_id AND c.max_ts = kept.max_ts AND c.seq = kept.seq
      RETURNING kept.removed)
    SELECT coalesce(sum(removed), 0) AS n FROM trimmed`.execute(db);
  return Number(gone.rows[0]?.n ?? 0) + Number(trimmed.rows[0]?.n ?? 0);
}
