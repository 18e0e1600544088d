import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { fromJson, toJson } from '../../platform/db/constraint-errors.ts';
import type { DB } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import type { JobQueue } from '../../platform/jobs/worker.ts';
import type { AlertGroupSignal, GroupAlert, Severity } from '../incidents/intake.ts';
import type { AlertRow, AlertsRepo, GroupRow } from './alerts.repo.ts';
import type { Labels } from './matchers.ts';
import { mostSevere } from './severity.ts';
import { groupKeyOf, groupLabels, type ResolvedRoute } from './stages/route.ts';
import type { MuteStage } from './stages/types.ts';

export const FLUSH_JOB = 'alerts.flush';

export interface GroupingDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: AlertsRepo;
  /** A job queue writing through the given executor, so a plan and its job commit together. */
  jobsFor: (ex: Kysely<DB>) => JobQueue;
  /** Called after a commit that planned due work (wakes the local worker). */
  wake: () => void;
  /** The noise-control stages, re-checked at flush time as Alertmanager does before it notifies. */
  muteStages: readonly MuteStage[];
  /** The next stage: the incidents intake, as composed in src/pipeline.ts. */
  handOver: (signal: AlertGroupSignal) => Promise<{ incidentId: string | null; created: boolean }>;
}

export const event = (alertId: string, at: number, kind: string, detail: Record<string, unknown> = {}) => ({
  id: newId(),
  alertId,
  at,
  kind,
  detail: toJson(detail),
});

/**
 * Grouping, in the manner of Alertmanager's aggregation groups, but durable: the group and its members are
 * rows, and each planned flush is a job (keyed by group and time, so it exists once) that any instance may
 * run. The first flush waits `group_wait` after the group formed; later ones wait `group_interval` after the
 * previous one, and only happen when a member changed.
 */
