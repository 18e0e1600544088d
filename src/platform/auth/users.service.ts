import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Actor, AuditRepo } from '../audit/audit.repo.ts';
import type { Clock } from '../clock.ts';
import type { DB } from '../db/schema.ts';
import { AppError, conflict, forbidden, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { AuthRepo, UserRow } from './auth.repo.ts';
import type {
  ApiToken,
  createTokenBody,
  createUserBody,
  User,
  updateMeBody,
  updateUserBody,
} from './auth.schemas.ts';
import { toUser } from './auth.service.ts';
import type { Principal, Scope } from './roles.ts';
import { hashPassword, randomSecret, sha256, verifyPassword } from './secrets.ts';

export interface UsersServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: AuthRepo;
  audit: Pick<AuditRepo, 'append'>;
}

/** Users, their passwords and their API tokens; every change is audited in its own transaction. */
export function createUsersService(deps: UsersServiceDeps) {
  const { db, clock, repo, audit } = deps;

  async function mustFind(trx: Kysely<DB>, id: string): Promise<UserRow> {
    const row = await repo.findUserById(trx, id);
    if (!row) throw notFound('User', id);
    return row;
  }

  /** The last enabled administrator cannot be demoted or disabled: someone must be able to fix things. */
  async function keepOneAdmin(trx: Kysely<DB>, target: UserRow): Promise<void> {
    if (target.role !== 'admin' || target.disabledAt !== null) return;
    const admins = (await repo.listUsers(trx)).filter((u) => u.role === 'admin' && u.disabledAt === null);
    if (admins.length <= 1) throw conflict('This is the last enabled administrator; make another one first');
  }

  async function update(
    actor: Actor,
    id: string,
    action: string,
    /** Reads it needs go through `trx`: on SQLite's one connection a read on `db` would wait forever. */
    patch: (row: UserRow, trx: Kysely<DB>) => Promise<Partial<UserRow>>,
  ) {
    return db.transaction().execute(async (trx) => {
      const before = await mustFind(trx, id);
      const now = clock.now();
      const after = await repo.updateUser(trx, id, { ...(await patch(before, trx)), updatedAt: now });
      if (!after) throw notFound('User', id);
      await audit.append(trx, now, actor, {
        action,
        entityType: 'user',
        entityId: id,
        before: toUser(before),
        after: toUser(after),
      });
      return { before, after };
    });
  }

  return {
    list: async (): Promise<User[]> => (await repo.listUsers(db)).map(toUser),

    get: async (id: string): Promise<User> => toUser(await mustFind(db, id)),

    async create(actor: Actor, input: z.output<typeof createUserBody>): Promise<User> {
      const now = clock.now();
      const row: UserRow = {
        id: newId(),
        username: input.username,
        displayName: input.displayName,
        email: input.email ?? null,
        role: input.role,
        locale: input.locale,
        passwordHash: await hashPassword(input.password),
        createdAt: now,
        updatedAt: now,
        disabledAt: null,
      };
      await db.transaction().execute(async (trx) => {
        if (await repo.findUserByUsername(trx, input.username)) {
          throw conflict(`User name "${input.username}" is taken`, { field: 'username' });
        }
        await repo.insertUser(trx, row);
        await audit.append(trx, now, actor, {
          action: 'user.create',
          entityType: 'user',
          entityId: row.id,
          after: toUser(row),
        });
      });
      return toUser(row);
    },

    async update(actor: Actor, id: string, input: z.output<typeof updateUserBody>): Promise<User> {
      const { after } = await update(actor, id, 'user.update', async (before, trx) => {
        if (input.role && input.role !== 'admin') await keepOneAdmin(trx, before);
        return input;
      });
      if (input.role) await repo.deleteSessionsOfUser(db, id); // a new role takes effect at the next login
      return toUser(after);
    },

    async updateMe(principal: Principal, input: z.output<typeof updateMeBody>): Promise<User> {
      const actor = { id: principal.userId, name: principal.username, kind: principal.kind };
      return toUser((await update(actor, principal.userId, 'user.update', async () => input)).after);
    },

    async setDisabled(actor: Actor, id: string, disabled: boolean): Promise<User> {
      if (disabled && actor.id === id) throw conflict('You cannot disable your own account');
      const { after } = await update(
        actor,
        id,
        disabled ? 'user.disable' : 'user.enable',
        async (before, trx) => {
          if (disabled) await keepOneAdmin(trx, before);
          return { disabledAt: disabled ? (before.disabledAt ?? clock.now()) : null };
        },
      );
      if (disabled) await repo.deleteSessionsOfUser(db, id);
      return toUser(after);
    },

    async resetPassword(actor: Actor, id: string, newPassword: string): Promise<void> {
      const passwordHash = await hashPassword(newPassword);
      await update(actor, id, 'user.password_reset', async () => ({ passwordHash }));
      await repo.deleteSessionsOfUser(db, id);
    },

    /** Changing one's own password ends one's other sessions, not this one. */
    async changeOwnPassword(principal: Principal, current: string, next: string): Promise<void> {
      const row = await mustFind(db, principal.userId);
      if (!(await verifyPassword(row.passwordHash, current))) {
        throw new AppError(400, 'wrong_password', 'The current password is wrong', {
          field: 'currentPassword',
        });
      }
      const passwordHash = await hashPassword(next);
      const actor = { id: principal.userId, name: principal.username, kind: principal.kind };
      await update(actor, principal.userId, 'user.password_change', async () => ({ passwordHash }));
      await repo.deleteSessionsOfUser(db, principal.userId, principal.sessionId ?? undefined);
    },

    async listTokens(principal: Principal, all: boolean): Promise<ApiToken[]> {
      if (all && principal.role !== 'admin') throw forbidden('Only administrators can list every token');
      const rows = await repo.listTokens(db, all ? null : principal.userId);
      return rows.map(({ tokenHash: _, scopes, ...t }) => ({ ...t, scopes: JSON.parse(scopes) as Scope[] }));
    },

    /** The secret is returned once and stored only as its hash. */
    async createToken(principal: Principal, actor: Actor, input: z.output<typeof createTokenBody>) {
      const now = clock.now();
      const secret = `stdy_${randomSecret(24)}`;
      const row = {
        id: newId(),
        name: input.name,
        tokenHash: sha256(secret),
        prefix: secret.slice(0, 9),
        scopes: JSON.stringify([...new Set(input.scopes)].sort()),
        userId: principal.userId,
        createdAt: now,
        expiresAt: input.expiresInDays ? now + input.expiresInDays * 86_400_000 : null,
        lastUsedAt: null,
        revokedAt: null,
      };
      const { tokenHash: _, ...visible } = row;
      const token: ApiToken = { ...visible, username: principal.username, scopes: JSON.parse(row.scopes) };
      await db.transaction().execute(async (trx) => {
        await repo.insertToken(trx, row);
        await audit.append(trx, now, actor, {
          action: 'token.create',
          entityType: 'api_token',
          entityId: row.id,
          after: token,
        });
      });
      return { token, secret };
    },

    async revokeToken(principal: Principal, actor: Actor, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const token = await repo.findToken(trx, id);
        if (!token) throw notFound('API token', id);
        if (token.userId !== principal.userId && principal.role !== 'admin') {
          throw forbidden('Only the owner or an administrator can revoke this token');
        }
        const now = clock.now();
        const revoked = await repo.revokeToken(trx, id, now);
        if (!revoked) throw conflict('The token is already revoked');
        await audit.append(trx, now, actor, {
          action: 'token.revoke',
          entityType: 'api_token',
          entityId: id,
          before: { revokedAt: null },
          after: { revokedAt: now },
        });
      });
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
