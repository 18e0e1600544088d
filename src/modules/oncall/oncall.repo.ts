import type { Kysely, Selectable } from 'kysely';
import type {
  DB,
  EscalationPoliciesTable,
  OncallOverridesTable,
  OncallSchedulesTable,
} from '../../platform/db/schema.ts';

export type ScheduleRow = Selectable<OncallSchedulesTable>;
export type OverrideRow = Selectable<OncallOverridesTable>;
export type PolicyRow = Selectable<EscalationPoliciesTable>;

/** SQL for schedules, overrides and escalation policies. */
export const oncallRepo = {
  listSchedules: (db: Kysely<DB>) => db.selectFrom('oncallSchedules').selectAll().orderBy('name').execute(),
  findSchedule: (db: Kysely<DB>, id: string) =>
    db.selectFrom('oncallSchedules').selectAll().where('id', '=', id).executeTakeFirst(),
  insertSchedule: (db: Kysely<DB>, row: ScheduleRow) =>
    db.insertInto('oncallSchedules').values(row).execute(),
  updateSchedule: (db: Kysely<DB>, id: string, patch: Partial<ScheduleRow>) =>
    db.updateTable('oncallSchedules').set(patch).where('id', '=', id).execute(),
  deleteSchedule: (db: Kysely<DB>, id: string) =>
    db.deleteFrom('oncallSchedules').where('id', '=', id).execute(),

  /** Overrides of a schedule that overlap [from, to). */
  listOverrides: (db: Kysely<DB>, scheduleId: string, from: number, to: number) =>
    db
      .selectFrom('oncallOverrides')
      .selectAll()
      .where('scheduleId', '=', scheduleId)
      .where('endsAt', '>', from)
      .where('startsAt', '<', to)
      .orderBy('createdAt')
      .orderBy('id')
      .execute(),
  findOverride: (db: Kysely<DB>, id: string) =>
    db.selectFrom('oncallOverrides').selectAll().where('id', '=', id).executeTakeFirst(),
  insertOverride: (db: Kysely<DB>, row: OverrideRow) =>
    db.insertInto('oncallOverrides').values(row).execute(),
  deleteOverride: (db: Kysely<DB>, id: string) =>
    db.deleteFrom('oncallOverrides').where('id', '=', id).execute(),

  listPolicies: (db: Kysely<DB>) => db.selectFrom('escalationPolicies').selectAll().orderBy('name').execute(),
  findPolicy: (db: Kysely<DB>, id: string) =>
    db.selectFrom('escalationPolicies').selectAll().where('id', '=', id).executeTakeFirst(),
  insertPolicy: (db: Kysely<DB>, row: PolicyRow) => db.insertInto('escalationPolicies').values(row).execute(),
  updatePolicy: (db: Kysely<DB>, id: string, patch: Partial<PolicyRow>) =>
    db.updateTable('escalationPolicies').set(patch).where('id', '=', id).execute(),
  deletePolicy: (db: Kysely<DB>, id: string) =>
    db.deleteFrom('escalationPolicies').where('id', '=', id).execute(),

  /** Display names of users (enabled or not: history shows who it was). */
  userNames: async (db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, string>> => {
    if (ids.length === 0) return new Map();
    const rows = await db
      .selectFrom('users')
      .select(['id', 'displayName'])
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((r) => [r.id, r.displayName]));
  },
  existingUserIds: async (db: Kysely<DB>, ids: readonly string[]): Promise<Set<string>> => {
    if (ids.length === 0) return new Set();
    const rows = await db
      .selectFrom('users')
      .select('id')
      .where('id', 'in', [...new Set(ids)])
      .where('disabledAt', 'is', null)
      .execute();
    return new Set(rows.map((r) => r.id));
  },
  existingScheduleIds: async (db: Kysely<DB>, ids: readonly string[]): Promise<Set<string>> => {
    if (ids.length === 0) return new Set();
    const rows = await db
      .selectFrom('oncallSchedules')
      .select('id')
      .where('id', 'in', [...ids])
      .execute();
    return new Set(rows.map((r) => r.id));
  },
  countPoliciesUsingSchedule: async (db: Kysely<DB>, scheduleId: string): Promise<number> => {
    // Steps are JSON text; the id is a UUID, so a plain substring match is exact enough.
    const rows = await db
      .selectFrom('escalationPolicies')
      .select('id')
      .where('steps', 'like', `%${scheduleId}%`)
      .execute();
    return rows.length;
  },
};

export type OncallRepo = typeof oncallRepo;
