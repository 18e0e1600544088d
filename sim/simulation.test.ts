import { describe, expect, it } from 'vitest';
import { SCENARIOS } from './scenarios.ts';
import { computeTruth, createSimulation, type SimulationOptions, type StepResult } from './simulation.ts';
import { cycle, promotionDefaults, promotionFactor } from './traffic.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Wednesday 2026-01-07 00:00 China Standard Time. */
const WED = Date.UTC(2026, 0, 6, 16, 0);
const cst = (day: number, hour: number) => WED + day * 24 * HOUR + hour * HOUR;

describe('simulation: determinism', () => {
  const opts: SimulationOptions = {
    seed: 42,
    start: cst(0, 10),
    scenarios: [{ name: 'bad-deploy', at: cst(0, 10) + 10 * MIN }],
  };

  it('gives byte-identical series and events for the same seed and scenario, however it is stepped', () => {
    const a = createSimulation(opts).step(cst(0, 10) + 40 * MIN);
    const simB = createSimulation(opts);
    const parts: StepResult[] = [];
    for (let t = cst(0, 10); t <= cst(0, 10) + 40 * MIN; t += 7 * MIN) parts.push(simB.step(t));
    parts.push(simB.step(cst(0, 10) + 40 * MIN));
    const merged = new Map<string, [number, number][]>();
    for (const p of parts) {
      for (const s of p.series) {
        const key = JSON.stringify(s.labels);
        merged.set(key, [
          ...(merged.get(key) ?? []),
          ...s.points.map((x) => [x.ts, x.value] as [number, number]),
        ]);
      }
    }
    const whole = new Map(
      a.series.map((s) => [JSON.stringify(s.labels), s.points.map((x) => [x.ts, x.value])]),
    );
    expect(JSON.stringify([...merged])).toBe(JSON.stringify([...whole]));
    const b = createSimulation(opts).step(cst(0, 10) + 40 * MIN);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.series.length).toBeGreaterThan(300);
    expect(a.events.some((e) => e.type === 'change' && e.service === 'order')).toBe(true);
  });

  it('gives different series for a different seed', () => {
    const a = createSimulation(opts).step(cst(0, 10) + 5 * MIN);
    const b = createSimulation({ ...opts, seed: 43 }).step(cst(0, 10) + 5 * MIN);
    expect(JSON.stringify(b.series)).not.toBe(JSON.stringify(a.series));
  });

  it('follows Prometheus naming and labels every service series with service and instance', () => {
    const { series } = createSimulation({ seed: 1, start: cst(0, 12) }).step(cst(0, 12));
    for (const s of series) {
      expect(s.labels.__name__).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
      if (s.labels.__name__!.endsWith('_total')) expect(s.points[0]!.value).toBeGreaterThanOrEqual(0);
      expect(s.labels.service ?? s.labels.host).toBeTruthy();
    }
    const names = new Set(series.map((s) => s.labels.__name__));
    for (const n of [
      'http_requests_total',
      'http_request_duration_seconds',
      'process_cpu_seconds_total',
      'hikaricp_connections_active',
      'redis_keyspace_hits_total',
      'rabbitmq_queue_messages_ready',
      'shop_orders_total',
      'shop_payments_total',
      'shop_gmv_yuan_total',
      'node_filesystem_avail_bytes',
      'x509_cert_expires_in_seconds',
      'batch_job_last_success_timestamp_seconds',
    ]) {
      expect(names, n).toContain(n);
    }
  });
});

describe('simulation: traffic', () => {
  it('has a daily cycle (quiet at 04:00, peaks late morning and evening) and busier weekends', () => {
    expect(cycle(cst(0, 4))).toBeLessThan(0.2 * cycle(cst(0, 21)));
    expect(cycle(cst(0, 11))).toBeGreaterThan(cycle(cst(0, 14)));
    expect(cycle(cst(0, 21))).toBeGreaterThan(cycle(cst(0, 17)));
    expect(cycle(cst(3, 21))).toBeGreaterThan(1.15 * cycle(cst(0, 21))); // Saturday vs Wednesday
  });

  it('has promotion peaks several times normal traffic, ramping up and down, that breach no objective', () => {
    const promo = promotionDefaults(cst(0, 18));
    expect(promotionFactor(cst(0, 17), [promo])).toBe(1);
    expect(promotionFactor(cst(0, 19), [promo])).toBeGreaterThan(1.5);
    expect(promotionFactor(cst(0, 21), [promo])).toBe(4);
    expect(promotionFactor(cst(0, 24.5), [promo])).toBeLessThan(3);
    const sim = createSimulation({ seed: 7, start: cst(0, 17), intervalMs: 60_000, promotions: [promo] });
    let peak = 0;
    let quiet = Number.POSITIVE_INFINITY;
    for (let t = cst(0, 17); t <= cst(1, 2); t += 5 * MIN) {
      sim.step(t);
      const pv = sim.current()!.pageViews;
      peak = Math.max(peak, pv);
      quiet = Math.min(quiet, pv);
    }
    expect(peak / quiet).toBeGreaterThan(3);
    expect(sim.complaints()).toEqual([]);
  });

  it('stays within every objective over ordinary days (no fault, no complaint)', () => {
    const sim = createSimulation({ seed: 11, start: cst(3, 0), intervalMs: 60_000, promotions: [] });
    sim.step(cst(3, 24)); // Saturday, the busiest day
    expect(sim.complaints()).toEqual([]);
  });
});

