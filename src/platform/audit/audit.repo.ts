import type { Kysely } from 'kysely';
import { fromJson, toJson } from '../db/constraint-errors.ts';
import type { DB } from '../db/schema.ts';
import { newId } from '../ids.ts';

/** Who made a change, carried from the request (or a background job) into the audit entry. */
export interface Actor {
  id: string | null;
  name: string;
  kind: 'user' | 'token' | 'system';
  requestId?: string | undefined;
  ip?: string | undefined;
}

export const systemActor = (name = 'system'): Actor => ({ id: null, name, kind: 'system' });

export interface AuditChange {
  action: string;
  entityType: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditEntry {
  id: string;
  at: number;
  actorId: string | null;
  actorName: string;
  actorKind: string;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  ip: string | null;
}

export interface AuditQuery {
  actorId?: string | undefined;
  entityType?: string | undefined;
  entityId?: string | undefined;
  action?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  /** Keyset cursor: the id of the last entry of the previous page (ids are time-ordered). */
  before?: string | undefined;
  limit: number;
}

/** Never redact silently what is not a secret; never store what is. */
const SECRET_KEYS = new Set(['passwordHash', 'password', 'tokenHash', 'token', 'csrfToken', 'secret']);
const redact = (value: unknown): unknown =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).filter(([k]) => !SECRET_KEYS.has(k)))
    : value;

/** The audit log is append-only: this repo can add and read, nothing else (the database enforces it too). */
export const auditRepo = {
  /** Call inside the transaction that makes the change, so the change and its record land together. */
  async append(db: Kysely<DB>, at: number, actor: Actor, change: AuditChange): Promise<void> {
    await db
      .insertInto('auditLog')
      .values({
        id: newId(),
        at,
        actorId: actor.id,
        actorName: actor.name,
        actorKind: actor.kind,
        action: change.action,
        entityType: change.entityType,
        entityId: change.entityId,
        beforeJson: change.before === undefined ? null : toJson(redact(change.before)),
        afterJson: change.after === undefined ? null : toJson(redact(change.after)),
        requestId: actor.requestId ?? null,
        ip: actor.ip ?? null,
      })
      .execute();
  },

  async list(db: Kysely<DB>, q: AuditQuery): Promise<AuditEntry[]> {
    let query = db.selectFrom('auditLog').selectAll();
    if (q.actorId) query = query.where('actorId', '=', q.actorId);
    if (q.entityType) query = query.where('entityType', '=', q.entityType);
    if (q.entityId) query = query.where('entityId', '=', q.entityId);
    if (q.action) query = query.where('action', '=', q.action);
    if (q.from !== undefined) query = query.where('at', '>=', q.from);
    if (q.to !== undefined) query = query.where('at', '<', q.to);
    if (q.before) query = query.where('id', '<', q.before);
    const rows = await query.orderBy('id', 'desc').limit(q.limit).execute();
    return rows.map(({ beforeJson, afterJson, ...row }) => ({
      ...row,
      before: fromJson(beforeJson),
      after: fromJson(afterJson),
    }));
  },
};

export type AuditRepo = typeof auditRepo;
