/**
 * The contract between the alerts stage (fingerprint, dedupe, group, silence, route) and the incidents
 * stage. The alerts stage persists its alerts and groups first, then hands each routed group here; the
 * pipeline (src/pipeline.ts) is the one place that connects the two.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

export const SEVERITIES = ['P1', 'P2', 'P3'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface GroupAlert {
  /** The alert's id in the alerts stage. */
  alertId: string;
  /** Stable hash of the alert's identifying labels. */
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  /** Epoch milliseconds. */
  startsAt: number;
  endsAt: number | null;
}

/** A routed alert group: what a notification for it would be about, and who owns it. */
export interface AlertGroupSignal {
  /** Stable key of the group (its route and the values of its grouping labels). */
  groupKey: string;
  title: string;
  severity: Severity;
  serviceId: string | null;
  teamId: string | null;
  escalationPolicyId: string | null;
  /** The alerts of the group that changed since the last hand-over (new, still firing, or resolved). */
  alerts: readonly GroupAlert[];
}

export interface IncidentIntake {
  /**
   * Opens an incident for the group, or attaches the alerts to the open incident of that group key.
   * Idempotent: handing the same signal twice changes nothing the second time. When every alert of the
   * incident has resolved, the incident resolves too (as PagerDuty and Grafana OnCall do) unless that is
   * switched off; either way the timeline says so. A signal with only resolved alerts never opens an
   * incident: it updates the group's latest incident, or, when the group never had one, returns a null id.
   */
  onAlertGroup(
    signal: AlertGroupSignal,
    /** The caller's transaction: the hand-over commits with the caller's own bookkeeping. */
    within?: Kysely<DB>,
  ): Promise<{ incidentId: string | null; created: boolean }>;
}
