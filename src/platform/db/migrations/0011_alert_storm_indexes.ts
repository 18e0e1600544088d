import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * Indexes for the statements an alert storm runs over and over while its tables grow.
 * - The expiry sweep (firing alerts whose end time passed) had only (status, id) and read every firing
 *   alert on each run; (status, ends_at) hands it the expired ones.
 * - A group's flush reads its members changed since the last hand-over. Members are never removed when
 *   their alerts resolve, so through the primary key it read every member the group ever had on every
 *   flush; this partial index holds only the pending ones, a handful per group.
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await db.schema.createIndex('alerts_status_ends_at').on('alerts').columns(['status', 'ends_at']).execute();
  await db.schema
    .createIndex('alert_group_members_pending')
    .on('alert_group_members')
    .column('group_key')
    .where(sql.ref('version'), '>', sql.ref('flushed_version'))
    .execute();
}
