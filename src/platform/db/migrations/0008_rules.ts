import type { Kysely } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * Alert rules, the state of each rule instance (one per matched series, or per burn-rate window pair)
 * and the history of firings the weekly rule review counts. Instance rows are written on transitions
 * only; firings are written when an instance starts and stops firing.
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('alert_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('runbook_url', 'text', (c) => c.notNull())
    // A rule outlives the catalog entry it belonged to; it just loses its owner.
    .addColumn('service_id', 'text', (c) => c.references('services.id').onDelete('set null'))
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('rule_instances')
    .addColumn('rule_id', 'text', (c) => c.notNull().references('alert_rules.id').onDelete('cascade'))
    .addColumn('instance_key', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('pending_since', 'bigint')
    .addColumn('firing_since', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('last_value', 'double precision')
    .addColumn('last_eval_at', 'bigint')
    .addColumn('last_sample_at', 'bigint')
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('annotations', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rule_instances_pk', ['rule_id', 'instance_key'])
    .execute();

  await db.schema
    .createTable('rule_firings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rule_id', 'text', (c) => c.notNull().references('alert_rules.id').onDelete('cascade'))
    .addColumn('instance_key', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('rule_firings_rule_started')
    .on('rule_firings')
    .columns(['rule_id', 'started_at'])
    .execute();
  await db.schema.createIndex('rule_firings_started').on('rule_firings').column('started_at').execute();
}
