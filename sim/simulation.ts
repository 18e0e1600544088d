/**
 * The simulation engine: a fixed grid of ticks from `start`, one sample per series per tick. Each tick
 * applies the active faults to a neutral set of modifiers, computes the world, updates the little state
 * that integrates over time (queue depth, batch job, counters), checks the customer-visible objectives to
 * find when each fault's impact starts, and emits samples and events. Same options → same output, however
 * `step` is chunked.
 */

import type { SeriesSamples } from '../src/modules/signals/metric-store.ts';
import {
  type Complaint,
  complaintsForTick,
  type HeartbeatEvent,
  routineChanges,
  type SimEvent,
} from './events.ts';
import { emitTick, type LatencyFormat } from './metrics.ts';
import { neutralMods } from './mods.ts';
import { streamKey, unit } from './random.ts';
import { Registry, type SimLabels } from './registry.ts';
import { type ChangeRecord, SCENARIO_BY_NAME, type ScenarioDef } from './scenarios.ts';
import { BATCH_JOB, CERT, INSTANCES } from './shop.ts';
import { breaches, IMPACT_SUSTAIN_MS } from './slo.ts';
import type { Promotion } from './traffic.ts';
import { computeWorld, type World } from './world.ts';

const DAY = 86_400_000;

export interface ScenarioRequest {
  name: string;
  /** Fault start, epoch ms. */
  at: number;
  durationMs?: number;
  params?: Record<string, number>;
}

export interface SimulationOptions {
  seed: number;
  /** First tick, epoch ms (rounded down to the interval). */
  start: number;
  /** Sample interval; 15 s by default. */
  intervalMs?: number;
  scenarios?: readonly ScenarioRequest[];
  promotions?: readonly Promotion[];
  /** Emit only series of these catalog services (host series are always emitted). All by default. */
  services?: readonly string[];
  latency?: LatencyFormat;
}

/** Ground truth of one injected fault. */
export interface FaultTruth {
  id: string;
  scenario: string;
  title: { en: string; zh: string };
  faultStart: number;
  /** First moment of a customer-visible breach lasting ≥ 60 s, or null if customers never noticed. */
  impactStart: number | null;
  impactEnd: number | null;
  /** What was breached at impact start. */
  impactRule: string | null;
  end: number;
  services: readonly string[];
  metrics: readonly string[];
  firstComplaintAt: number | null;
  complaints: number;
}

export interface StepResult {
  /** One entry per series with samples in this step (label objects are shared; do not mutate). */
  series: SeriesSamples[];
  events: SimEvent[];
  /** Time of the last tick emitted, or null when the step reached no new tick. */
  until: number | null;
}

interface Fault {
  truth: FaultTruth;
  def: ScenarioDef;
  params: Record<string, number>;
  /** Start of the current unbroken breach run while it is not yet sustained long enough. */
  runStart: number | null;
  runRule: string | null;
}

export interface Simulation {
  readonly seed: number;
  readonly start: number;
  readonly intervalMs: number;
  /** Time of the last tick computed (start − interval before the first step). */
  readonly now: number;
  step(toTime: number): StepResult;
  injectScenario(
    name: string,
    at: number,
    opts?: { durationMs?: number; params?: Record<string, number> },
  ): FaultTruth;
  truth(): FaultTruth[];
  complaints(): Complaint[];
  changes(): ChangeRecord[];
  /** The world at the last tick (for the storefront server), or null before the first step. */
  current(): World | null;
  /** Text exposition of the latest values (for /metrics). */
  exposition(): string;
}

