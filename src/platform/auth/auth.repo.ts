import type { Kysely, Selectable } from 'kysely';
import type { ApiTokensTable, DB, SessionsTable, UsersTable } from '../db/schema.ts';

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;

/** SQL for users, sessions, API tokens and login attempts; every function takes its executor first. */
export const authRepo = {
  countUsers: async (db: Kysely<DB>): Promise<number> => {
    const r = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
  insertUser: (db: Kysely<DB>, row: UserRow) => db.insertInto('users').values(row).execute(),
  updateUser: (db: Kysely<DB>, id: string, patch: Partial<UserRow>) =>
    db.updateTable('users').set(patch).where('id', '=', id).returningAll().executeTakeFirst(),
  findUserById: (db: Kysely<DB>, id: string) =>
    db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
  findUserByUsername: (db: Kysely<DB>, username: string) =>
    db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst(),
  listUsers: (db: Kysely<DB>) => db.selectFrom('users').selectAll().orderBy('username').execute(),

  insertSession: (db: Kysely<DB>, row: SessionRow) => db.insertInto('sessions').values(row).execute(),
  /** The session and its user, when the session exists, has not expired and the user is enabled. */
  findLiveSession: (db: Kysely<DB>, id: string, now: number) =>
    db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.userId')
      .selectAll('users')
      .select(['sessions.id as sessionId', 'sessions.csrfToken', 'sessions.lastSeenAt'])
      .where('sessions.id', '=', id)
      .where('sessions.expiresAt', '>', now)
      .where('users.disabledAt', 'is', null)
      .executeTakeFirst(),
  touchSession: (db: Kysely<DB>, id: string, now: number, expiresAt: number) =>
    db.updateTable('sessions').set({ lastSeenAt: now, expiresAt }).where('id', '=', id).execute(),
  deleteSession: (db: Kysely<DB>, id: string) => db.deleteFrom('sessions').where('id', '=', id).execute(),
  deleteSessionsOfUser: (db: Kysely<DB>, userId: string, exceptId?: string) => {
    let q = db.deleteFrom('sessions').where('userId', '=', userId);
    if (exceptId) q = q.where('id', '!=', exceptId);
    return q.execute();
  },
  deleteExpiredSessions: (db: Kysely<DB>, now: number) =>
    db.deleteFrom('sessions').where('expiresAt', '<=', now).execute(),

  insertToken: (db: Kysely<DB>, row: ApiTokenRow) => db.insertInto('apiTokens').values(row).execute(),
  findLiveTokenByHash: (db: Kysely<DB>, tokenHash: string, now: number) =>
    db
      .selectFrom('apiTokens')
      .innerJoin('users', 'users.id', 'apiTokens.userId')
      .selectAll('users')
      .select(['apiTokens.id as tokenId', 'apiTokens.scopes', 'apiTokens.lastUsedAt'])
      .where('apiTokens.tokenHash', '=', tokenHash)
      .where('apiTokens.revokedAt', 'is', null)
      .where((eb) => eb.or([eb('apiTokens.expiresAt', 'is', null), eb('apiTokens.expiresAt', '>', now)]))
      .where('users.disabledAt', 'is', null)
      .executeTakeFirst(),
  touchToken: (db: Kysely<DB>, id: string, now: number) =>
    db.updateTable('apiTokens').set({ lastUsedAt: now }).where('id', '=', id).execute(),
  findToken: (db: Kysely<DB>, id: string) =>
    db.selectFrom('apiTokens').selectAll().where('id', '=', id).executeTakeFirst(),
  listTokens: (db: Kysely<DB>, userId: string | null) => {
    let q = db
      .selectFrom('apiTokens')
      .innerJoin('users', 'users.id', 'apiTokens.userId')
      .selectAll('apiTokens')
      .select('users.username');
    if (userId) q = q.where('apiTokens.userId', '=', userId);
    return q.orderBy('apiTokens.createdAt', 'desc').execute();
  },
  revokeToken: (db: Kysely<DB>, id: string, now: number) =>
    db
      .updateTable('apiTokens')
      .set({ revokedAt: now })
      .where('id', '=', id)
      .where('revokedAt', 'is', null)
      .returningAll()
      .executeTakeFirst(),

  insertLoginAttempt: (
    db: Kysely<DB>,
    row: { id: string; username: string; ip: string; at: number; outcome: string },
  ) => db.insertInto('loginAttempts').values(row).execute(),
  /** Failures after `since` (a failure exactly one window old has left it, as Retry-After promised). */
  countFailedLogins: async (db: Kysely<DB>, username: string, ip: string, since: number): Promise<number> => {
    const r = await db
      .selectFrom('loginAttempts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('username', '=', username)
      .where('ip', '=', ip)
      .where('at', '>', since)
      .where('outcome', '=', 'failure')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
  /** Oldest failure still inside the window, to say when the next attempt is allowed. */
  oldestFailedLogin: (db: Kysely<DB>, username: string, ip: string, since: number) =>
    db
      .selectFrom('loginAttempts')
      .select('at')
      .where('username', '=', username)
      .where('ip', '=', ip)
      .where('at', '>', since)
      .where('outcome', '=', 'failure')
      .orderBy('at')
      .limit(1)
      .executeTakeFirst(),
  deleteLoginAttemptsBefore: (db: Kysely<DB>, before: number) =>
    db.deleteFrom('loginAttempts').where('at', '<', before).execute(),
};

export type AuthRepo = typeof authRepo;
