import type { Kysely } from 'kysely';
import { type Actor, systemActor } from '../../platform/audit/audit.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import { fromJson } from '../../platform/db/constraint-errors.ts';
import type { DB } from '../../platform/db/schema.ts';
import { PermanentJobError } from '../../platform/jobs/worker.ts';
import type { OncallService } from '../oncall/index.ts';
import type { IncidentRow, IncidentsRepo } from './incidents.repo.ts';
import type { EscalationSnapshot } from './incidents.schemas.ts';
import type { Notifier } from './notifier.ts';
import type { Recorder } from './timeline.ts';

const MINUTE = 60_000;

/** Adds a durable job inside the caller's transaction, so the job and the change that needs it commit together. */
export type EnqueueIn = (
  ex: Kysely<DB>,
  kind: string,
  payload: unknown,
  options: { runAt: number; dedupeKey: string },
) => Promise<boolean>;

export const JOB_ESCALATE = 'incident.escalate';
export const JOB_SLA = 'incident.sla';
export const JOB_RETRIGGER = 'incident.retrigger';

export interface StepPosition {
  round: number;
  step: number;
  /** When the step is due (epoch ms). */
  at: number;
}

/**
 * The step after `current`: the next one after this step's wait; after the last step, the first again
 * (a new round) while rounds remain; null when the policy is exhausted.
 */
export function nextStep(snapshot: EscalationSnapshot, current: StepPosition): StepPosition | null {
  const step = snapshot.steps[current.step];
  if (!step) return null;
  const at = current.at + step.waitMinutes * MINUTE;
  if (current.step + 1 < snapshot.steps.length) return { round: current.round, step: current.step + 1, at };
  if (current.round < snapshot.repeat) return { round: current.round + 1, step: 0, at };
  return null;
}

/** Acknowledge and resolve deadlines of an incident opened at `openedAt` with the given targets. */
export function slaDeadlines(openedAt: number, target: { ackMinutes: number; resolveMinutes: number }) {
  return {
    ackDueAt: openedAt + target.ackMinutes * MINUTE,
    resolveDueAt: openedAt + target.resolveMinutes * MINUTE,
  };
}

export const refOf = (row: Pick<IncidentRow, 'number'>) => `INC-${row.number}`;
const snapshotOf = (row: IncidentRow) => fromJson<EscalationSnapshot>(row.escalationSnapshot);
const stepKey = (id: string, gen: number, round: number, step: number) => `esc:${id}:${gen}:${round}:${step}`;

interface EscalatePayload {
  incidentId: string;
  gen: number;
  round: number;
  step: number;
  at: number;
}

export interface EscalationDeps {
  clock: Clock;
  repo: IncidentsRepo;
  oncall: Pick<OncallService, 'resolveTargets'>;
  notifier: Notifier;
  record: Recorder;
  enqueue: EnqueueIn;
}

/**
 * Escalation and response timers as durable jobs. Every handler re-reads the incident and acts only if
 * it is still where the job expects (same state, same escalation generation); a step's timeline entry
 * has a dedupe key and commits with its pages and the next step's job, so a step runs once even when
 * two instances (or a worker restarted after a crash) pick the same job.
 */