export function createSimulation(options: SimulationOptions): Simulation {
  const seed = options.seed;
  const intervalMs = options.intervalMs ?? 15_000;
  if (!(intervalMs >= 1000)) throw new Error('intervalMs must be at least 1000');
  const start = Math.floor(options.start / intervalMs) * intervalMs;
  const promotions = [...(options.promotions ?? [])];
  const latency = options.latency ?? 'summary';
  const only = options.services ? new Set(options.services) : undefined;
  const include = (l: SimLabels) => !only || l.service === undefined || only.has(l.service);
  const sustainTicks = Math.max(1, Math.ceil(IMPACT_SUSTAIN_MS / intervalMs));

  const registry = new Registry(seed);
  const faults: Fault[] = [];
  const allComplaints: Complaint[] = [];
  let pending: Complaint[] = [];
  const changeLog: ChangeRecord[] = [];
  const startedAt = new Map<string, number>();
  for (const inst of INSTANCES) {
    startedAt.set(inst.id, start - Math.floor(unit(streamKey(seed, `start.${inst.id}`), 0) * 20 * DAY));
  }
  // The certificate in service renews every (lifetime − renewAt) days; its phase comes from the seed.
  const renewEvery = (CERT.lifetimeDays - CERT.renewAtDaysLeft) * DAY;
  const certPhase = Math.floor(unit(streamKey(seed, 'cert'), 0) * renewEvery);
  const baselineNotAfter = (t: number) =>
    Math.floor((t - certPhase) / renewEvery) * renewEvery + certPhase + CERT.lifetimeDays * DAY;

  // The batch job completes 40 s after each slot of its schedule.
  const firstRunAfter = (t: number) =>
    (Math.floor((t - 40_000) / BATCH_JOB.everyMs) + 1) * BATCH_JOB.everyMs + 40_000;
  let batchLastSuccess = firstRunAfter(start) - BATCH_JOB.everyMs;
  let mqDepth = 0;
  let now = start - intervalMs;
  let world: World | null = null;

  function injectScenario(
    name: string,
    at: number,
    opts: { durationMs?: number; params?: Record<string, number> } = {},
  ): FaultTruth {
    const def = SCENARIO_BY_NAME.get(name);
    if (!def)
      throw new Error(`unknown scenario "${name}" (known: ${[...SCENARIO_BY_NAME.keys()].join(', ')})`);
    if (!Number.isFinite(at)) throw new Error(`scenario ${name}: start time is not a number`);
    if (at <= now)
      throw new Error(`scenario ${name}: cannot start at ${new Date(at).toISOString()}, already simulated`);
    for (const key of Object.keys(opts.params ?? {})) {
      if (!(key in def.params)) throw new Error(`scenario ${name} has no parameter "${key}"`);
    }
    const params = { ...def.params, ...opts.params };
    const durationMs =
      opts.durationMs ??
      (name === 'tls-cert-expiry' ? (params.expiresInHours! + 1) * 3_600_000 : def.defaultDurationMs);
    const end = at + durationMs;
    const truth: FaultTruth = {
      id: `${name}@${new Date(at).toISOString()}`,
      scenario: name,
      title: def.title,
      faultStart: at,
      impactStart: null,
      impactEnd: null,
      impactRule: null,
      end,
      services: def.services,
      metrics: def.metrics,
      firstComplaintAt: null,
      complaints: 0,
    };
    faults.push({ truth, def, params, runStart: null, runRule: null });
    faults.sort((a, b) => a.truth.faultStart - b.truth.faultStart);
    changeLog.push(...(def.changes?.(at, end) ?? []));
    changeLog.sort((a, b) => a.ts - b.ts);
    return truth;
  }

  for (const s of options.scenarios ?? []) {
    injectScenario(s.name, s.at, {
      ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}),
      ...(s.params ? { params: s.params } : {}),
    });
  }

  function tickOnce(t: number, events: SimEvent[]): void {
    const tick = Math.floor(t / intervalMs);
    const dt = intervalMs;
    const mods = neutralMods();
    let lead: Fault | undefined;
    for (const f of faults) {
      if (t < f.truth.faultStart || t >= f.truth.end) continue;
      lead ??= f;
      f.def.apply(mods, {
        elapsed: t - f.truth.faultStart,
        durationMs: f.truth.end - f.truth.faultStart,
        at: f.truth.faultStart,
        params: f.params,
      });
    }
    world = computeWorld(t, mods, { seed, promotions, intervalMs });

    const restarted = new Set<string>();
    for (const [id, m] of mods.instances) {
      if (m.startedAt !== undefined && m.startedAt > (startedAt.get(id) ?? 0) && m.startedAt <= t) {
        startedAt.set(id, m.startedAt);
        restarted.add(id);
      }
    }

    // The queue: publishers versus consumers, integrated over the tick.
    const capacity = world.mq.consumeCapacity;
    const inflow = world.mq.publishPerSec * (dt / 1000);
    const delivered = Math.min(mqDepth + inflow, capacity * (dt / 1000));
    mqDepth = Math.max(0, mqDepth + inflow - delivered);

    const runs = { ok: 0, failed: 0 };
    for (let c = firstRunAfter(now); c <= t; c += BATCH_JOB.everyMs) {
      if (mods.batchStuck) continue;
      runs.ok++;
      batchLastSuccess = c;
      const hb: HeartbeatEvent = { ts: c, job: BATCH_JOB.name };
      events.push({ type: 'heartbeat', ...hb });
    }
    const certNotAfter = mods.certNotAfter ?? baselineNotAfter(t);

    // Ground truth: the first customer-visible breach during a fault that lasts IMPACT_SUSTAIN_MS.
    const found = breaches({ world, batchLastSuccess, certNotAfter });
    for (const f of faults) {
      const tr = f.truth;
      if (t < tr.faultStart || t > tr.end + 10 * 60_000) continue;
      if (found.length > 0) {
        if (tr.impactStart !== null) tr.impactEnd = t;
        else if (f.runStart === null) {
          f.runStart = t;
          f.runRule = found.map((b) => b.detail).join('; ');
        }
        if (
          tr.impactStart === null &&
          f.runStart !== null &&
          (t - f.runStart) / intervalMs + 1 >= sustainTicks
        ) {
          tr.impactStart = f.runStart;
          tr.impactEnd = t;
          tr.impactRule = f.runRule;
        }
      } else {
        f.runStart = null;
        f.runRule = null;
      }
    }

    const active = lead ? { id: lead.truth.id, def: lead.def } : undefined;
    pending.push(
      ...complaintsForTick({
        seed,
        tick,
        t,
        dtMs: dt,
        pageViews: world.demandPageViews,
        breached: found.map((b) => b.sli),
        fault: active,
      }),
    );
    const due = pending.filter((c) => c.ts <= t).sort((a, b) => a.ts - b.ts || a.id.localeCompare(b.id));
    pending = pending.filter((c) => c.ts > t);
    for (const c of due) {
      allComplaints.push(c);
      events.push({ type: 'complaint', ...c });
      const f = faults.find((x) => x.truth.id === c.faultId);
      if (f) {
        f.truth.complaints++;
        f.truth.firstComplaintAt ??= c.ts;
      }
    }

    for (const ch of [...changeLog.filter((c) => c.ts > now && c.ts <= t), ...routineChanges(seed, now, t)]) {
      events.push({ type: 'change', ...ch });
    }

    registry.begin(tick);
    emitTick(registry, world, {
      dtSeconds: dt / 1000,
      latency,
      restarted,
      startedAt,
      mqDepth,
      mqDelivered: delivered,
      batchLastSuccess,
      batchRuns: runs,
      certNotAfter,
    });
    registry.end();
    now = t;
  }

  return {
    seed,
    start,
    intervalMs,
    get now() {
      return now;
    },
    step(toTime: number): StepResult {
      const events: SimEvent[] = [];
      const points: { ts: number; value: number }[][] = [];
      let until: number | null = null;
      for (let t = now + intervalMs; t <= toTime; t += intervalMs) {
        tickOnce(t, events);
        for (let i = 0; i < registry.values.length; i++) {
          const list = points[i] ?? [];
          list.push({ ts: t, value: registry.values[i]! });
          points[i] = list;
        }
        until = t;
      }
      const series: SeriesSamples[] = [];
      for (let i = 0; i < points.length; i++) {
        const def = registry.defs[i]!;
        if (include(def.labels)) series.push({ labels: def.labels, points: points[i]! });
      }
      events.sort((a, b) => a.ts - b.ts);
      return { series, events, until };
    },
    injectScenario,
    truth: () => faults.map((f) => ({ ...f.truth })),
    complaints: () => [...allComplaints],
    changes: () => [...changeLog, ...routineChanges(seed, start - 1, now)].sort((a, b) => a.ts - b.ts),
    current: () => world,
    exposition: () => registry.exposition(include),
  };
}

/** Runs a simulation silently to the end of its last fault (plus 10 minutes) and returns the ground truth. */
export function computeTruth(options: SimulationOptions): FaultTruth[] {
  const sim = createSimulation(options);
  const last = Math.max(sim.start, ...sim.truth().map((t) => t.end + 10 * 60_000));
  // Step in chunks so memory stays flat: only the latest values are kept between steps.
  for (let t = sim.start; t <= last; t += 3_600_000) sim.step(Math.min(t + 3_600_000, last));
  return sim.truth();
}
