/**
 * The shipped detector on synthetic series: each anomaly must alarm at or just after it, and normal
 * seasonal data must stay quiet once the first day (the learning cycle) is over.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createDefaultDetector, DEFAULT_THRESHOLD } from './index.ts';
import { alarms, at, DAY, dailyTraffic, gaussian, HOUR, run, type Series, series } from './test-signals.ts';

const T = DEFAULT_THRESHOLD;
const detect = (s: Series) => run(createDefaultDetector(), s);
// Fresh, seeded generators in every test, so that each sees the same numbers whatever runs first.
let traffic = dailyTraffic(2, 1);
let noise = gaussian(7);
beforeEach(() => {
  traffic = dailyTraffic(2, 1);
  noise = gaussian(7);
});

describe('default detector on synthetic series', () => {
  it('stays quiet on normal daily traffic after its first days', () => {
    const r = detect(series(14, traffic));
    expect(alarms(r, T, at(4 * DAY)).length).toBe(0);
    for (const x of r.slice(at(DAY))) {
      expect(x.score).toBeGreaterThanOrEqual(0);
      expect(x.score).toBeLessThanOrEqual(1);
      expect(x.lower).toBeLessThan(x.upper);
    }
  });

  it('alarms on a spike and on a dip, where they happen', () => {
    const spikeAt = at(10 * DAY + 12 * HOUR);
    const spike = detect(series(14, (t) => traffic(t) + (at(t) === spikeAt ? 60 : 0)));
    expect(spike[spikeAt]!.score).toBeGreaterThanOrEqual(T);
    expect(spike[spikeAt]!.upper).toBeLessThan(spike[spikeAt]!.expected + 60);

    // At the daily peak (06:00), a drop to the daily mean: inside the usual range, but not now.
    const dipAt = at(10 * DAY + 6 * HOUR);
    const dip = detect(series(14, (t) => traffic(t) - (at(t) === dipAt ? 60 : 0)));
    expect(dip[dipAt]!.score).toBeGreaterThanOrEqual(T);
  });

  it('alarms on a level shift, then adapts instead of alarming forever', () => {
    const shiftAt = at(10 * DAY);
    const r = detect(series(17, (t) => traffic(t) + (t >= 10 * DAY ? 60 : 0)));
    expect(alarms(r, T, shiftAt, shiftAt + 3).length).toBeGreaterThan(0);
    // Two days on, a rare new high at the daily peak at most.
    expect(alarms(r, T, at(12 * DAY)).length).toBeLessThanOrEqual(1);
    // The forecast has moved to the new level.
    const last = r.at(-1)!;
    expect(last.expected).toBeGreaterThan(traffic(17 * DAY) + 40);
  });

  it('alarms during a slow ramp and settles once it stops', () => {
    const ramp = (t: number) => Math.min(1, Math.max(0, (t - 8 * DAY) / (4 * DAY))) * 100;
    const r = detect(series(18, (t) => traffic(t) + ramp(t)));
    expect(alarms(r, T, at(8 * DAY), at(10 * DAY)).length).toBeGreaterThan(0);
    // Each hour of the day is seen once at its new level, then at most a rare new high.
    expect(alarms(r, T, at(14 * DAY), at(18 * DAY)).length).toBeLessThanOrEqual(1);
  });

  it('alarms when the variance jumps', () => {
    const r = detect(series(12, (t) => 100 + (t >= 8 * DAY ? 12 : 2) * noise()));
    expect(alarms(r, T, at(8 * DAY), at(8 * DAY + HOUR)).length).toBeGreaterThan(0);
  });

  it('alarms when the daily pattern suddenly stops', () => {
    const flat = gaussian(3);
    const r = detect(series(14, (t) => (t >= 10 * DAY ? 100 + 2 * flat() : traffic(t))));
    expect(alarms(r, T, at(10 * DAY), at(10 * DAY + 6 * HOUR)).length).toBeGreaterThan(0);
  });

  it('scores a flat line 0 and alarms when it moves', () => {
    const r = detect(series(6, (t) => (t >= 5 * DAY ? 51 : 50)));
    expect(Math.max(...r.slice(0, at(5 * DAY)).map((x) => x.score))).toBe(0);
    expect(r[at(5 * DAY) - 1]!.expected).toBe(50);
    expect(r[at(5 * DAY)]!.score).toBeGreaterThanOrEqual(T);
  });

  it('copes with missing points and a six-hour gap', () => {
    const spikeAt = 10 * DAY + 12 * HOUR;
    const full = series(12, (t, i) => (i % 7 === 3 ? Number.NaN : traffic(t) + (t === spikeAt ? 60 : 0)));
    const keep = full.ts.map((ts) => ts - full.ts[0]! < 8 * DAY || ts - full.ts[0]! >= 8 * DAY + 6 * HOUR);
    const s = { ts: full.ts.filter((_, i) => keep[i]), values: full.values.filter((_, i) => keep[i]) };
    const r = detect(s);
    r.forEach((x, i) => {
      expect(Number.isFinite(x.score)).toBe(true);
      if (Number.isNaN(s.values[i]!)) expect(x.score).toBe(0);
    });
    const afterGap = s.ts.findIndex((ts) => ts - s.ts[0]! >= 8 * DAY + 6 * HOUR);
    expect(alarms(r, T, afterGap, afterGap + 24)).toEqual([]);
    const spike = s.ts.indexOf(s.ts[0]! + spikeAt);
    expect(r[spike]!.score).toBeGreaterThanOrEqual(T);
  });

  it('ignores samples that go back in time without throwing', () => {
    const d = createDefaultDetector();
    const s = series(3, traffic);
    run(d, s);
    const r = d.update(s.ts[10]!, 100);
    expect(Number.isFinite(r.score)).toBe(true);
  });
});
