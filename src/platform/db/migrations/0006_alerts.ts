import type { Kysely } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * The alerts stage: integrations (sources with their own token), alerts with their history, the groups
 * routed alerts form and their members, silences, maintenance windows and the routing document.
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('alert_integrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_prefix', 'text', (c) => c.notNull())
    .addColumn('default_severity', 'text', (c) => c.notNull())
    .addColumn('severity_label', 'text', (c) => c.notNull())
    .addColumn('severity_map', 'text', (c) => c.notNull())
    .addColumn('resolve_timeout_seconds', 'integer')
    .addColumn('mapping', 'text')
    .addColumn('disabled_at', 'bigint')
    .addColumn('last_received_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    // The fingerprint while firing, null once resolved: "one firing alert per fingerprint" as a plain
    // unique index both engines enforce (nulls are distinct), so a refire after resolution is a new alert.
    .addColumn('active_key', 'text', (c) => c.unique())
    .addColumn('integration_id', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('annotations', 'text', (c) => c.notNull())
    .addColumn('generator_url', 'text')
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('receive_count', 'integer', (c) => c.notNull())
    .addColumn('suppressed', 'text')
    .addColumn('suppressed_by', 'text')
    .addColumn('service_id', 'text')
    .addColumn('team_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alerts_fingerprint').on('alerts').columns(['fingerprint', 'id']).execute();
  await db.schema.createIndex('alerts_status').on('alerts').columns(['status', 'id']).execute();
  await db.schema.createIndex('alerts_integration').on('alerts').columns(['integration_id', 'id']).execute();
  await db.schema.createIndex('alerts_service').on('alerts').columns(['service_id', 'id']).execute();
  await db.schema.createIndex('alerts_team').on('alerts').columns(['team_id', 'id']).execute();

  await db.schema
    .createTable('alert_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_events_alert').on('alert_events').columns(['alert_id', 'id']).execute();

  await db.schema
    .createTable('alert_groups')
    .addColumn('group_key', 'text', (c) => c.primaryKey())
    .addColumn('route_id', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text')
    .addColumn('team_id', 'text')
    .addColumn('escalation_policy_id', 'text')
    .addColumn('severity_override', 'text')
    .addColumn('group_wait_ms', 'bigint', (c) => c.notNull())
    .addColumn('group_interval_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_flush_at', 'bigint')
    .addColumn('next_flush_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('alert_group_members')
    .addColumn('group_key', 'text', (c) =>
      c.notNull().references('alert_groups.group_key').onDelete('cascade'),
    )
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    // A change bumps `version`; a hand-over to the incidents stage records the version it carried.
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('flushed_version', 'integer', (c) => c.notNull())
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addColumn('handed_at', 'bigint')
    .addPrimaryKeyConstraint('alert_group_members_pk', ['group_key', 'alert_id'])
    .execute();
  await db.schema
    .createIndex('alert_group_members_alert')
    .on('alert_group_members')
    .column('alert_id')
    .execute();

  await db.schema
    .createTable('silences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('matchers', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('silences_ends_at').on('silences').column('ends_at').execute();

  await db.schema
    .createTable('maintenance_windows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('matchers', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('start', 'text', (c) => c.notNull())
    .addColumn('duration_minutes', 'integer', (c) => c.notNull())
    .addColumn('recurrence', 'text', (c) => c.notNull())
    .addColumn('weekdays', 'text', (c) => c.notNull())
    .addColumn('until', 'text')
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('alert_routing')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
}
