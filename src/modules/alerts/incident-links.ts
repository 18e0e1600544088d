import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { alertsRepo } from './alerts.repo.ts';
import { fingerprint, type Labels } from './matchers.ts';

const START_TOLERANCE_MS = 60_000;

/**
 * Whether each alert a source raised (identified by its labels and start) was handed to an incident:
 * the rule review's "share that became or joined an incident". Answered from the alerts stage's own
 * hand-over events, so the review never reads incident tables.
 */
export async function linkedToIncidents(
  db: Kysely<DB>,
  scope: string,
  firings: readonly { labels: Labels; startsAt: number }[],
): Promise<boolean[]> {
  if (firings.length === 0) return [];
  const fps = firings.map((f) => fingerprint(scope, f.labels));
  const linked = await alertsRepo.handedToIncidentStarts(db, fps);
  // The source's own record of a firing and the alert it raised may differ in start by an evaluation.
  return firings.map((f, i) =>
    (linked.get(fps[i] ?? '') ?? []).some((at) => Math.abs(at - f.startsAt) <= START_TOLERANCE_MS),
  );
}
