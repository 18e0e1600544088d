import type { Kysely } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * Synthetic probes: their definition and current state, recent results (bounded retention, for the
 * console's "recent failures with reasons") and state transitions. The samples themselves go to the
 * metric store as `probe_*` series.
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('probes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    // A probe outlives the catalog entry it watched; it just loses its `service` label.
    .addColumn('service_id', 'text', (c) => c.references('services.id').onDelete('set null'))
    .addColumn('interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('timeout_ms', 'integer', (c) => c.notNull())
    .addColumn('retries', 'integer', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('heartbeat_token_hash', 'text', (c) => c.unique())
    .addColumn('paused_at', 'bigint')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('state_since', 'bigint', (c) => c.notNull())
    .addColumn('state_reason', 'text')
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull())
    // The scheduled time of the last slot that ran: a job for that slot or an earlier one is a repeat.
    .addColumn('last_slot_at', 'bigint')
    .addColumn('last_run_at', 'bigint')
    .addColumn('last_ok', 'integer')
    .addColumn('last_duration_ms', 'double precision')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_tls_days_left', 'double precision')
    .addColumn('last_reason', 'text')
    .addColumn('last_heartbeat_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('probes_service').on('probes').column('service_id').execute();

  await db.schema
    .createTable('probe_results')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('probe_id', 'text', (c) => c.notNull().references('probes.id').onDelete('cascade'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'double precision', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('tls_days_left', 'double precision')
    .addColumn('reason', 'text')
    .addColumn('manual', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('probe_results_probe_at')
    .on('probe_results')
    .columns(['probe_id', 'at'])
    .execute();
  await db.schema.createIndex('probe_results_at').on('probe_results').column('at').execute();

  await db.schema
    .createTable('probe_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('probe_id', 'text', (c) => c.notNull().references('probes.id').onDelete('cascade'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('from_state', 'text', (c) => c.notNull())
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .execute();
  await db.schema
    .createIndex('probe_events_probe_at')
    .on('probe_events')
    .columns(['probe_id', 'at'])
    .execute();
}
