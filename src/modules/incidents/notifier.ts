import type { Kysely } from 'kysely';
import { systemActor } from '../../platform/audit/audit.repo.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { ResolvedTarget } from '../oncall/index.ts';
import type { Recorder } from './timeline.ts';

/** One page an escalation step asks for: who, about which incident, from which step. */
export interface PageRequest {
  incident: { id: string; ref: string; title: string; severity: string };
  target: ResolvedTarget;
  step: { index: number; round: number };
  /** Unique per incident, escalation generation, step and person: a page is sent once. */
  dedupeKey: string;
}

/**
 * Where escalation hands its pages. It is called inside the escalation step's transaction, so an
 * implementation that queues messages (an outbox row) commits them together with the step.
 */
export interface Notifier {
  page(ex: Kysely<DB>, request: PageRequest): Promise<void>;
  /** Tells the people paged that the incident is over (inside the resolving transaction). */
  resolved?(
    ex: Kysely<DB>,
    request: { incidentId: string; resolvedAt: number; resolvedBy: string },
  ): Promise<void>;
}

/** Until delivery channels exist, a page is a "would notify" line on the timeline. */
export function createTimelineNotifier(record: Recorder): Notifier {
  return {
    async page(ex, { incident, target, step, dedupeKey }) {
      await record(
        ex,
        incident.id,
        systemActor('escalation'),
        'notification',
        {
          status: 'would_notify',
          method: 'default',
          userId: target.userId,
          userName: target.name,
          via: target.via,
          step: step.index + 1,
          round: step.round + 1,
          text: `would notify ${target.name} by default method`,
        },
        dedupeKey,
      );
    },
  };
}