export function createGrouping(deps: GroupingDeps) {
  const { db, clock, repo } = deps;

  /** Plans the group's next flush (never later than one already planned) and its job. Returns true if due now. */
  async function plan(ex: Kysely<DB>, group: GroupRow, now: number): Promise<boolean> {
    const at =
      group.lastFlushAt === null
        ? group.createdAt + Number(group.groupWaitMs)
        : Math.max(now, group.lastFlushAt + Number(group.groupIntervalMs));
    if (group.nextFlushAt !== null && group.nextFlushAt <= at) return false;
    await repo.planFlush(ex, group.groupKey, at, now);
    await deps.jobsFor(ex).enqueue(
      FLUSH_JOB,
      { groupKey: group.groupKey, at },
      {
        runAt: at,
        dedupeKey: `${FLUSH_JOB}:${group.groupKey}:${at}`,
      },
    );
    return at <= now;
  }

  return {
    /**
     * Puts routed alerts into their routes' groups (creating the groups) and plans the flushes, in a few
     * statements per batch. Returns the group keys per alert and whether a flush is due now.
     */
    async join(
      ex: Kysely<DB>,
      entries: readonly { alert: AlertRow; route: ResolvedRoute }[],
      now: number,
    ): Promise<{ groupKeys: Map<string, string[]>; due: boolean }> {
      const groups = new Map<string, GroupRow>();
      const members = new Map<string, { groupKey: string; alertId: string }>();
      const groupKeys = new Map<string, string[]>();
      for (const { alert, route } of entries) {
        const gl = groupLabels(route, fromJson<Labels>(alert.labels) ?? {});
        const groupKey = groupKeyOf(route, gl);
        if (!groups.has(groupKey))
          groups.set(groupKey, {
            groupKey,
            routeId: route.id,
            labels: toJson(gl),
            serviceId: route.serviceId,
            teamId: route.teamId,
            escalationPolicyId: route.escalationPolicyId,
            severityOverride: route.severity,
            groupWaitMs: route.groupWaitMs,
            groupIntervalMs: route.groupIntervalMs,
            lastFlushAt: null,
            nextFlushAt: null,
            createdAt: now,
            updatedAt: now,
          });
        members.set(`${groupKey} ${alert.id}`, { groupKey, alertId: alert.id });
        groupKeys.set(alert.id, [...(groupKeys.get(alert.id) ?? []), groupKey]);
      }
      await repo.insertGroupsIfMissing(ex, [...groups.values()]);
      await repo.insertMembers(
        ex,
        [...members.values()].map((m) => ({
          ...m,
          version: 1,
          flushedVersion: 0,
          joinedAt: now,
          handedAt: null,
        })),
      );
      let due = false;
      for (const group of await repo.findGroups(ex, [...groups.keys()])) {
        if (await plan(ex, group, now)) due = true;
      }
      return { groupKeys, due };
    },

    /** The alert changed (resolved, say): each group holding it carries the change at its next flush. */
    async touched(ex: Kysely<DB>, alertId: string, now: number): Promise<boolean> {
      let due = false;
      for (const { groupKey } of await repo.bumpMembers(ex, alertId)) {
        const group = await repo.findGroup(ex, groupKey);
        if (group && (await plan(ex, group, now))) due = true;
      }
      return due;
    },

    /**
     * The flush job. Idempotent and safe to run on many instances: it acts only when its planned flush is
     * still the group's plan and due, hands the changed members over (the intake is idempotent too, so a crash after the
     * hand-over and before the bookkeeping repeats a no-op), then marks the plan done by compare-and-set.
     */
    async flush(groupKey: string, planned: number): Promise<{ handed: number } | null> {
      const now = clock.now();
      const group = await repo.findGroup(db, groupKey);
      // Only the job of the flush still planned acts: one job exists per (group, time), so a plan is
      // flushed by one job even when an earlier plan's job and a later one are due together.
      if (!group || group.nextFlushAt !== planned || planned > now) return null;
      const pending = await repo.pendingMembers(db, groupKey);

      // A member never handed over that is muted by now (a silence created, its inhibiting alert arrived)
      // leaves the group unannounced and is marked with the reason.
      const fresh = pending.filter((m) => m.handedAt === null && m.status === 'firing');
      const muted = new Map<string, { kind: string; by: { id: string | null; name: string } }>();
      if (fresh.length > 0) {
        const checks = await Promise.all(
          deps.muteStages.map(async (s) => ({ kind: s.kind, check: await s.load(now) })),
        );
        for (const m of fresh) {
          const labels = fromJson<Labels>(m.labels) ?? {};
          for (const { kind, check } of checks) {
            const by = await check({ fingerprint: m.fingerprint, labels });
            if (by) {
              muted.set(m.id, { kind, by });
              break;
            }
          }
        }
      }
      // Resolved before it was ever announced: nobody needs to hear about it.
      const silentlyGone = new Set(
        pending.filter((m) => m.handedAt === null && m.status === 'resolved').map((m) => m.id),
      );
      const members = pending.filter((m) => !muted.has(m.id) && !silentlyGone.has(m.id));

      let result: { incidentId: string | null; created: boolean } | null = null;
      if (members.length > 0) result = await deps.handOver(toSignal(group, members));

      let due = false;
      await db.transaction().execute(async (trx) => {
        const at = clock.now();
        for (const [alertId, m] of muted) {
          await repo.update(trx, alertId, { suppressed: m.kind, suppressedBy: toJson(m.by), updatedAt: at });
          await repo.dropMember(trx, groupKey, alertId);
        }
        for (const id of silentlyGone) await repo.dropMember(trx, groupKey, id);
        await repo.insertEvents(trx, [
          ...[...muted].map(([id, m]) => event(id, at, m.kind, { by: m.by, groupKey })),
          ...members.map((m) =>
            event(m.id, at, 'handed_over', {
              groupKey,
              status: m.status,
              incidentId: result?.incidentId ?? null,
            }),
          ),
        ]);
        for (const m of members) await repo.markHanded(trx, groupKey, m.id, m.version, at);
        await repo.completeFlush(trx, groupKey, planned, at);
        // Changes that arrived during the hand-over wait for the next interval.
        if ((await repo.pendingMembers(trx, groupKey)).length > 0) {
          const fresher = await repo.findGroup(trx, groupKey);
          if (fresher) due = await plan(trx, fresher, at);
        }
      });
      if (due) deps.wake();
      return { handed: members.length };
    },
  };
}

export type Grouping = ReturnType<typeof createGrouping>;

function toSignal(group: GroupRow, members: (AlertRow & { version: number })[]): AlertGroupSignal {
  const alerts: GroupAlert[] = members.map((m) => ({
    alertId: m.id,
    fingerprint: m.fingerprint,
    status: m.status as 'firing' | 'resolved',
    labels: fromJson<Record<string, string>>(m.labels) ?? {},
    annotations: fromJson<Record<string, string>>(m.annotations) ?? {},
    startsAt: m.startsAt,
    endsAt: m.status === 'resolved' ? (m.resolvedAt ?? m.endsAt) : m.endsAt,
  }));
  const firing = members.filter((m) => m.status === 'firing');
  const lead = firing[0] ?? members[0];
  const severity =
    (group.severityOverride as Severity | null) ??
    (firing.length ? firing : members).map((m) => m.severity as Severity).reduce(mostSevere);
  const more = members.length > 1 ? ` (+${members.length - 1})` : '';
  return {
    groupKey: group.groupKey,
    title: `${lead?.title ?? group.routeId}${more}`,
    severity,
    serviceId: group.serviceId,
    teamId: group.teamId,
    escalationPolicyId: group.escalationPolicyId,
    alerts,
  };
}
