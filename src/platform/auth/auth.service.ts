import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Actor, AuditRepo } from '../audit/audit.repo.ts';
import type { Clock } from '../clock.ts';
import type { DB } from '../db/schema.ts';
import { AppError, tooManyRequests, unauthorized } from '../errors.ts';
import { newId } from '../ids.ts';
import type { AuthRepo, UserRow } from './auth.repo.ts';
import type { User } from './auth.schemas.ts';
import type { Locale, Principal, Role, Scope } from './roles.ts';
import { hashPassword, randomSecret, sha256, verifyPassword } from './secrets.ts';

export interface AuthServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: AuthRepo;
  audit: Pick<AuditRepo, 'append'>;
  config: Pick<Config, 'sessionTtlHours' | 'loginMaxFailures' | 'loginWindowMinutes'>;
}

/** Writes of last-seen times are throttled to one a minute, so reads stay reads. */
const TOUCH_EVERY_MS = 60_000;
/** A verify against this keeps the timing of an unknown user name equal to a wrong password. */
let dummyHash: Promise<string> | undefined;

export const toUser = (row: UserRow): User => ({
  id: row.id,
  username: row.username,
  displayName: row.displayName,
  email: row.email,
  role: row.role as Role,
  locale: row.locale as Locale,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  disabledAt: row.disabledAt,
});

export const actorOf = (p: Principal, requestId?: string, ip?: string): Actor => ({
  id: p.userId,
  name: p.kind === 'token' ? `${p.username} (token)` : p.username,
  kind: p.kind,
  requestId,
  ip,
});

/** Logins, sessions and the authentication of requests by cookie or bearer token. */
export function createAuthService(deps: AuthServiceDeps) {
  const { db, clock, repo, audit, config } = deps;
  const sessionTtlMs = config.sessionTtlHours * 3_600_000;
  const windowMs = config.loginWindowMinutes * 60_000;

  const principalOf = (
    row: UserRow,
    extra: Pick<Principal, 'kind' | 'scopes' | 'sessionId' | 'tokenId'>,
  ): Principal => ({
    ...extra,
    userId: row.id,
    username: row.username,
    displayName: row.displayName,
    role: row.role as Role,
    locale: row.locale as Locale,
  });

  return {
    /** Creates the first administrator when there are no users; returns the password if it was generated. */
    async ensureAdmin(username: string, password: string, generated: boolean): Promise<string | null> {
      if ((await repo.countUsers(db)) > 0) return null;
      const now = clock.now();
      const row: UserRow = {
        id: newId(),
        username,
        displayName: 'Administrator',
        email: null,
        role: 'admin',
        locale: 'en',
        passwordHash: await hashPassword(password),
        createdAt: now,
        updatedAt: now,
        disabledAt: null,
      };
      await db.transaction().execute(async (trx) => {
        await repo.insertUser(trx, row);
        await audit.append(
          trx,
          now,
          { id: null, name: 'system', kind: 'system' },
          {
            action: 'user.create',
            entityType: 'user',
            entityId: row.id,
            after: toUser(row),
          },
        );
      });
      return generated ? password : null;
    },

    async login(username: string, password: string, ip: string, userAgent: string | null) {
      const now = clock.now();
      const since = now - windowMs;
      const failures = await repo.countFailedLogins(db, username, ip, since);
      if (failures >= config.loginMaxFailures) {
        const oldest = await repo.oldestFailedLogin(db, username, ip, since);
        const retryAfter = Math.max(1, Math.ceil(((oldest?.at ?? now) + windowMs - now) / 1000));
        throw tooManyRequests(`Too many failed logins; try again in ${retryAfter} seconds`, retryAfter);
      }
      const user = await repo.findUserByUsername(db, username);
      dummyHash ??= hashPassword(randomSecret());
      const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash), password);
      const attempt = { id: newId(), username, ip, at: now };
      if (!user || !ok || user.disabledAt !== null) {
        await repo.insertLoginAttempt(db, { ...attempt, outcome: 'failure' });
        // The same answer for an unknown user, a wrong password and a disabled account.
        throw new AppError(
          401,
          'invalid_credentials',
          'Wrong user name or password, or the account is disabled',
        );
      }
      const token = randomSecret();
      const csrfToken = randomSecret();
      await db.transaction().execute(async (trx) => {
        await repo.insertLoginAttempt(trx, { ...attempt, outcome: 'success' });
        await repo.insertSession(trx, {
          id: sha256(token),
          userId: user.id,
          csrfToken,
          createdAt: now,
          expiresAt: now + sessionTtlMs,
          lastSeenAt: now,
          ip,
          userAgent: userAgent?.slice(0, 512) ?? null,
        });
      });
      return { token, csrfToken, user: toUser(user) };
    },

    logout: (sessionId: string) => repo.deleteSession(db, sessionId),

    /** The principal behind a session cookie, with the session's CSRF token; undefined if not live. */
    async authenticateSession(
      cookie: string,
    ): Promise<{ principal: Principal; csrfToken: string } | undefined> {
      const now = clock.now();
      const row = await repo.findLiveSession(db, sha256(cookie), now);
      if (!row) return undefined;
      if (now - row.lastSeenAt > TOUCH_EVERY_MS)
        await repo.touchSession(db, row.sessionId, now, now + sessionTtlMs);
      return {
        principal: principalOf(row, { kind: 'user', scopes: null, sessionId: row.sessionId, tokenId: null }),
        csrfToken: row.csrfToken,
      };
    },

    async authenticateToken(secret: string): Promise<Principal | undefined> {
      const now = clock.now();
      const row = await repo.findLiveTokenByHash(db, sha256(secret), now);
      if (!row) return undefined;
      if (row.lastUsedAt === null || now - row.lastUsedAt > TOUCH_EVERY_MS)
        await repo.touchToken(db, row.tokenId, now);
      return principalOf(row, {
        kind: 'token',
        scopes: JSON.parse(row.scopes) as Scope[],
        sessionId: null,
        tokenId: row.tokenId,
      });
    },

    async csrfTokenOf(principal: Principal): Promise<string> {
      if (!principal.sessionId) throw unauthorized('A console session is required');
      const row = await repo.findLiveSession(db, principal.sessionId, clock.now());
      if (!row) throw unauthorized('The session has ended');
      return row.csrfToken;
    },

    /** Housekeeping: expired sessions and old login attempts. */
    async prune(): Promise<void> {
      const now = clock.now();
      await repo.deleteExpiredSessions(db, now);
      await repo.deleteLoginAttemptsBefore(db, now - Math.max(windowMs, 24 * 3_600_000));
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
