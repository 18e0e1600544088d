import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { sha256 } from '../../../platform/auth/secrets.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { notFound } from '../../../platform/errors.ts';
import { newId } from '../../../platform/ids.ts';
import { type JobQueue, PermanentJobError } from '../../../platform/jobs/worker.ts';
import type { Labels, SampleSink, SeriesSamples } from '../metric-store.ts';
import { type CheckOutcome, runCheck as defaultRunCheck, type RunCheck } from './checks/index.ts';
import type { ProbeRowWithService, ProbesRepo } from './probes.repo.ts';
import type { HeartbeatSettings, ProbeResult, ProbeState } from './probes.schemas.ts';
import { settingsOf, toResult } from './probes.view.ts';
import { nextSlotAfter, onGrid, slotKey } from './schedule.ts';
import { nextState } from './state.ts';

/** One scheduled run of one probe; its own job kind so it can run in its own worker lane. */
export const PROBE_RUN_JOB = 'probe.run';
export const PROBE_PRUNE_JOB = 'probe.prune';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Recent results kept for the console (charts come from the series, which the metric store keeps). */
export const RESULT_RETENTION = { maxAgeMs: 7 * DAY, passes: 100, failures: 500, eventsMaxAgeMs: 90 * DAY };

export interface ProbeRunnerDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: ProbesRepo;
  jobs: JobQueue;
  /** Where results go as series; absent until the metric store is wired, results then stay in tables. */
  sink: SampleSink | undefined;
  logger: Logger;
  check?: RunCheck;
  /** Called for every scheduled run with how late it started against its slot (for self-metrics). */
  onScheduledRun?: (lateMs: number) => void;
}

const BATCH_WAIT_MS = 10;
const BATCH_MAX = 200;

interface PendingRecord {
  row: ProbeRowWithService;
  at: number;
  manual: boolean;
  outcome: CheckOutcome;
  resolve(result: ProbeResult | null): void;
  reject(err: unknown): void;
}

const runPayload = (p: unknown): { probeId: string; slotAt: number } => {
  const v = p as { probeId?: unknown; slotAt?: unknown } | null;
  if (typeof v?.probeId !== 'string' || typeof v.slotAt !== 'number') {
    throw new PermanentJobError(`bad probe.run payload: ${JSON.stringify(p)}`);
  }
  return { probeId: v.probeId, slotAt: v.slotAt };
};

/** The series one result becomes; labels: the probe's own, then `probe`, `probe_id`, `kind`, `service`. */
export function resultSeries(row: ProbeRowWithService, at: number, o: CheckOutcome): SeriesSamples[] {
  const base: Record<string, string> = {
    ...(JSON.parse(row.labels) as Record<string, string>),
    probe: row.name,
    probe_id: row.id,
    kind: row.kind,
  };
  if (row.serviceName) base.service = row.serviceName;
  const series = (name: string, value: number): SeriesSamples => ({
    labels: { ...base, __name__: name } as Labels,
    points: [{ ts: at, value }],
  });
  const out = [series('probe_success', o.ok ? 1 : 0), series('probe_duration_seconds', o.durationMs / 1000)];
  if (o.statusCode !== undefined) out.push(series('probe_http_status_code', o.statusCode));
  if (o.tlsDaysLeft !== undefined) out.push(series('probe_tls_days_left', o.tlsDaysLeft));
  if (o.dnsLookupMs !== undefined) out.push(series('probe_dns_lookup_seconds', o.dnsLookupMs / 1000));
  return out;
}

/** A heartbeat passes while the last ping (or the start of watching) is within period + grace. */
export function heartbeatOutcome(row: ProbeRowWithService, hb: HeartbeatSettings, at: number): CheckOutcome {
  const windowMs = (hb.periodSeconds + hb.graceSeconds) * 1000;
  // Watching starts at creation, or at resume (state `unknown` since then): a job gets a full window.
  const watchedSince = Math.max(row.createdAt, row.state === 'unknown' ? row.stateSince : 0);
  const last = Math.max(row.lastHeartbeatAt ?? 0, watchedSince);
  if (at - last <= windowMs) return { ok: true, degraded: null, reason: null, durationMs: 0 };
  const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;
  const since =
    row.lastHeartbeatAt === null ? 'no heartbeat received yet' : `last heartbeat ${minutes(at - last)} ago`;
  return {
    ok: false,
    degraded: null,
    reason: `${since}; expected every ${minutes(hb.periodSeconds * 1000)} with ${minutes(hb.graceSeconds * 1000)} grace`,
    durationMs: 0,
  };
}

