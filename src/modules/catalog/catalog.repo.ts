import { type Kysely, type Selectable, sql } from 'kysely';
import type { DB, ServicesTable, TeamsTable } from '../../platform/db/schema.ts';

export type TeamRow = Selectable<TeamsTable>;
export type ServiceRow = Selectable<ServicesTable>;

export interface ServiceFilter {
  q?: string | undefined;
  teamId?: string | undefined;
  tier?: number | undefined;
  tag?: string | undefined;
}

/** A LIKE pattern matching `text` anywhere, with LIKE's wildcards in it taken literally (both engines). */
const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** SQL for teams, team members and services. */
export const catalogRepo = {
  listTeams: (db: Kysely<DB>) => db.selectFrom('teams').selectAll().orderBy('name').execute(),
  findTeam: (db: Kysely<DB>, id: string) =>
    db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst(),
  insertTeam: (db: Kysely<DB>, row: TeamRow) => db.insertInto('teams').values(row).execute(),
  updateTeam: (db: Kysely<DB>, id: string, patch: Partial<TeamRow>) =>
    db.updateTable('teams').set(patch).where('id', '=', id).returningAll().executeTakeFirst(),
  deleteTeam: (db: Kysely<DB>, id: string) => db.deleteFrom('teams').where('id', '=', id).execute(),

  /** Members of the given teams (all teams when `teamIds` is undefined), with their user names. */
  listMembers: (db: Kysely<DB>, teamIds?: string[]) => {
    let q = db
      .selectFrom('teamMembers')
      .innerJoin('users', 'users.id', 'teamMembers.userId')
      .select([
        'teamMembers.teamId',
        'teamMembers.userId',
        'teamMembers.role',
        'users.username',
        'users.displayName',
      ])
      .orderBy('users.username');
    if (teamIds) q = q.where('teamMembers.teamId', 'in', teamIds.length ? teamIds : ['']);
    return q.execute();
  },
  upsertMember: (db: Kysely<DB>, row: { teamId: string; userId: string; role: string; createdAt: number }) =>
    db
      .insertInto('teamMembers')
      .values(row)
      .onConflict((oc) => oc.columns(['teamId', 'userId']).doUpdateSet({ role: row.role }))
      .execute(),
  deleteMember: async (db: Kysely<DB>, teamId: string, userId: string): Promise<boolean> => {
    const r = await db
      .deleteFrom('teamMembers')
      .where('teamId', '=', teamId)
      .where('userId', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },

  listServices: (db: Kysely<DB>, f: ServiceFilter) => {
    let q = db
      .selectFrom('services')
      .leftJoin('teams', 'teams.id', 'services.ownerTeamId')
      .selectAll('services')
      .select('teams.name as ownerTeamName');
    if (f.q) {
      const like = containsPattern(f.q.toLowerCase());
      q = q.where(
        sql<boolean>`(lower(services.name) like ${like} escape '\\' or lower(services.description) like ${like} escape '\\')`,
      );
    }
    if (f.teamId) q = q.where('services.ownerTeamId', '=', f.teamId);
    if (f.tier) q = q.where('services.tier', '=', f.tier);
    // Tags are a JSON array in text on both engines; the quoted form matches one whole tag. Lower-cased on
    // both sides, like `q`: SQLite's LIKE ignores ASCII case and PostgreSQL's does not.
    if (f.tag) {
      const like = containsPattern(JSON.stringify(f.tag.toLowerCase()));
      q = q.where(sql<boolean>`lower(services.tags) like ${like} escape '\\'`);
    }
    return q.orderBy('services.name').execute();
  },
  findService: (db: Kysely<DB>, id: string) =>
    db
      .selectFrom('services')
      .leftJoin('teams', 'teams.id', 'services.ownerTeamId')
      .selectAll('services')
      .select('teams.name as ownerTeamName')
      .where('services.id', '=', id)
      .executeTakeFirst(),
  /** Ids of the services with these names (a `service` label names its catalog service). */
  serviceIdsByName: async (db: Kysely<DB>, names: readonly string[]): Promise<Map<string, string>> => {
    if (names.length === 0) return new Map();
    const rows = await db.selectFrom('services').select(['id', 'name']).where('name', 'in', names).execute();
    return new Map(rows.map((r) => [r.name, r.id]));
  },
  insertService: (db: Kysely<DB>, row: ServiceRow) => db.insertInto('services').values(row).execute(),
  updateService: (db: Kysely<DB>, id: string, patch: Partial<ServiceRow>) =>
    db.updateTable('services').set(patch).where('id', '=', id).execute(),
  deleteService: (db: Kysely<DB>, id: string) => db.deleteFrom('services').where('id', '=', id).execute(),
  countServicesOfTeam: async (db: Kysely<DB>, teamId: string): Promise<number> => {
    const r = await db
      .selectFrom('services')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('ownerTeamId', '=', teamId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
};

export type CatalogRepo = typeof catalogRepo;
