import { describe, expect, it } from 'vitest';
import { ResidualRarityDetector } from './residual.ts';
import { at, DAY, gaussian, HOUR, run, series } from './test-signals.ts';

describe('residual rarity detector', () => {
  it('keeps normal values inside its band and scores them low', () => {
    const noise = gaussian(11);
    const s = series(10, () => 50 + 2 * noise());
    const r = run(new ResidualRarityDetector(), s);
    const from = at(2 * DAY);
    const inside = r
      .slice(from)
      .filter((x, i) => x.lower <= s.values[from + i]! && s.values[from + i]! <= x.upper);
    expect(inside.length / (r.length - from)).toBeGreaterThan(0.99);
    expect(Math.max(...r.slice(from).map((x) => x.upper - x.lower))).toBeLessThan(30);
    expect(Math.max(...r.slice(from).map((x) => x.score))).toBeLessThan(0.82);
  });

  it('gives a residual larger than any in memory its highest score so far', () => {
    const noise = gaussian(12);
    const spikeAt = at(8 * DAY);
    const r = run(
      new ResidualRarityDetector(),
      series(9, (t) => 50 + 2 * noise() + (at(t) === spikeAt ? 40 : 0)),
    );
    // Eight days remember some 1,600 residuals: the rarest possible is about 1 in 1,600 (score 0.8).
    expect(r[spikeAt]!.score).toBeGreaterThan(0.75);
    expect(r[spikeAt]!.score).toBeGreaterThan(Math.max(...r.slice(0, spikeAt).map((x) => x.score)));
    expect(r[spikeAt]!.upper).toBeLessThan(80);
  });

  it('follows a level shift within a few samples', () => {
    const noise = gaussian(13);
    const shiftAt = at(5 * DAY);
    const r = run(
      new ResidualRarityDetector(),
      series(6, (t) => (t >= 5 * DAY ? 80 : 50) + noise()),
    );
    expect(r[shiftAt + 20]!.expected).toBeGreaterThan(78);
  });

  it('restarts its forecast after a long gap instead of scoring the jump', () => {
    const noise = gaussian(14);
    const d = new ResidualRarityDetector();
    const before = series(5, (t) => 100 + 40 * Math.sin((2 * Math.PI * t) / DAY) + noise());
    run(d, before);
    // Six hours later the daily cycle has moved on by 40.
    const after = d.update(before.ts.at(-1)! + 6 * HOUR, 140);
    expect(after.score).toBe(0);
    expect(d.update(before.ts.at(-1)! + 6 * HOUR + 300_000, 140).expected).toBe(140);
  });

  it('scores missing points 0 and keeps its forecast', () => {
    const d = new ResidualRarityDetector();
    run(
      d,
      series(1, () => 10),
    );
    const r = d.update(Date.UTC(2026, 0, 6, 1), Number.NaN);
    expect(r.score).toBe(0);
    expect(r.expected).toBe(10);
  });
});
