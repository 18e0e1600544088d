import { type Kysely, sql } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * PostgreSQL only (SQLite keeps the layout of 0003): the metric store's compacted samples are packed,
 * one row per series per compaction, and the head is two partitions that take turns.
 *
 * Measured on PostgreSQL 15, per sample: moving head rows into the `(series_id, ts)` B-tree table cost
 * ~3 µs of server CPU (a heap tuple, an index entry and an ON CONFLICT check each), and the head's
 * identity key another ~0.8 µs (a sequence call and an index entry). A packed row costs the same per
 * series whatever its sample count, and emptying a partition by TRUNCATE costs nothing per row, where
 * DELETE wrote a WAL record for each and left dead tuples to vacuum.
 *
 * - `metric_samples_head` is partitioned by `gen` (0 and 1); `metric_head_state.active` says which
 *   partition appends go to. A compaction flips it (one transaction), then packs the partition appends
 *   went to until then into `metric_sample_chunks` and truncates it (a second one; store.repo.ts
 *   `compact`).
 * - `metric_sample_chunks`: a series' samples of one clock hour from one compaction, `ts` ascending
 *   (rows of one timestamp oldest write first), `vals` beside them; `seq`, one value per compaction,
 *   orders the chunks of one series (the newer wins). Within an hour, so `max_ts` bounds a range read on
 *   both sides.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  if (engine !== 'postgres') return;
  await sql`CREATE TABLE metric_head_state (
    id smallint PRIMARY KEY CHECK (id = 1),
    active smallint NOT NULL CHECK (active IN (0, 1))
  )`.execute(db);
  await sql`INSERT INTO metric_head_state (id, active) VALUES (1, 0)`.execute(db);

  await sql`ALTER TABLE metric_samples_head RENAME TO metric_samples_head_0003`.execute(db);
  await sql`CREATE TABLE metric_samples_head (
    gen smallint NOT NULL,
    series_id bigint NOT NULL,
    ts bigint NOT NULL,
    value double precision NOT NULL
  ) PARTITION BY LIST (gen)`.execute(db);
  await sql`CREATE TABLE metric_samples_head_g0 PARTITION OF metric_samples_head FOR VALUES IN (0)`.execute(
    db,
  );
  await sql`CREATE TABLE metric_samples_head_g1 PARTITION OF metric_samples_head FOR VALUES IN (1)`.execute(
    db,
  );
  await sql`INSERT INTO metric_samples_head (gen, series_id, ts, value)
    SELECT 0, series_id, ts, value FROM metric_samples_head_0003 ORDER BY seq`.execute(db);
  await sql`DROP TABLE metric_samples_head_0003`.execute(db);

  await sql`CREATE SEQUENCE metric_sample_chunks_seq`.execute(db);
  await sql`CREATE TABLE metric_sample_chunks (
    series_id bigint NOT NULL,
    max_ts bigint NOT NULL,
    seq bigint NOT NULL,
    min_ts bigint NOT NULL,
    ts bigint[] NOT NULL,
    vals double precision[] NOT NULL,
    PRIMARY KEY (series_id, max_ts, seq)
  )`.execute(db);
  // What was compacted before: an hour of a series per row.
  await sql`INSERT INTO metric_sample_chunks (series_id, max_ts, seq, min_ts, ts, vals)
    SELECT series_id, max(ts), nextval('metric_sample_chunks_seq'), min(ts),
      array_agg(ts ORDER BY ts), array_agg(value ORDER BY ts)
    FROM metric_samples GROUP BY series_id, ts / 3600000`.execute(db);
  await sql`DROP TABLE metric_samples`.execute(db);
}
