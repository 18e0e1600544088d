import { type Kysely, sql } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * Incidents (with their alerts, timeline, review and action items), response targets per severity,
 * on-call schedules with overrides, and escalation policies.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  // One row per severity; the defaults are the team's response commitments (P1 5 min, P2 15, P3 30).
  await db.schema
    .createTable('incident_severities')
    .addColumn('severity', 'text', (c) => c.primaryKey())
    .addColumn('ack_minutes', 'integer', (c) => c.notNull())
    .addColumn('resolve_minutes', 'integer', (c) => c.notNull())
    .addColumn('retrigger_minutes', 'integer')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db
    .insertInto('incident_severities' as never)
    .values([
      { severity: 'P1', ack_minutes: 5, resolve_minutes: 60, retrigger_minutes: 30, updated_at: 0 },
      { severity: 'P2', ack_minutes: 15, resolve_minutes: 240, retrigger_minutes: 120, updated_at: 0 },
      { severity: 'P3', ack_minutes: 30, resolve_minutes: 1440, retrigger_minutes: null, updated_at: 0 },
    ] as never)
    .execute();

  // Short human numbers (INC-42): one counter row, bumped with UPDATE … RETURNING (a row lock on PostgreSQL).
  await db.schema
    .createTable('incident_counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();
  await db
    .insertInto('incident_counters' as never)
    .values({ name: 'incident', value: 0 } as never)
    .execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'bigint', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text')
    // Set while the incident is open, so one group has at most one open incident (also across instances).
    .addColumn('open_group_key', 'text', (c) => c.unique())
    .addColumn('service_id', 'text', (c) => c.references('services.id').onDelete('set null'))
    .addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('set null'))
    .addColumn('assignee_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('commander_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('parent_id', 'text', (c) => c.references('incidents.id'))
    .addColumn('escalation_snapshot', 'text')
    .addColumn('escalation_gen', 'integer', (c) => c.notNull())
    .addColumn('escalation_round', 'integer', (c) => c.notNull())
    .addColumn('escalation_step', 'integer', (c) => c.notNull())
    // Due time of the last step run and of the next one scheduled, so a missed deadline can tell whether
    // escalation is already moving at that moment.
    .addColumn('escalation_last_at', 'bigint')
    .addColumn('escalation_next_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('ack_due_at', 'bigint', (c) => c.notNull())
    .addColumn('resolve_due_at', 'bigint', (c) => c.notNull())
    .addColumn('ack_breached_at', 'bigint')
    .addColumn('resolve_breached_at', 'bigint')
    .execute();
  // The list (newest first, by state) and the figures (per period, by service, team, severity).
  await db.schema.createIndex('incidents_created').on('incidents').column('created_at').execute();
  await db.schema.createIndex('incidents_state').on('incidents').columns(['state', 'created_at']).execute();
  await db.schema
    .createIndex('incidents_service')
    .on('incidents')
    .columns(['service_id', 'created_at'])
    .execute();
  await db.schema.createIndex('incidents_team').on('incidents').columns(['team_id', 'created_at']).execute();
  await db.schema
    .createIndex('incidents_severity')
    .on('incidents')
    .columns(['severity', 'created_at'])
    .execute();
  await db.schema
    .createIndex('incidents_group')
    .on('incidents')
    .columns(['group_key', 'created_at'])
    .execute();
  await db.schema.createIndex('incidents_parent').on('incidents').column('parent_id').execute();

  await db.schema
    .createTable('incident_alerts')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('alert_id', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('annotations', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint')
    .addColumn('attached_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_alerts_pk', ['incident_id', 'alert_id'])
    .execute();
  await db.schema.createIndex('incident_alerts_alert').on('incident_alerts').column('alert_id').execute();

  // The timeline: append-only; a dedupe key makes a step recorded by two instances land once.
  await db.schema
    .createTable('incident_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .execute();
  await db.schema
    .createIndex('incident_events_incident')
    .on('incident_events')
    .columns(['incident_id', 'at'])
    .execute();
  if (engine === 'postgres') {
    await sql`CREATE FUNCTION incident_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'incident_events is append-only'; END $$`.execute(db);
    await sql`CREATE TRIGGER incident_events_append_only BEFORE UPDATE OR DELETE ON incident_events
      FOR EACH ROW EXECUTE FUNCTION incident_events_append_only()`.execute(db);
    await sql`CREATE TRIGGER incident_events_no_truncate BEFORE TRUNCATE ON incident_events
      FOR EACH STATEMENT EXECUTE FUNCTION incident_events_append_only()`.execute(db);
  } else {
    await sql`CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events
      BEGIN SELECT RAISE(ABORT, 'incident_events is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events
      BEGIN SELECT RAISE(ABORT, 'incident_events is append-only'); END`.execute(db);
  }

  await db.schema
    .createTable('incident_reviews')
    .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id'))
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('customer_impact', 'text', (c) => c.notNull())
    .addColumn('timeline', 'text', (c) => c.notNull())
    .addColumn('root_cause', 'text', (c) => c.notNull())
    .addColumn('contributing_factors', 'text', (c) => c.notNull())
    .addColumn('went_well', 'text', (c) => c.notNull())
    .addColumn('went_badly', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('incident_action_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('due_at', 'bigint')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('done_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('incident_action_items_incident')
    .on('incident_action_items')
    .column('incident_id')
    .execute();
  await db.schema
    .createIndex('incident_action_items_owner')
    .on('incident_action_items')
    .columns(['owner_id', 'state'])
    .execute();

  // Layers (rotations) are one JSON document per schedule: always read, validated and written whole.
  await db.schema
    .createTable('oncall_schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('set null'))
    .addColumn('layers', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('oncall_overrides')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('schedule_id', 'text', (c) =>
      c.notNull().references('oncall_schedules.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // Null: the user covers the whole window; a user id: a swap, covering only that user's shifts.
    .addColumn('replaces_user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('oncall_overrides_window')
    .on('oncall_overrides')
    .columns(['schedule_id', 'ends_at'])
    .execute();

  await db.schema
    .createTable('escalation_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('set null'))
    .addColumn('steps', 'text', (c) => c.notNull())
    .addColumn('repeat', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