describe('simulation: faults', () => {
  const at = cst(0, 10.5);
  const window = (name: string) => {
    const def = SCENARIOS.find((s) => s.name === name)!;
    return { start: at - 30 * MIN, end: at + Math.min(def.defaultDurationMs, 4 * HOUR) };
  };

  /** Per series: the gauge value, or the counter increase, at every tick. */
  function trajectories(
    opts: SimulationOptions,
    end: number,
  ): Map<string, { labels: Record<string, string>; v: number[] }> {
    const { series } = createSimulation(opts).step(end);
    const out = new Map<string, { labels: Record<string, string>; v: number[] }>();
    for (const s of series) {
      const counter =
        /_(total|count|sum|bucket)$/.test(s.labels.__name__!) ||
        s.labels.__name__ === 'mysql_global_status_queries' ||
        s.labels.__name__ === 'mysql_global_status_slow_queries';
      const v = counter
        ? s.points.slice(1).map((p, i) => p.value - s.points[i]!.value)
        : s.points.map((p) => p.value);
      out.set(JSON.stringify(s.labels), { labels: s.labels as Record<string, string>, v });
    }
    return out;
  }

  // Noise is keyed by series and time, so a series the fault does not touch is identical to the baseline.
  const moves = (a: number[], b: number[]) =>
    a.some((x, i) => x !== b[i] && (Math.abs(x - b[i]!) > 0.05 * Math.abs(b[i]!) || Math.abs(b[i]!) > 1e8));
  /**
   * Outside the normal range: more than 25% away from what the same moment looks like without the fault,
   * beyond the Poisson noise of small counts.
   */
  const abnormal = (a: number[], b: number[]) =>
    a.some((x, i) => Math.abs(x - b[i]!) > 0.25 * Math.abs(b[i]!) + 2 * Math.sqrt(Math.abs(b[i]!)) + 1);

  for (const def of SCENARIOS) {
    it(`${def.name}: moves the metrics its ground truth names, on its services only, with impact after start`, () => {
      const { start, end } = window(def.name);
      const common = { seed: 5, start, intervalMs: 60_000 };
      const base = trajectories(common, end);
      const fault = trajectories({ ...common, scenarios: [{ name: def.name, at }] }, end);
      const moved = new Set<string>();
      const strays: string[] = [];
      for (const [key, f] of fault) {
        const b = base.get(key)!;
        if (moves(f.v, b.v)) moved.add(f.labels.__name__!);
        const svc = f.labels.service;
        if (svc !== undefined && !def.services.includes(svc) && abnormal(f.v, b.v)) strays.push(key);
      }
      for (const m of def.metrics) expect([...moved], `${def.name} should move ${m}`).toContain(m);
      expect(strays, `${def.name} moved series of services it does not name`).toEqual([]);

      const [truth] = computeTruth({ ...common, scenarios: [{ name: def.name, at }] });
      expect(truth!.impactStart, `${def.name} should affect customers at 10:30 on a weekday`).not.toBeNull();
      expect(truth!.impactStart!).toBeGreaterThanOrEqual(truth!.faultStart);
      expect(truth!.impactStart!).toBeLessThanOrEqual(truth!.end);
      expect(truth!.firstComplaintAt).not.toBeNull();
      expect(truth!.firstComplaintAt!).toBeGreaterThan(truth!.faultStart);
    });
  }

  it('refuses unknown scenarios, parameters, and faults in the simulated past', () => {
    const sim = createSimulation({ seed: 1, start: at });
    expect(() => sim.injectScenario('meteor-strike', at + HOUR)).toThrow(/unknown scenario "meteor-strike"/);
    expect(() => sim.injectScenario('bad-deploy', at + HOUR, { params: { nope: 1 } })).toThrow(
      /no parameter "nope"/,
    );
    sim.step(at + 10 * MIN);
    expect(() => sim.injectScenario('bad-deploy', at + 5 * MIN)).toThrow(/already simulated/);
    const truth = sim.injectScenario('bad-deploy', at + 20 * MIN);
    sim.step(at + 30 * MIN);
    expect(sim.truth()[0]!.id).toBe(truth.id);
    expect(sim.truth()[0]!.impactStart).not.toBeNull();
  });
});
