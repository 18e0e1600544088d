import { type Kysely, type Selectable, sql } from 'kysely';
import type {
  DB,
  IncidentAlertsTable,
  IncidentEventsTable,
  IncidentSeveritiesTable,
  IncidentsTable,
} from '../../platform/db/schema.ts';
import type { ListQuery } from './incidents.schemas.ts';

export type IncidentRow = Selectable<IncidentsTable>;
export type IncidentAlertRow = Selectable<IncidentAlertsTable>;
export type EventRow = Selectable<IncidentEventsTable>;
export type SeverityRow = Selectable<IncidentSeveritiesTable>;
export type IncidentView = IncidentRow & {
  serviceName: string | null;
  teamName: string | null;
  assigneeName: string | null;
  commanderName: string | null;
};

const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function withNames(db: Kysely<DB>) {
  return db
    .selectFrom('incidents')
    .leftJoin('services', 'services.id', 'incidents.serviceId')
    .leftJoin('teams', 'teams.id', 'incidents.teamId')
    .leftJoin('users as assignee', 'assignee.id', 'incidents.assigneeId')
    .leftJoin('users as commander', 'commander.id', 'incidents.commanderId')
    .selectAll('incidents')
    .select([
      'services.name as serviceName',
      'teams.name as teamName',
      'assignee.displayName as assigneeName',
      'commander.displayName as commanderName',
    ]);
}

