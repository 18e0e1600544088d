import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/audit/audit.repo.ts';
import { toJson } from '../../platform/db/constraint-errors.ts';
import type { DB } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import type { EventRow, IncidentsRepo } from './incidents.repo.ts';

/** What can happen to an incident; each is one row of its append-only timeline. */
export const EVENT_KINDS = [
  'opened',
  'alert_attached',
  'alert_resolved',
  'alert_refired',
  'all_alerts_resolved',
  'acknowledged',
  'escalated',
  'escalation_requested',
  'escalation_no_target',
  'escalation_exhausted',
  'notification',
  'notification_delivery',
  're_triggered',
  'note',
  'severity_changed',
  'assigned',
  'commander_set',
  'service_changed',
  'sla_breached',
  'resolved',
  'reopened',
  'closed',
  'merged',
  'merged_into',
  'review_updated',
  'review_completed',
  'action_item',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export type Recorder = (
  ex: Kysely<DB>,
  incidentId: string,
  actor: Actor,
  kind: EventKind,
  data?: Record<string, unknown>,
  dedupeKey?: string,
) => Promise<boolean>;

/** One timeline row, for writers that append many at once (`IncidentsRepo.appendEvents`). */
export const timelineRow = (
  incidentId: string,
  at: number,
  actor: Actor,
  kind: EventKind,
  data: Record<string, unknown> = {},
  dedupeKey?: string,
): EventRow => ({
  id: newId(),
  incidentId,
  at,
  kind,
  actorId: actor.id,
  actorName: actor.name,
  data: toJson(data),
  dedupeKey: dedupeKey ?? null,
});

/** Appends one event, stamped with the clock and the actor; false when its dedupe key was already used. */
export function createRecorder(repo: Pick<IncidentsRepo, 'appendEvent'>, now: () => number): Recorder {
  return (ex, incidentId, actor, kind, data = {}, dedupeKey) =>
    repo.appendEvent(ex, timelineRow(incidentId, now(), actor, kind, data, dedupeKey));
}
