import type { Kysely } from 'kysely';
import type { Engine } from '../engine.ts';

/** Prometheus text-exposition endpoints Steady scrapes, with the outcome of each one's last scrape. */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('scrape_targets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('job_name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .addColumn('last_slot_at', 'bigint')
    .addColumn('last_scrape_at', 'bigint')
    .addColumn('last_duration_ms', 'integer')
    .addColumn('last_samples', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // job + instance identify a target's series, as in Prometheus: the same URL twice in one job is a mistake.
  await db.schema
    .createIndex('scrape_targets_job_url')
    .on('scrape_targets')
    .columns(['job_name', 'url'])
    .unique()
    .execute();
}
