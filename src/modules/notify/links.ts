import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { randomSecret, safeEqual } from '../../platform/auth/secrets.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { NotifyRepo } from './notify.repo.ts';
import type { IncidentAction } from './ports.ts';

/**
 * One-click links: `<id>.<signature>`, the signature an HMAC-SHA256 of the id under a server key. The
 * id names a row (incident, action, person, expiry, used-at), so a link cannot be forged (no key),
 * stretched (the expiry is in our row, not in the link) or replayed (the first use stamps the row).
 */
export type LinkCheck =
  | {
      status: 'ok';
      id: string;
      incidentId: string;
      action: IncidentAction;
      userId: string | null;
      expiresAt: number;
    }
  | { status: 'forged' }
  | { status: 'expired' | 'used'; userId: string | null };

const PURPOSE = 'steady.action-link.v1';

export interface ActionLinksDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: Pick<NotifyRepo, 'getOrCreateKey' | 'insertActionToken' | 'findActionToken' | 'useActionToken'>;
  configuredSecret: string;
  ttlMs: number;
  baseUrl: string;
}

export function createActionLinks(deps: ActionLinksDeps) {
  const { db, clock, repo } = deps;
  let cached: string | undefined;
  /**
   * The configured key, else one generated once and shared through the database, so every instance
   * signs and checks alike. Read through the caller's executor: links are issued inside the escalation
   * step's transaction, and on SQLite a second connection would wait for it.
   */
  const getKey = async (ex: Kysely<DB>): Promise<string> => {
    if (deps.configuredSecret) return deps.configuredSecret;
    if (cached) return cached;
    const value = await repo.getOrCreateKey(ex, 'action-links', randomSecret(32), clock.now());
    if (ex === db) cached = value;
    return value;
  };
  const sign = (k: string, id: string) =>
    createHmac('sha256', k).update(`${PURPOSE}.${id}`).digest('base64url');

  return {
    /** A link for `action` on the incident, for the person paged; written in the caller's transaction. */
    async issue(
      ex: Kysely<DB>,
      incidentId: string,
      action: IncidentAction,
      userId: string | null,
    ): Promise<string> {
      const id = randomSecret(18);
      const now = clock.now();
      await repo.insertActionToken(ex, {
        id,
        incidentId,
        action,
        userId,
        expiresAt: now + deps.ttlMs,
        createdAt: now,
      });
      return `${deps.baseUrl.replace(/\/+$/, '')}/notify/a/${id}.${sign(await getKey(ex), id)}`;
    },

    async check(token: string): Promise<LinkCheck> {
      const [id, signature, extra] = token.split('.');
      if (!id || !signature || extra !== undefined) return { status: 'forged' };
      if (!safeEqual(signature, sign(await getKey(db), id))) return { status: 'forged' };
      const row = await repo.findActionToken(db, id);
      if (!row) return { status: 'forged' };
      if (row.usedAt !== null) return { status: 'used', userId: row.userId };
      if (row.expiresAt <= clock.now()) return { status: 'expired', userId: row.userId };
      return {
        status: 'ok',
        id,
        incidentId: row.incidentId,
        action: row.action as IncidentAction,
        userId: row.userId,
        expiresAt: row.expiresAt,
      };
    },

    /** Stamps the link used; only the first caller gets true. */
    consume: (id: string) => repo.useActionToken(db, id, clock.now()),
  };
}

export type ActionLinks = ReturnType<typeof createActionLinks>;
