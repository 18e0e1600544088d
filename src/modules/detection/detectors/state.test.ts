/**
 * Persistence: a snapshot taken mid-stream, written as JSON and restored into a fresh detector of the
 * same configuration must give exactly the outputs the original gives from there on; state stays the
 * same size however long the series.
 */
import { describe, expect, it } from 'vitest';
import { ContextNoveltyDetector, createDefaultDetector, ResidualRarityDetector } from './index.ts';
import { DAY, dailyTraffic, HOUR, run, series } from './test-signals.ts';
import type { AnomalyDetector, DetectorState } from './types.ts';

const factories: Record<string, () => AnomalyDetector> = {
  default: createDefaultDetector,
  context: () => new ContextNoveltyDetector(),
  residual: () => new ResidualRarityDetector(),
};

// Ten days with a few NaNs, a spike and a shift, so that every part of the state is exercised.
const s = series(10, (t, i) => {
  if (i % 97 === 5) return Number.NaN;
  const base = dailyTraffic(2, i)(t);
  return base + (t === 7 * DAY + 3 * HOUR ? 80 : 0) + (t > 8 * DAY ? 30 : 0);
});

describe.each(Object.keys(factories))('%s detector state', (name) => {
  const create = factories[name]!;

  it('restores from a JSON snapshot and then answers exactly as the original', () => {
    const half = Math.floor(s.ts.length / 2);
    const original = create();
    run(original, s, 0, half);
    const json = JSON.stringify(original.snapshot());
    const restored = create();
    restored.restore(JSON.parse(json) as DetectorState);
    expect(run(restored, s, half)).toEqual(run(original, s, half));
  });

  it('replays stored history into the same state as the live detector', () => {
    const live = create();
    run(live, s);
    const replayed = create();
    run(replayed, s);
    expect(JSON.stringify(replayed.snapshot())).toBe(JSON.stringify(live.snapshot()));
  });

  it('keeps a state of bounded size', () => {
    const d = create();
    run(d, series(2, dailyTraffic(2, 1)));
    const small = JSON.stringify(d.snapshot()).length;
    run(d, series(60, dailyTraffic(5, 2)));
    expect(JSON.stringify(d.snapshot()).length).toBeLessThan(small * 1.5);
  });

  it('refuses a snapshot of another kind', () => {
    const other = name === 'residual' ? new ContextNoveltyDetector() : new ResidualRarityDetector();
    expect(() => create().restore(other.snapshot())).toThrow(/cannot restore/);
  });
});
