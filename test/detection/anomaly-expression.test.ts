import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { previewRule } from '../../src/modules/detection/rules/preview.ts';
import { ruleInput, type TypedRule } from '../../src/modules/detection/rules/rules.schemas.ts';
import { createEmbeddedMetricStore, type EmbeddedMetricStore } from '../../src/modules/signals/index.ts';
import type { SeriesSamples } from '../../src/modules/signals/metric-store.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { createTestDatabase, describeEachEngine, type TestDatabase } from '../helpers/engines.ts';
import { type Proc, startProc } from './harness.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const START = Date.UTC(2026, 0, 5);

const RULE = {
  name: 'error ratio odd',
  kind: 'anomaly',
  severity: 'P3',
  summary: '{{ $labels.service }}: 5xx ratio {{ $value }} outside {{ $threshold }}',
  spec: {
    query: 'sum by (service) (rate(req_total{code="500"}[5m])) / sum by (service) (rate(req_total[5m]))',
    direction: 'up',
    sensitivity: 'low',
    minDurationSeconds: 120,
  },
};

/**
 * Two services' request counters, one sample a minute: ~100 requests a minute following the day, and an
 * error now and then (a 0.1–0.3% ratio), the same on every run.
 */
function shop() {
  const counters = new Map<string, number>();
  let seed = 7;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  return (ts: number, shopErrorShare = 0): SeriesSamples[] => {
    const out: SeriesSamples[] = [];
    const day = Math.sin((2 * Math.PI * (ts % 86_400_000)) / 86_400_000);
    for (const service of ['shop', 'cart']) {
      const requests = Math.round(100 + 40 * day + 20 * rand());
      const errors =
        service === 'shop' && shopErrorShare > 0
          ? Math.round(requests * shopErrorShare)
          : rand() < 0.2
            ? 1
            : 0;
      for (const [code, add] of [
        ['200', requests - errors],
        ['500', errors],
      ] as const) {
        const key = `${service}/${code}`;
        const value = (counters.get(key) ?? 0) + add;
        counters.set(key, value);
        out.push({ labels: { __name__: 'req_total', service, code }, points: [{ ts, value }] });
      }
    }
    return out;
  };
}

