import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Actor } from '../../platform/audit/audit.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { badRequest, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { IncidentsRepo } from './incidents.repo.ts';
import type {
  ActionItem,
  actionItemBody,
  Review,
  reviewBody,
  updateActionItemBody,
} from './incidents.schemas.ts';
import { REVIEW_REQUIRED } from './incidents.service.ts';
import type { Severity } from './intake.ts';
import { reviewRepo } from './review.repo.ts';
import type { Recorder } from './timeline.ts';

export interface ReviewServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  incidents: Pick<IncidentsRepo, 'findRow'>;
  resolveId: (ex: Kysely<DB>, idOrRef: string) => Promise<string>;
  record: Recorder;
  users: { findUserById(db: Kysely<DB>, id: string): Promise<unknown> };
}

const EMPTY = {
  summary: '',
  customerImpact: '',
  timeline: '',
  rootCause: '',
  contributingFactors: '',
  wentWell: '',
  wentBadly: '',
};

/** Is the review complete (what closing a P1/P2 needs)? */
export async function reviewComplete(db: Kysely<DB>, incidentId: string): Promise<boolean> {
  const row = await reviewRepo.find(db, incidentId);
  return !!row?.completedAt;
}

/** The post-incident review: a fixed template, and action items tracked to done. */
export function createReviewService(deps: ReviewServiceDeps) {
  const { db, clock, record } = deps;

  async function mustIncident(ex: Kysely<DB>, idOrRef: string) {
    const row = await deps.incidents.findRow(ex, await deps.resolveId(ex, idOrRef));
    if (!row) throw notFound('Incident', idOrRef);
    return row;
  }
  async function read(ex: Kysely<DB>, incidentId: string, severity: string): Promise<Review> {
    const row = await reviewRepo.find(ex, incidentId);
    const items = await reviewRepo.listItems(ex, incidentId);
    return {
      ...EMPTY,
      completedAt: null,
      updatedAt: null,
      ...row,
      incidentId,
      required: REVIEW_REQUIRED.includes(severity as Severity),
      actionItems: items as ActionItem[],
    };
  }
  async function checkOwner(ex: Kysely<DB>, ownerId: string | null | undefined) {
    if (ownerId && !(await deps.users.findUserById(ex, ownerId)))
      throw badRequest(`owner: user ${ownerId} does not exist`);
  }

  return {
    async get(idOrRef: string): Promise<Review> {
      const incident = await mustIncident(db, idOrRef);
      return read(db, incident.id, incident.severity);
    },

    save: (actor: Actor, idOrRef: string, input: z.output<typeof reviewBody>) =>
      db.transaction().execute(async (trx) => {
        const incident = await mustIncident(trx, idOrRef);
        const now = clock.now();
        const { completed, ...fields } = input;
        if (completed) {
          const missing = (['summary', 'customerImpact', 'rootCause'] as const).filter(
            (k) => !fields[k].trim(),
          );
          if (missing.length > 0)
            throw badRequest(`A complete review needs ${missing.join(', ')}`, { missing });
        }
        const before = await reviewRepo.find(trx, incident.id);
        await reviewRepo.upsert(trx, {
          incidentId: incident.id,
          ...fields,
          completedAt: completed ? (before?.completedAt ?? now) : null,
          updatedAt: now,
        });
        const becameComplete = completed && !before?.completedAt;
        await record(trx, incident.id, actor, becameComplete ? 'review_completed' : 'review_updated', {
          completed,
        });
        return read(trx, incident.id, incident.severity);
      }),

    addItem: (actor: Actor, idOrRef: string, input: z.output<typeof actionItemBody>) =>
      db.transaction().execute(async (trx) => {
        const incident = await mustIncident(trx, idOrRef);
        await checkOwner(trx, input.ownerId);
        const now = clock.now();
        const id = newId();
        await reviewRepo.insertItem(trx, {
          id,
          incidentId: incident.id,
          ...input,
          state: 'open',
          doneAt: null,
          createdAt: now,
          updatedAt: now,
        });
        await record(trx, incident.id, actor, 'action_item', {
          itemId: id,
          title: input.title,
          change: 'added',
        });
        return read(trx, incident.id, incident.severity);
      }),

    updateItem: (
      actor: Actor,
      idOrRef: string,
      itemId: string,
      input: z.output<typeof updateActionItemBody>,
    ) =>
      db.transaction().execute(async (trx) => {
        const incident = await mustIncident(trx, idOrRef);
        const item = await reviewRepo.findItem(trx, itemId);
        if (!item || item.incidentId !== incident.id) throw notFound('Action item', itemId);
        await checkOwner(trx, input.ownerId);
        const now = clock.now();
        const doneAt =
          input.state === undefined ? item.doneAt : input.state === 'done' ? (item.doneAt ?? now) : null;
        await reviewRepo.updateItem(trx, itemId, { ...input, doneAt, updatedAt: now });
        await record(trx, incident.id, actor, 'action_item', {
          itemId,
          title: input.title ?? item.title,
          change: input.state && input.state !== item.state ? input.state : 'updated',
        });
        return read(trx, incident.id, incident.severity);
      }),
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;
