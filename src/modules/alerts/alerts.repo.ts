import { type Kysely, type Selectable, sql } from 'kysely';
import type {
  AlertEventsTable,
  AlertGroupMembersTable,
  AlertGroupsTable,
  AlertsTable,
  DB,
} from '../../platform/db/schema.ts';

export type AlertRow = Selectable<AlertsTable>;
export type AlertEventRow = Selectable<AlertEventsTable>;
export type GroupRow = Selectable<AlertGroupsTable>;
export type MemberRow = Selectable<AlertGroupMembersTable>;

export interface AlertFilter {
  state?: 'firing' | 'resolved' | 'suppressed' | undefined;
  severity?: string | undefined;
  serviceId?: string | undefined;
  teamId?: string | undefined;
  integrationId?: string | undefined;
  source?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  q?: string | undefined;
  before?: string | undefined;
  limit: number;
}

const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** SQL for alerts, their history, and the groups they are routed into. */
export const alertsRepo = {
  /** Start times of the alerts with these fingerprints that were handed to an incident. */
  async handedToIncidentStarts(db: Kysely<DB>, fps: readonly string[]): Promise<Map<string, number[]>> {
    const linked = new Map<string, number[]>();
    // Chunked so a busy week stays within both engines' bound-parameter limits.
    for (let i = 0; i < fps.length; i += 500) {
      const rows = await db
        .selectFrom('alerts')
        .innerJoin('alertEvents', 'alertEvents.alertId', 'alerts.id')
        .select(['alerts.fingerprint', 'alerts.startsAt', 'alertEvents.detail'])
        .where('alerts.fingerprint', 'in', [...new Set(fps.slice(i, i + 500))])
        .where('alertEvents.kind', '=', 'handed_over')
        .execute();
      for (const r of rows) {
        const detail = JSON.parse(r.detail) as { incidentId?: string | null };
        if (detail.incidentId) linked.set(r.fingerprint, [...(linked.get(r.fingerprint) ?? []), r.startsAt]);
      }
    }
    return linked;
  },
  findFiring: (db: Kysely<DB>, fingerprint: string) =>
    db.selectFrom('alerts').selectAll().where('activeKey', '=', fingerprint).executeTakeFirst(),
  findById: (db: Kysely<DB>, id: string) =>
    db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst(),
  findByIds: (db: Kysely<DB>, ids: string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : db.selectFrom('alerts').selectAll().where('id', 'in', ids).execute(),
  findFiringMany: (db: Kysely<DB>, fingerprints: string[]) =>
    fingerprints.length === 0
      ? Promise.resolve([])
      : db.selectFrom('alerts').selectAll().where('activeKey', 'in', fingerprints).execute(),
  insertMany: async (db: Kysely<DB>, rows: AlertRow[]) => {
    for (let i = 0; i < rows.length; i += 200)
      await db
        .insertInto('alerts')
        .values(rows.slice(i, i + 200))
        .execute();
  },
  update: (db: Kysely<DB>, id: string, patch: Partial<AlertRow>) =>
    db.updateTable('alerts').set(patch).where('id', '=', id).execute(),

  /** Firing alerts (the sources inhibition looks at), newest first, bounded. */
  listFiring: (db: Kysely<DB>, limit: number) =>
    db
      .selectFrom('alerts')
      .select(['id', 'fingerprint', 'labels', 'title'])
      .where('status', '=', 'firing')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),

  list: (db: Kysely<DB>, f: AlertFilter) => {
    let q = db.selectFrom('alerts').selectAll();
    if (f.state === 'suppressed') q = q.where('status', '=', 'firing').where('suppressed', 'is not', null);
    else if (f.state) q = q.where('status', '=', f.state);
    if (f.severity) q = q.where('severity', '=', f.severity);
    if (f.serviceId) q = q.where('serviceId', '=', f.serviceId);
    if (f.teamId) q = q.where('teamId', '=', f.teamId);
    if (f.integrationId) q = q.where('integrationId', '=', f.integrationId);
    if (f.source) q = q.where('source', '=', f.source);
    if (f.from !== undefined) q = q.where('lastSeenAt', '>=', f.from);
    if (f.to !== undefined) q = q.where('startsAt', '<', f.to);
    if (f.q) q = q.where(sql<boolean>`lower(title) like lower(${containsPattern(f.q)}) escape '\\'`);
    if (f.before) q = q.where('id', '<', f.before);
    return q.orderBy('id', 'desc').limit(f.limit).execute();
  },

  insertEvents: (db: Kysely<DB>, rows: AlertEventRow[]) =>
    rows.length === 0
      ? Promise.resolve()
      : db
          .insertInto('alertEvents')
          .values(rows)
          .execute()
          .then(() => {}),
  listEvents: (db: Kysely<DB>, alertId: string) =>
    db
      .selectFrom('alertEvents')
      .selectAll()
      .where('alertId', '=', alertId)
      .orderBy('id')
      .limit(1000)
      .execute(),

  /** Firing alerts whose source-declared end has passed (resolved like Alertmanager's resolve_timeout). */
  listExpired: (db: Kysely<DB>, now: number, limit: number) =>
    db
      .selectFrom('alerts')
      .selectAll()
      .where('status', '=', 'firing')
      .where('endsAt', 'is not', null)
      .where('endsAt', '<=', now)
      .limit(limit)
      .execute(),

  findGroup: (db: Kysely<DB>, groupKey: string) =>
    db.selectFrom('alertGroups').selectAll().where('groupKey', '=', groupKey).executeTakeFirst(),
  findGroups: (db: Kysely<DB>, groupKeys: string[]) =>
    groupKeys.length === 0
      ? Promise.resolve([])
      : db.selectFrom('alertGroups').selectAll().where('groupKey', 'in', groupKeys).execute(),
  insertGroupsIfMissing: async (db: Kysely<DB>, rows: GroupRow[]) => {
    for (let i = 0; i < rows.length; i += 200)
      await db
        .insertInto('alertGroups')
        .values(rows.slice(i, i + 200))
        .onConflict((oc) => oc.column('groupKey').doNothing())
        .execute();
  },
  updateGroup: (db: Kysely<DB>, groupKey: string, patch: Partial<GroupRow>) =>
    db.updateTable('alertGroups').set(patch).where('groupKey', '=', groupKey).execute(),
  /**
   * Sets the next flush only when none is planned (or a later one is), so a flush is never postponed.
   * Returns whether this call set it.
   */
  planFlush: async (db: Kysely<DB>, groupKey: string, at: number, now: number): Promise<boolean> => {
    const r = await db
      .updateTable('alertGroups')
      .set({ nextFlushAt: at, updatedAt: now })
      .where('groupKey', '=', groupKey)
      .where((eb) => eb.or([eb('nextFlushAt', 'is', null), eb('nextFlushAt', '>', at)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  /** Marks the planned flush done, if it is still the one planned (compare-and-set across instances). */
  completeFlush: async (db: Kysely<DB>, groupKey: string, planned: number, now: number): Promise<boolean> => {
    const r = await db
      .updateTable('alertGroups')
      .set({ nextFlushAt: null, lastFlushAt: now, updatedAt: now })
      .where('groupKey', '=', groupKey)
      .where('nextFlushAt', '=', planned)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  findMember: (db: Kysely<DB>, groupKey: string, alertId: string) =>
    db
      .selectFrom('alertGroupMembers')
      .selectAll()
      .where('groupKey', '=', groupKey)
      .where('alertId', '=', alertId)
      .executeTakeFirst(),
  insertMembers: async (db: Kysely<DB>, rows: MemberRow[]) => {
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insertInto('alertGroupMembers')
        .values(rows.slice(i, i + 500))
        .onConflict((oc) => oc.columns(['groupKey', 'alertId']).doNothing())
        .execute();
  },
  /** Records that the alert changed: the group's next flush carries it. */
  bumpMembers: (db: Kysely<DB>, alertId: string) =>
    db
      .updateTable('alertGroupMembers')
      .set({ version: sql`version + 1` })
      .where('alertId', '=', alertId)
      .returning(['groupKey'])
      .execute(),
  groupKeysOf: (db: Kysely<DB>, alertIds: string[]) =>
    alertIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('alertGroupMembers')
          .select(['alertId', 'groupKey'])
          .where('alertId', 'in', alertIds)
          .execute(),
  /** Members changed since their last hand-over, with their alerts. */
  pendingMembers: (db: Kysely<DB>, groupKey: string) =>
    db
      .selectFrom('alertGroupMembers')
      .innerJoin('alerts', 'alerts.id', 'alertGroupMembers.alertId')
      .selectAll('alerts')
      .select(['alertGroupMembers.version', 'alertGroupMembers.handedAt'])
      .where('alertGroupMembers.groupKey', '=', groupKey)
      .whereRef('alertGroupMembers.version', '>', 'alertGroupMembers.flushedVersion')
      .orderBy('alerts.id')
      .limit(5000)
      .execute(),
  /** Marks members handed over at their read version: one statement per distinct version and 500 members. */
  markHanded: async (
    db: Kysely<DB>,
    groupKey: string,
    handed: readonly { alertId: string; version: number }[],
    now: number,
  ) => {
    const byVersion = new Map<number, string[]>();
    for (const h of handed) byVersion.set(h.version, [...(byVersion.get(h.version) ?? []), h.alertId]);
    for (const [version, ids] of byVersion)
      for (let i = 0; i < ids.length; i += 500)
        await db
          .updateTable('alertGroupMembers')
          .set((eb) => ({
            flushedVersion: version,
            handedAt: eb.fn.coalesce('handedAt', sql<number>`${now}`),
          }))
          .where('groupKey', '=', groupKey)
          .where('alertId', 'in', ids.slice(i, i + 500))
          .where('flushedVersion', '<', version)
          .execute();
  },
  dropMember: (db: Kysely<DB>, groupKey: string, alertId: string) =>
    db
      .deleteFrom('alertGroupMembers')
      .where('groupKey', '=', groupKey)
      .where('alertId', '=', alertId)
      .execute(),
};

export type AlertsRepo = typeof alertsRepo;