export function createEscalation(deps: EscalationDeps) {
  const { clock, repo, oncall, notifier, record, enqueue } = deps;
  const system = systemActor('escalation');

  async function scheduleStep(
    ex: Kysely<DB>,
    incidentId: string,
    gen: number,
    pos: StepPosition,
  ): Promise<void> {
    const payload: EscalatePayload = { incidentId, gen, ...pos };
    await repo.updateIf(ex, incidentId, { escalationNextAt: pos.at }, { gen });
    await enqueue(ex, JOB_ESCALATE, payload, {
      runAt: pos.at,
      dedupeKey: stepKey(incidentId, gen, pos.round, pos.step),
    });
  }

  /** Schedules the response timers for the incident's current deadlines (idempotent per deadline). */
  async function scheduleSla(ex: Kysely<DB>, row: IncidentRow): Promise<void> {
    if (row.acknowledgedAt === null && row.ackBreachedAt === null) {
      await enqueue(
        ex,
        JOB_SLA,
        { incidentId: row.id, kind: 'ack', dueAt: row.ackDueAt },
        {
          runAt: row.ackDueAt,
          dedupeKey: `sla:ack:${row.id}:${row.ackDueAt}`,
        },
      );
    }
    if (row.resolvedAt === null && row.resolveBreachedAt === null) {
      await enqueue(
        ex,
        JOB_SLA,
        { incidentId: row.id, kind: 'resolve', dueAt: row.resolveDueAt },
        {
          runAt: row.resolveDueAt,
          dedupeKey: `sla:resolve:${row.id}:${row.resolveDueAt}`,
        },
      );
    }
  }

  /** Starts (or restarts, in a new generation) the incident's escalation from the first step now. */
  async function start(ex: Kysely<DB>, row: IncidentRow, gen: number): Promise<void> {
    const snapshot = snapshotOf(row);
    if (!snapshot || snapshot.steps.length === 0) return;
    await scheduleStep(ex, row.id, gen, { round: 0, step: 0, at: clock.now() });
  }

  /**
   * Pages the next step now, in a new generation (so the steps already scheduled are dropped), and puts
   * the incident back to triggered. For "escalate" in the console and for a missed acknowledge deadline.
   */
  async function escalateNow(
    ex: Kysely<DB>,
    row: IncidentRow,
    actor: Actor,
    reason: string,
  ): Promise<boolean> {
    const snapshot = snapshotOf(row);
    if (!snapshot || snapshot.steps.length === 0) return false;
    const gen = row.escalationGen + 1;
    // The next step not yet run; after the last, the next round, or the last step again when none remain.
    const pos =
      row.escalationStep < snapshot.steps.length
        ? { round: row.escalationRound, step: row.escalationStep }
        : row.escalationRound < snapshot.repeat
          ? { round: row.escalationRound + 1, step: 0 }
          : { round: row.escalationRound, step: snapshot.steps.length - 1 };
    const moved = await repo.updateIf(
      ex,
      row.id,
      { state: 'triggered', escalationGen: gen, updatedAt: clock.now() },
      { states: ['triggered', 'acknowledged'], gen: row.escalationGen },
    );
    if (!moved) return false;
    await record(ex, row.id, actor, 'escalation_requested', { reason, step: pos.step + 1, from: row.state });
    await scheduleStep(ex, row.id, gen, { ...pos, at: clock.now() });
    return true;
  }

  async function runStep(ex: Kysely<DB>, p: EscalatePayload): Promise<void> {
    const row = await repo.findRow(ex, p.incidentId);
    if (row?.state !== 'triggered' || row.escalationGen !== p.gen) return;
    const snapshot = snapshotOf(row);
    const step = snapshot?.steps[p.step];
    if (!snapshot || !step) return;
    const key = stepKey(row.id, p.gen, p.round, p.step);
    const first = await record(
      ex,
      row.id,
      system,
      'escalated',
      {
        policyName: snapshot.policyName,
        step: p.step + 1,
        steps: snapshot.steps.length,
        round: p.round + 1,
        rounds: snapshot.repeat + 1,
        dueAt: p.at,
        late: Math.max(0, clock.now() - p.at),
      },
      key,
    );
    if (!first) return; // recorded by another instance, or before a crash: its pages and next job committed with it
    const targets = await oncall.resolveTargets(ex, step.targets as never, clock.now());
    if (targets.length === 0) {
      await record(ex, row.id, system, 'escalation_no_target', { step: p.step + 1, targets: step.targets });
    }
    const incident = { id: row.id, ref: refOf(row), title: row.title, severity: row.severity };
    for (const target of targets) {
      await notifier.page(ex, {
        incident,
        target,
        step: { index: p.step, round: p.round },
        dedupeKey: `${key}:${target.userId}`,
      });
    }
    await repo.updateIf(
      ex,
      row.id,
      {
        escalationStep: p.step + 1,
        escalationRound: p.round,
        escalationLastAt: p.at,
        escalationNextAt: null,
        updatedAt: clock.now(),
      },
      { states: ['triggered'], gen: p.gen },
    );
    const next = nextStep(snapshot, p);
    if (next) await scheduleStep(ex, row.id, p.gen, next);
    else await record(ex, row.id, system, 'escalation_exhausted', { policyName: snapshot.policyName });
  }

  async function runSla(ex: Kysely<DB>, p: { incidentId: string; kind: 'ack' | 'resolve'; dueAt: number }) {
    const row = await repo.findRow(ex, p.incidentId);
    if (!row) return;
    const now = clock.now();
    if (p.kind === 'ack') {
      if (row.ackDueAt !== p.dueAt || row.acknowledgedAt !== null || row.state !== 'triggered') return;
      if (row.ackBreachedAt !== null) return;
      const first = await record(
        ex,
        row.id,
        systemActor('sla'),
        'sla_breached',
        { target: 'acknowledge', dueAt: p.dueAt, severity: row.severity },
        `sla:ack:${row.id}:${p.dueAt}`,
      );
      if (!first) return;
      await repo.updateIf(ex, row.id, { ackBreachedAt: now, updatedAt: now }, { states: ['triggered'] });
      // A step that ran at or after the deadline, or one due by now, already escalates: no second page.
      const moving =
        (row.escalationLastAt !== null && row.escalationLastAt >= p.dueAt) ||
        (row.escalationNextAt !== null && row.escalationNextAt <= now);
      if (!moving) {
        await escalateNow(
          ex,
          { ...row, ackBreachedAt: now },
          systemActor('sla'),
          'acknowledge deadline missed',
        );
      }
    } else {
      if (row.resolveDueAt !== p.dueAt || row.resolvedAt !== null || row.resolveBreachedAt !== null) return;
      if (row.state !== 'triggered' && row.state !== 'acknowledged') return;
      const first = await record(
        ex,
        row.id,
        systemActor('sla'),
        'sla_breached',
        { target: 'resolve', dueAt: p.dueAt, severity: row.severity },
        `sla:resolve:${row.id}:${p.dueAt}`,
      );
      if (first) await repo.updateIf(ex, row.id, { resolveBreachedAt: now, updatedAt: now });
    }
  }

  /** An acknowledgement not followed by resolution in time: back to triggered, escalation from the top. */
  async function runRetrigger(ex: Kysely<DB>, p: { incidentId: string; gen: number }) {
    const row = await repo.findRow(ex, p.incidentId);
    if (row?.state !== 'acknowledged' || row.escalationGen !== p.gen) return;
    const gen = p.gen + 1;
    const moved = await repo.updateIf(
      ex,
      row.id,
      {
        state: 'triggered',
        escalationGen: gen,
        escalationStep: 0,
        escalationRound: 0,
        updatedAt: clock.now(),
      },
      { states: ['acknowledged'], gen: p.gen },
    );
    if (!moved) return;
    await record(ex, row.id, systemActor('escalation'), 're_triggered', {
      reason: 'acknowledged but not resolved in time',
      acknowledgedAt: row.acknowledgedAt,
    });
    await start(ex, row, gen);
  }

  const parse = <T>(payload: unknown, keys: string[]): T => {
    if (!payload || typeof payload !== 'object' || keys.some((k) => !(k in payload)))
      throw new PermanentJobError(`bad payload: ${JSON.stringify(payload)}`);
    return payload as T;
  };

  return {
    start,
    scheduleSla,
    escalateNow,
    /** The end of the paging: the people who were paged hear that the incident is resolved. */
    async announceResolved(ex: Kysely<DB>, incidentId: string, at: number, by: string): Promise<void> {
      await notifier.resolved?.(ex, { incidentId, resolvedAt: at, resolvedBy: by });
    },
    /** Schedules the re-trigger check after an acknowledgement, when the severity has one. */
    async scheduleRetrigger(ex: Kysely<DB>, row: IncidentRow, minutes: number | null): Promise<void> {
      if (minutes === null) return;
      await enqueue(
        ex,
        JOB_RETRIGGER,
        { incidentId: row.id, gen: row.escalationGen },
        {
          runAt: clock.now() + minutes * MINUTE,
          dedupeKey: `retrigger:${row.id}:${row.escalationGen}`,
        },
      );
    },
    /** Job handlers by kind; each runs in one transaction of `db`. */
    handlers(db: Kysely<DB>) {
      return {
        [JOB_ESCALATE]: (payload: unknown) =>
          db
            .transaction()
            .execute((trx) => runStep(trx, parse(payload, ['incidentId', 'gen', 'round', 'step', 'at']))),
        [JOB_SLA]: (payload: unknown) =>
          db.transaction().execute((trx) => runSla(trx, parse(payload, ['incidentId', 'kind', 'dueAt']))),
        [JOB_RETRIGGER]: (payload: unknown) =>
          db.transaction().execute((trx) => runRetrigger(trx, parse(payload, ['incidentId', 'gen']))),
      };
    },
  };
}

export type Escalation = ReturnType<typeof createEscalation>;
