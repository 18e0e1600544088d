import type { ControlledTransaction, Kysely } from 'kysely';
import { createBatcher } from '../../platform/batcher.ts';
import type { Clock } from '../../platform/clock.ts';
import { fromJson, toJson } from '../../platform/db/constraint-errors.ts';
import { inSavepoint, type SavepointOutcome, sharedTransaction } from '../../platform/db/savepoints.ts';
import type { DB } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import type { JobQueue } from '../../platform/jobs/worker.ts';
import type { AlertGroupSignal, GroupAlert, Severity } from '../incidents/index.ts';
import type { AlertRow, AlertsRepo, GroupRow } from './alerts.repo.ts';
import type { Labels } from './matchers.ts';
import { mostSevere } from './severity.ts';
import { groupKeyOf, groupLabels, type ResolvedRoute } from './stages/route.ts';
import type { MuteStage } from './stages/types.ts';

export const FLUSH_JOB = 'alerts.flush';
/** Most flushes one transaction carries. */
const FLUSH_BATCH = 50;

/**
 * Flushes that fell due while an intake transaction was writing (a new group with no group_wait, a group
 * quiet for longer than its interval), keyed by group: that transaction runs them itself (`flushDue`)
 * instead of leaving them to a job.
 */
export type DueFlushes = Map<string, GroupRow>;

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
  handOver: (
    signal: AlertGroupSignal,
    within: Kysely<DB>,
  ) => Promise<{ incidentId: string | null; created: boolean }>;
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

  /**
   * Plans the group's next flush (never later than one already planned) and its job. Returns true if due
   * now. With `inline`, a flush due now that this call planned gets no job: it is recorded there for the
   * caller's transaction to run (`flushDue`), which spares a job round-trip on every new group.
   */
  async function plan(ex: Kysely<DB>, group: GroupRow, now: number, inline?: DueFlushes): Promise<boolean> {
    const at =
      group.lastFlushAt === null
        ? group.createdAt + Number(group.groupWaitMs)
        : Math.max(now, group.lastFlushAt + Number(group.groupIntervalMs));
    if (group.nextFlushAt !== null && group.nextFlushAt <= at) return false;
    const planned = await repo.planFlush(ex, group.groupKey, at, now);
    if (inline && planned && at <= now) {
      inline.set(group.groupKey, { ...group, nextFlushAt: at });
      return false;
    }
    await enqueueFlush(ex, group.groupKey, at);
    return at <= now;
  }

  const enqueueFlush = (ex: Kysely<DB>, groupKey: string, at: number) =>
    deps
      .jobsFor(ex)
      .enqueue(FLUSH_JOB, { groupKey, at }, { runAt: at, dedupeKey: `${FLUSH_JOB}:${groupKey}:${at}` });

  const grouping = {
    /**
     * Puts routed alerts into their routes' groups (creating the groups) and plans the flushes, in a few
     * statements per batch. Returns the group keys per alert and whether a flush is due now.
     */
    async join(
      ex: Kysely<DB>,
      entries: readonly { alert: AlertRow; route: ResolvedRoute }[],
      now: number,
      inline?: DueFlushes,
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
        if (await plan(ex, group, now, inline)) due = true;
      }
      return { groupKeys, due };
    },

    /** The alert changed (resolved, say): each group holding it carries the change at its next flush. */
    async touched(ex: Kysely<DB>, alertId: string, now: number, inline?: DueFlushes): Promise<boolean> {
      let due = false;
      for (const { groupKey } of await repo.bumpMembers(ex, alertId)) {
        const group = await repo.findGroup(ex, groupKey);
        if (group && (await plan(ex, group, now, inline))) due = true;
      }
      return due;
    },

    /**
     * Runs, inside the intake's own transaction, the flushes `plan` left to it, each in a savepoint. The
     * members are read in that transaction, so nothing can change between the read and the hand-over.
     * Mute verdicts are those the intake has just taken (`unmuted`: alerts it checked and routed); a group
     * holding a never-announced firing member it did not check, or whose flush fails, gets its job instead
     * and is flushed the usual way. Returns how many alerts were handed over.
     */
    async flushDue(
      trx: ControlledTransaction<DB>,
      due: DueFlushes,
      unmuted: ReadonlySet<string>,
    ): Promise<number> {
      let handed = 0;
      for (const group of due.values()) {
        const planned = group.nextFlushAt ?? 0;
        const o = await inSavepoint(trx, async (sp) => {
          const pending = await repo.pendingMembers(sp, group.groupKey);
          if (pending.some((m) => m.handedAt === null && m.status === 'firing' && !unmuted.has(m.id)))
            return null;
          const silentlyGone = new Set(
            pending.filter((m) => m.handedAt === null && m.status === 'resolved').map((m) => m.id),
          );
          const members = pending.filter((m) => !silentlyGone.has(m.id));
          return flushIn(sp, { group, planned, members, muted: new Map(), silentlyGone }, false);
        });
        // Left to its job, which mutes what the intake did not check; a failed flush is retried by the job
        // with backoff, as any failed flush is, while the intake itself commits.
        if (o.ok && o.value) handed += o.value.handed;
        else await enqueueFlush(trx, group.groupKey, planned);
      }
      return handed;
    },

    /**
     * The flush job. Idempotent and safe to run on many instances: it acts only when its planned flush is
     * still the group's plan and due, hands the changed members over and marks the plan done by
     * compare-and-set, all in one transaction (so a crash never leaves a hand-over unrecorded).
     *
     * Flushes that are due together (the worker runs several at once; a storm forms hundreds of groups a
     * second) share that transaction, each in its own savepoint: on SQLite the commit is the dearest
     * statement, and one per flush was most of the time an incident took to open. A flush that fails rolls
     * back alone and its job retries; the others commit.
     */
    flush(groupKey: string, planned: number): Promise<{ handed: number } | null> {
      // The flushes the worker started in the same turn join this batch.
      return new Promise((resolve, reject) => submitFlush({ groupKey, planned, resolve, reject }));
    },
  };

  interface FlushRequest {
    groupKey: string;
    planned: number;
    resolve: (r: { handed: number } | null) => void;
    reject: (err: unknown) => void;
  }
  interface FlushPlan {
    group: GroupRow;
    planned: number;
    members: (AlertRow & { version: number; handedAt: number | null })[];
    muted: Map<string, { kind: string; by: { id: string | null; name: string } }>;
    silentlyGone: Set<string>;
  }
  type PreparedFlush = FlushPlan & { req: FlushRequest };
  const submitFlush = createBatcher<FlushRequest>(FLUSH_BATCH, flushBatch);

  /** Reads what each flush needs, outside the transaction (on SQLite a read outside it would wait on it). */
  async function prepare(batch: readonly FlushRequest[], now: number): Promise<PreparedFlush[]> {
    const out: PreparedFlush[] = [];
    let checks: { kind: string; check: Awaited<ReturnType<MuteStage['load']>> }[] | undefined;
    for (const req of batch) {
      try {
        const group = await repo.findGroup(db, req.groupKey);
        // Only the job of the flush still planned acts: one job exists per (group, time), so a plan is
        // flushed by one job even when an earlier plan's job and a later one are due together.
        if (!group || group.nextFlushAt !== req.planned || req.planned > now) {
          req.resolve(null);
          continue;
        }
        const pending = await repo.pendingMembers(db, req.groupKey);
        // A member never handed over that is muted by now (a silence created, its inhibiting alert
        // arrived) leaves the group unannounced and is marked with the reason.
        const fresh = pending.filter((m) => m.handedAt === null && m.status === 'firing');
        const muted: PreparedFlush['muted'] = new Map();
        if (fresh.length > 0) {
          checks ??= await Promise.all(
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
        out.push({ req, group, planned: req.planned, members, muted, silentlyGone });
      } catch (err) {
        req.reject(err);
      }
    }
    return out;
  }

  /**
   * One flush inside the given transaction. Returns how many were handed and whether a flush is due now.
   * `readAhead`: the members were read before the transaction, so changes may have come in between.
   */
  async function flushIn(
    trx: Kysely<DB>,
    p: FlushPlan,
    readAhead = true,
  ): Promise<{ handed: number; due: boolean }> {
    const { group, members, muted, silentlyGone } = p;
    const { groupKey } = group;
    let result: { incidentId: string | null; created: boolean } | null = null;
    if (members.length > 0) result = await deps.handOver(toSignal(group, members), trx);
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
    await repo.markHanded(
      trx,
      groupKey,
      members.map((m) => ({ alertId: m.id, version: m.version })),
      at,
    );
    await repo.completeFlush(trx, groupKey, p.planned, at);
    // Changes that arrived since the members were read wait for the next interval.
    let due = false;
    if (readAhead && (await repo.pendingMembers(trx, groupKey)).length > 0) {
      const fresher = await repo.findGroup(trx, groupKey);
      if (fresher) due = await plan(trx, fresher, at);
    }
    return { handed: members.length, due };
  }

  async function flushBatch(batch: readonly FlushRequest[]): Promise<void> {
    const work = await prepare(batch, clock.now());
    if (work.length === 0) return;
    let wake = false;
    const outcomes = await sharedTransaction(db, async (trx) => {
      const outcomes: SavepointOutcome<{ handed: number; due: boolean }>[] = [];
      for (const p of work) {
        const o = await inSavepoint(trx, (sp) => flushIn(sp, p));
        // The incidents stage may have queued work due now (escalation steps).
        if (o.ok && (o.value.due || o.value.handed > 0)) wake = true;
        outcomes.push(o);
      }
      return outcomes;
    });
    if (wake) deps.wake();
    work.forEach((p, i) => {
      const o = outcomes[i] as SavepointOutcome<{ handed: number; due: boolean }>;
      if (o.ok) p.req.resolve({ handed: o.value.handed });
      else p.req.reject(o.error);
    });
  }

  return grouping;
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
    // A route that names no service leaves it to the alerts (their `service` label).
    serviceId: group.serviceId ?? lead?.serviceId ?? null,
    teamId: group.teamId,
    escalationPolicyId: group.escalationPolicyId,
    alerts,
  };
}