/** Runs probes, records what they found, and keeps each enabled probe's chain of run jobs going. */
export function createProbeRunner(deps: ProbeRunnerDeps) {
  const { db, clock, repo, jobs, logger } = deps;
  const check = deps.check ?? defaultRunCheck;

  async function measure(row: ProbeRowWithService, at: number): Promise<CheckOutcome> {
    const settings = settingsOf(row);
    if (settings.kind === 'heartbeat') return heartbeatOutcome(row, settings.heartbeat, at);
    try {
      return await check(settings, row.timeoutMs, at);
    } catch (err) {
      return { ok: false, degraded: null, reason: `check failed: ${(err as Error).message}`, durationMs: 0 };
    }
  }

  /** Writes one run's result, state and transition; null if the probe was deleted meanwhile. */
  async function recordOne(trx: Kysely<DB>, p: PendingRecord): Promise<ProbeResult | null> {
    const { row, at, manual, outcome } = p;
    const cur = await repo.find(trx, row.id);
    if (!cur) return null;
    const from = cur.state as ProbeState;
    // A manual run of a paused probe is reported, but the probe stays paused.
    const t =
      from === 'paused'
        ? { state: from, consecutiveFailures: cur.consecutiveFailures, reason: cur.stateReason }
        : nextState({ state: from, consecutiveFailures: cur.consecutiveFailures }, outcome, cur.retries);
    const changed = t.state !== from;
    await repo.update(trx, row.id, {
      state: t.state,
      stateSince: changed ? at : cur.stateSince,
      stateReason: t.reason,
      consecutiveFailures: t.consecutiveFailures,
      lastRunAt: at,
      lastOk: outcome.ok ? 1 : 0,
      lastDurationMs: outcome.durationMs,
      lastStatusCode: outcome.statusCode ?? null,
      lastTlsDaysLeft: outcome.tlsDaysLeft ?? null,
      lastReason: outcome.reason ?? outcome.degraded,
    });
    const resultRow = {
      id: newId(),
      probeId: row.id,
      at,
      ok: outcome.ok ? 1 : 0,
      state: t.state,
      durationMs: outcome.durationMs,
      statusCode: outcome.statusCode ?? null,
      tlsDaysLeft: outcome.tlsDaysLeft ?? null,
      reason: outcome.reason ?? outcome.degraded,
      manual: manual ? 1 : 0,
    };
    await repo.insertResult(trx, resultRow);
    if (changed) {
      await repo.insertEvent(trx, {
        id: newId(),
        probeId: row.id,
        at,
        fromState: from,
        toState: t.state,
        reason: t.reason,
      });
    }
    return toResult(resultRow);
  }

  // Group commit: the results of runs finishing within a few milliseconds of each other are written in
  // one transaction and one append to the metric store. At thousands of probes a minute, a commit per
  // run (and another per store append) is what limits throughput, not the probing. Each run still
  // waits for its own batch to be durable before its job completes.
  let pending: PendingRecord[] = [];
  let flushTimer: NodeJS.Timeout | undefined;

  async function flush(): Promise<void> {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    let results: (ProbeResult | null)[];
    try {
      results = await db.transaction().execute(async (trx) => {
        const out: (ProbeResult | null)[] = [];
        for (const p of batch) out.push(await recordOne(trx, p));
        return out;
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const series = batch.flatMap((p, i) => (results[i] ? resultSeries(p.row, p.at, p.outcome) : []));
    if (deps.sink && series.length > 0) {
      try {
        await deps.sink.ingest(series);
      } catch (err) {
        // The results and states are recorded; a store that refuses samples must not stop the probing.
        logger.warn({ err, runs: batch.length }, 'probe results could not be written as series');
      }
    }
    batch.forEach((p, i) => {
      p.resolve(results[i] ?? null);
    });
  }

  function record(p: Omit<PendingRecord, 'resolve' | 'reject'>): Promise<ProbeResult | null> {
    return new Promise((resolve, reject) => {
      pending.push({ ...p, resolve, reject });
      if (pending.length >= BATCH_MAX) void flush();
      else flushTimer ??= setTimeout(() => void flush(), BATCH_WAIT_MS);
    });
  }

  /** Runs the check and records result, state, transition and series. Null if the probe was deleted. */
  async function execute(row: ProbeRowWithService, at: number, manual: boolean): Promise<ProbeResult | null> {
    const outcome = await measure(row, at);
    return record({ row, at, manual, outcome });
  }

  async function scheduleNext(id: string, intervalSeconds: number, after: number): Promise<void> {
    const next = nextSlotAfter(id, intervalSeconds * 1000, after);
    await jobs.enqueue(
      PROBE_RUN_JOB,
      { probeId: id, slotAt: next },
      { runAt: next, dedupeKey: slotKey(id, next), maxAttempts: 3 },
    );
  }

  return {
    execute,
    scheduleNext,

    /** The job handler of one slot. Idempotent: re-reads the probe and claims the slot before running. */
    async runSlot(payload: unknown): Promise<void> {
      const { probeId, slotAt } = runPayload(payload);
      const row = await repo.find(db, probeId);
      // Deleted or paused: the chain ends here; resume starts a new one.
      if (!row || row.pausedAt !== null) return;
      // A job from before an interval change; the update already started the chain on the new grid.
      if (!onGrid(row.id, row.intervalSeconds * 1000, slotAt)) return;
      const now = clock.now();
      // The next slot first, so a crash during the check cannot end the chain.
      await scheduleNext(row.id, row.intervalSeconds, Math.max(slotAt, now));
      if (!(await repo.claimSlot(db, row.id, slotAt))) return;
      deps.onScheduledRun?.(now - slotAt);
      await execute(row, now, false);
    },

    async runNow(id: string): Promise<ProbeResult> {
      const row = await repo.find(db, id);
      if (!row) throw notFound('Probe', id);
      const result = await execute(row, clock.now(), true);
      if (!result) throw notFound('Probe', id);
      return result;
    },

    /** A ping from a batch job: recorded as a passing run (which also brings a down heartbeat back up). */
    async heartbeat(token: string): Promise<{ probe: string; state: ProbeState }> {
      const found = await repo.findByTokenHash(db, sha256(token));
      if (found?.kind !== 'heartbeat') throw notFound('Heartbeat URL');
      const now = clock.now();
      await repo.update(db, found.id, { lastHeartbeatAt: now });
      const row = { ...found, lastHeartbeatAt: now };
      if (row.pausedAt === null) await execute(row, now, false);
      const after = await repo.find(db, found.id);
      return { probe: found.name, state: (after?.state ?? found.state) as ProbeState };
    },

    /**
     * Makes sure every enabled probe has its next run queued. Idempotent (the slot's dedupe key), so it
     * runs at start-up and hourly, which also restarts a chain whose job died.
     */
    async scheduleAll(): Promise<number> {
      const now = clock.now();
      const probes = await repo.listEnabled(db);
      for (let i = 0; i < probes.length; i += 50) {
        await Promise.all(probes.slice(i, i + 50).map((p) => scheduleNext(p.id, p.intervalSeconds, now)));
      }
      return probes.length;
    },

    /** Hourly: bounded retention of results and events, chain repair, and the next run of itself. */
    async prune(): Promise<void> {
      const now = clock.now();
      const removed = await repo.prune(
        db,
        now - RESULT_RETENTION.maxAgeMs,
        now - RESULT_RETENTION.eventsMaxAgeMs,
        {
          passes: RESULT_RETENTION.passes,
          failures: RESULT_RETENTION.failures,
        },
      );
      if (removed > 0) logger.info({ removed }, 'old probe results removed');
      await this.scheduleAll();
      const next = Math.floor(now / HOUR + 1) * HOUR;
      await jobs.enqueue(PROBE_PRUNE_JOB, null, { runAt: next, dedupeKey: `${PROBE_PRUNE_JOB}:${next}` });
    },
  };
}

export type ProbeRunner = ReturnType<typeof createProbeRunner>;