/** SQL for incidents, their alerts and timeline, and the response targets per severity. */
export const incidentsRepo = {
  /** The next human number; the counter row's lock orders concurrent openings on PostgreSQL. */
  async nextNumber(db: Kysely<DB>): Promise<number> {
    const row = await db
      .updateTable('incidentCounters')
      .set({ value: sql`value + 1` })
      .where('name', '=', 'incident')
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(row.value);
  },
  insertIncident: (db: Kysely<DB>, row: IncidentRow) => db.insertInto('incidents').values(row).execute(),
  /** Inserts an incident of an alert group unless the group already has an open one; true if inserted. */
  async insertIfGroupFree(db: Kysely<DB>, row: IncidentRow): Promise<boolean> {
    const r = await db
      .insertInto('incidents')
      .values(row)
      .onConflict((oc) => oc.column('openGroupKey').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  },
  findRow: (db: Kysely<DB>, id: string) =>
    db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst(),
  findView: (db: Kysely<DB>, id: string): Promise<IncidentView | undefined> =>
    withNames(db).where('incidents.id', '=', id).executeTakeFirst(),
  findIdByNumber: async (db: Kysely<DB>, n: number): Promise<string | undefined> =>
    (await db.selectFrom('incidents').select('id').where('number', '=', n).executeTakeFirst())?.id,
  findOpenByGroupKey: (db: Kysely<DB>, key: string) =>
    db.selectFrom('incidents').selectAll().where('openGroupKey', '=', key).executeTakeFirst(),
  findLatestByGroupKey: (db: Kysely<DB>, key: string) =>
    db
      .selectFrom('incidents')
      .selectAll()
      .where('groupKey', '=', key)
      .orderBy('createdAt', 'desc')
      .limit(1)
      .executeTakeFirst(),

  /**
   * Updates only while the incident is still in one of `states` (and, if given, in the same escalation
   * generation), so two instances acting at once change it once; returns whether this call did.
   */
  async updateIf(
    db: Kysely<DB>,
    id: string,
    patch: Partial<IncidentRow>,
    cond: { states?: readonly string[]; gen?: number } = {},
  ): Promise<boolean> {
    let q = db.updateTable('incidents').set(patch).where('id', '=', id);
    if (cond.states) q = q.where('state', 'in', [...cond.states]);
    if (cond.gen !== undefined) q = q.where('escalationGen', '=', cond.gen);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  /** Points the incidents merged into `fromId` at `toId` (a merge keeps one level of parents). */
  reparent: (db: Kysely<DB>, fromId: string, toId: string) =>
    db.updateTable('incidents').set({ parentId: toId }).where('parentId', '=', fromId).execute(),
  clearChildGroupKeys: (db: Kysely<DB>, parentId: string) =>
    db.updateTable('incidents').set({ openGroupKey: null }).where('parentId', '=', parentId).execute(),

  async list(db: Kysely<DB>, q: ListQuery): Promise<IncidentView[]> {
    let query = withNames(db);
    if (q.state?.length) query = query.where('incidents.state', 'in', q.state);
    if (q.severity?.length) query = query.where('incidents.severity', 'in', q.severity);
    if (q.serviceId) query = query.where('incidents.serviceId', '=', q.serviceId);
    if (q.teamId) query = query.where('incidents.teamId', '=', q.teamId);
    if (q.from !== undefined) query = query.where('incidents.createdAt', '>=', q.from);
    if (q.to !== undefined) query = query.where('incidents.createdAt', '<', q.to);
    if (q.before) query = query.where('incidents.id', '<', q.before);
    if (q.q) {
      const like = containsPattern(q.q.toLowerCase());
      query = query.where(sql<boolean>`lower(incidents.title) like ${like} escape '\\'`);
    }
    return query.orderBy('incidents.id', 'desc').limit(q.limit).execute();
  },

  findAlert: (db: Kysely<DB>, incidentId: string, alertId: string) =>
    db
      .selectFrom('incidentAlerts')
      .selectAll()
      .where('incidentId', '=', incidentId)
      .where('alertId', '=', alertId)
      .executeTakeFirst(),
  insertAlert: (db: Kysely<DB>, row: IncidentAlertRow) =>
    db
      .insertInto('incidentAlerts')
      .values(row)
      .onConflict((oc) => oc.columns(['incidentId', 'alertId']).doNothing())
      .execute(),
  /** The incident's rows for these alerts, in one statement per 500 ids (an alert storm hands many). */
  findAlerts: async (db: Kysely<DB>, incidentId: string, alertIds: readonly string[]) => {
    const out: IncidentAlertRow[] = [];
    for (let i = 0; i < alertIds.length; i += 500)
      out.push(
        ...(await db
          .selectFrom('incidentAlerts')
          .selectAll()
          .where('incidentId', '=', incidentId)
          .where('alertId', 'in', alertIds.slice(i, i + 500))
          .execute()),
      );
    return out;
  },
  insertAlerts: async (db: Kysely<DB>, rows: readonly IncidentAlertRow[]) => {
    for (let i = 0; i < rows.length; i += 200)
      await db
        .insertInto('incidentAlerts')
        .values(rows.slice(i, i + 200))
        .onConflict((oc) => oc.columns(['incidentId', 'alertId']).doNothing())
        .execute();
  },
  updateAlert: (db: Kysely<DB>, incidentId: string, alertId: string, patch: Partial<IncidentAlertRow>) =>
    db
      .updateTable('incidentAlerts')
      .set(patch)
      .where('incidentId', '=', incidentId)
      .where('alertId', '=', alertId)
      .execute(),
  listAlerts: (db: Kysely<DB>, incidentId: string) =>
    db
      .selectFrom('incidentAlerts')
      .selectAll()
      .where('incidentId', '=', incidentId)
      .orderBy('attachedAt')
      .execute(),
  async countFiring(db: Kysely<DB>, incidentId: string): Promise<{ total: number; firing: number }> {
    const r = await db
      .selectFrom('incidentAlerts')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn.count<number>('alertId').filterWhere('status', '=', 'firing').as('firing'),
      ])
      .where('incidentId', '=', incidentId)
      .executeTakeFirstOrThrow();
    return { total: Number(r.total), firing: Number(r.firing) };
  },
  /** Moves a merged incident's alerts to its parent (an alert already on the parent stays there once). */
  async moveAlerts(db: Kysely<DB>, fromId: string, toId: string): Promise<number> {
    const onParent = db.selectFrom('incidentAlerts').select('alertId').where('incidentId', '=', toId);
    const r = await db
      .updateTable('incidentAlerts')
      .set({ incidentId: toId })
      .where('incidentId', '=', fromId)
      .where('alertId', 'not in', onParent)
      .executeTakeFirst();
    await db.deleteFrom('incidentAlerts').where('incidentId', '=', fromId).execute();
    return Number(r.numUpdatedRows);
  },

  /** Appends to the timeline; with a dedupe key an event already recorded is not added again. */
  async appendEvent(db: Kysely<DB>, row: EventRow): Promise<boolean> {
    const r = await db
      .insertInto('incidentEvents')
      .values(row)
      .onConflict((oc) => oc.column('dedupeKey').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  },
  /** Appends events; one whose dedupe key was already used is skipped, as `appendEvent` does. */
  async appendEvents(db: Kysely<DB>, rows: readonly EventRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 200)
      await db
        .insertInto('incidentEvents')
        .values(rows.slice(i, i + 200))
        .onConflict((oc) => oc.column('dedupeKey').doNothing())
        .execute();
  },
  listEvents: (db: Kysely<DB>, incidentId: string) =>
    db
      .selectFrom('incidentEvents')
      .selectAll()
      .where('incidentId', '=', incidentId)
      .orderBy('at')
      .orderBy('id')
      .execute(),

  listSeverities: (db: Kysely<DB>) =>
    db.selectFrom('incidentSeverities').selectAll().orderBy('severity').execute(),
  findSeverity: (db: Kysely<DB>, severity: string) =>
    db
      .selectFrom('incidentSeverities')
      .selectAll()
      .where('severity', '=', severity)
      .executeTakeFirstOrThrow(),
  updateSeverity: (db: Kysely<DB>, severity: string, patch: Partial<SeverityRow>) =>
    db.updateTable('incidentSeverities').set(patch).where('severity', '=', severity).execute(),
};

export type IncidentsRepo = typeof incidentsRepo;