/** An anomaly rule over an expression, on the real embedded store: warm-up from history, then a spike. */
describeEachEngine('anomaly rules over an expression', (engine) => {
  let testDb: TestDatabase;
  let database: Database;
  let store: EmbeddedMetricStore;
  let proc: Proc;

  beforeEach(async () => {
    testDb = await createTestDatabase(engine);
    database = testDb.open();
  });
  afterEach(async () => {
    await proc?.stop();
    await store.close();
    await database.close();
    await testDb.drop();
  });

  /** 30 hours stored before the rule exists (what its detectors replay when it starts), then the rule. */
  async function setUp() {
    const clock = new FakeClock(START);
    store = createEmbeddedMetricStore({ db: database.db, clock, config: loadConfig({}, undefined, {}) });
    const next = shop();
    const historyEnd = START + 30 * HOUR;
    for (let t = START; t < historyEnd; t += MIN) await store.append(next(t));
    clock.set(historyEnd);
    proc = await startProc(testDb, clock, store);
    await proc.create(RULE);
    /** Stores and streams `minutes` of samples as one batch, as history is sent in chunks. */
    /**
     * Stores and streams `minutes` of samples as one batch, as history is sent in chunks; `bySeries`
     * cuts it in two requests by series (the 2xx counters, then the 5xx ones), as a sender cuts a
     * chunk by size.
     */
    const send = async (from: number, share = 0, minutes = 1, bySeries = false) => {
      const all: SeriesSamples[] = [];
      for (let m = 0; m < minutes; m++) all.push(...next(from + m * MIN, share));
      clock.set(from + (minutes - 1) * MIN);
      const parts = bySeries
        ? [all.filter((s) => s.labels.code === '200'), all.filter((s) => s.labels.code !== '200')]
        : [all];
      for (const batch of parts) {
        await store.append(batch);
        proc.engine.onStored(batch);
        await proc.engine.idle();
      }
    };
    return { historyEnd, send };
  }

  it('evaluates every minute of a batch that covers ten, once all its series have arrived', async () => {
    const { historyEnd, send } = await setUp();
    // A minute judged when only the 2xx counters had arrived would see no errors at all, then the
    // 5xx counters' ten minutes at once: a drop and a jump that are not there.
    for (let t = historyEnd; t < historyEnd + HOUR; t += 10 * MIN) await send(t, 0, 10, true);
    expect(proc.received).toEqual([]);
    const fault = historyEnd + HOUR;
    await send(fault, 0.05, 10, true);
    expect(proc.received[0]).toMatchObject({ status: 'firing', labels: { service: 'shop' } });
    expect(proc.received[0]?.startsAt).toBeLessThanOrEqual(fault + 5 * MIN);
  });

  it('keeps what it learnt while history hours old is sent to it, the sweep running meanwhile', async () => {
    // As `steady demo` starts: the rule exists first, then a day and more of history arrives in ten-
    // minute chunks within seconds, while the clock says now and the engine's sweep runs every 30 s.
    const now = START + 30 * HOUR;
    const clock = new FakeClock(now);
    store = createEmbeddedMetricStore({ db: database.db, clock, config: loadConfig({}, undefined, {}) });
    proc = await startProc(testDb, clock, store);
    await proc.create(RULE);
    const next = shop();
    const send = async (from: number, minutes: number, share = 0) => {
      const batch: SeriesSamples[] = [];
      for (let m = 0; m < minutes; m++) batch.push(...next(from + m * MIN, share));
      await store.append(batch);
      proc.engine.onStored(batch);
      await proc.engine.idle();
    };
    const fault = now - 5 * MIN;
    for (let t = START; t < fault; t += 10 * MIN) {
      await send(t, Math.min(10, (fault - t) / MIN));
      await proc.advance(1_000); // the sweep, due every 30 s of the clock, runs a few times a minute
    }
    expect(proc.received).toEqual([]);
    for (let t = fault; t < fault + 10 * MIN; t += MIN) {
      await send(t, 1, 0.05);
      await proc.advance(1_000);
    }
    expect(proc.received[0]).toMatchObject({ status: 'firing', labels: { service: 'shop' } });
  });

  it('learns each result series from the stored history and flags the one whose ratio jumps', async () => {
    const { historyEnd, send } = await setUp();
    // The same expression watched for drops only: the jump is none of its business.
    await proc.create({ ...RULE, name: 'error ratio drop', spec: { ...RULE.spec, direction: 'down' } });

    // An ordinary hour: nothing.
    for (let t = historyEnd; t < historyEnd + HOUR; t += MIN) await send(t);
    expect(proc.received).toEqual([]);

    // The shop's deploy fails 5% of its requests.
    const fault = historyEnd + HOUR;
    for (let t = fault; t < fault + 10 * MIN; t += MIN) await send(t, 0.05);
    // Flagged at the shift; the band then follows the new level (a detector learns shifts), so it
    // may resolve while the fault goes on: holding it is a threshold rule's job.
    expect(proc.received[0]).toMatchObject({ status: 'firing', labels: { service: 'shop' } });
    expect(proc.received.every((a) => a.labels.service === 'shop')).toBe(true);
    expect(proc.received.every((a) => a.labels.alertname === 'error ratio odd')).toBe(true);
    const [alert] = proc.received;
    expect(alert?.labels).toMatchObject({ alertname: 'error ratio odd', severity: 'P3' });
    expect(alert?.annotations.expected_band).toMatch(/^≤ /);
    expect(alert?.startsAt).toBeLessThanOrEqual(fault + 5 * MIN);

    // The backtest of the same rule over the same data finds the same firing, and nothing for the cart.
    const rule = { ...ruleInput.parse(RULE), id: 'p', createdAt: 0, updatedAt: 0 } as TypedRule;
    const preview = await previewRule(store, rule, { from: historyEnd, to: fault + 10 * MIN });
    const byService = Object.fromEntries(preview.series.map((s) => [s.labels.service, s]));
    expect(byService.shop?.intervals.length).toBe(1);
    expect(byService.shop?.intervals[0]?.start).toBeGreaterThanOrEqual(fault);
    expect(byService.cart?.intervals).toEqual([]);
    expect(byService.shop?.lower?.length).toBeGreaterThan(0);
  });
});
