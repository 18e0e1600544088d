import { type Kysely, sql } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * The embedded metric store. Appends land in `metric_samples_head`, an append-only table whose inserts
 * touch only its last page, and are moved in large sorted chunks into `metric_samples`, clustered by
 * (series_id, ts) so a series' range is one contiguous read. Writing straight into the clustered table
 * dirties one page per series per batch, which measured 3-5 times slower. Rollups keep min, max, sum,
 * count and last per series and 1 min / 1 h bucket (bucket start in `ts`).
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const pg = engine === 'postgres';
  // SQLite stores NaN as NULL (it has no NaN); the store maps it back, so the column is nullable there.
  const valueType = pg ? sql`double precision NOT NULL` : sql`REAL`;
  const withoutRowid = pg ? sql`` : sql`WITHOUT ROWID`;

  if (pg) {
    await sql`CREATE TABLE metric_series (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      hash text NOT NULL UNIQUE,
      name text NOT NULL,
      service text,
      labels text NOT NULL,
      created_at bigint NOT NULL,
      last_seen_at bigint NOT NULL
    )`.execute(db);
  } else {
    await sql`CREATE TABLE metric_series (
      id INTEGER PRIMARY KEY,
      hash text NOT NULL UNIQUE,
      name text NOT NULL,
      service text,
      labels text NOT NULL,
      created_at bigint NOT NULL,
      last_seen_at bigint NOT NULL
    )`.execute(db);
  }
  await db.schema.createIndex('metric_series_name').on('metric_series').column('name').execute();
  await db.schema.createIndex('metric_series_service').on('metric_series').column('service').execute();
  await db.schema.createIndex('metric_series_last_seen').on('metric_series').column('last_seen_at').execute();

  // The inverted index that resolves label matchers: (name, value) → series ids, `__name__` included.
  await sql`CREATE TABLE metric_series_labels (
    name text NOT NULL,
    value text NOT NULL,
    series_id bigint NOT NULL,
    PRIMARY KEY (name, value, series_id)
  ) ${withoutRowid}`.execute(db);

  await sql`CREATE TABLE metric_samples (
    series_id bigint NOT NULL,
    ts bigint NOT NULL,
    value ${valueType},
    PRIMARY KEY (series_id, ts)
  ) ${withoutRowid}`.execute(db);

  if (pg) {
    await sql`CREATE TABLE metric_samples_head (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      series_id bigint NOT NULL,
      ts bigint NOT NULL,
      value double precision NOT NULL
    )`.execute(db);
  } else {
    await sql`CREATE TABLE metric_samples_head (
      seq INTEGER PRIMARY KEY,
      series_id bigint NOT NULL,
      ts bigint NOT NULL,
      value REAL
    )`.execute(db);
  }

  for (const table of ['metric_rollups_minute', 'metric_rollups_hour']) {
    await sql`CREATE TABLE ${sql.table(table)} (
      series_id bigint NOT NULL,
      ts bigint NOT NULL,
      min double precision NOT NULL,
      max double precision NOT NULL,
      sum double precision NOT NULL,
      count bigint NOT NULL,
      last double precision NOT NULL,
      PRIMARY KEY (series_id, ts)
    ) ${withoutRowid}`.execute(db);
  }

  // How far each rollup resolution is complete (exclusive end, epoch ms).
  await db.schema
    .createTable('metric_rollup_state')
    .addColumn('resolution', 'text', (c) => c.primaryKey())
    .addColumn('done_until', 'bigint', (c) => c.notNull())
    .execute();
}
