import type { Kysely } from 'kysely';
import { z } from 'zod';
import { access } from '../auth/roles.ts';
import type { DB } from '../db/schema.ts';
import type { Api } from '../http/api.ts';
import type { AuditRepo } from './audit.repo.ts';

const auditQuery = z.strictObject({
  actorId: z.uuid().optional(),
  entityType: z.string().max(64).optional(),
  entityId: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  from: z.coerce.number().int().nonnegative().optional().describe('epoch ms, inclusive'),
  to: z.coerce.number().int().nonnegative().optional().describe('epoch ms, exclusive'),
  before: z.uuid().optional().describe('cursor: the id of the last entry of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const auditEntry = z.object({
  id: z.string(),
  at: z.number(),
  actorId: z.string().nullable(),
  actorName: z.string(),
  actorKind: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
});

/** Read-only access to the append-only audit log, newest first, filtered by user, entity and time. */
export function registerAuditRoutes(app: Api, db: Kysely<DB>, repo: Pick<AuditRepo, 'list'>): void {
  app.get(
    '/api/v1/audit',
    {
      config: { access: access.roles('admin', 'manager') },
      schema: {
        tags: ['audit'],
        querystring: auditQuery,
        response: { 200: z.object({ items: z.array(auditEntry), nextBefore: z.string().nullable() }) },
      },
    },
    async (req) => {
      const items = await repo.list(db, req.query);
      const last = items.at(-1);
      return { items, nextBefore: items.length === req.query.limit && last ? last.id : null };
    },
  );
}
