import { describe, expect, it } from 'vitest';
import { EnsembleDetector } from './ensemble.ts';
import type { AnomalyDetector, AnomalyResult } from './types.ts';

/** A detector that answers a scripted score per sample. */
function scripted(scores: number[], expected = 0): AnomalyDetector {
  let i = 0;
  return {
    kind: 'scripted',
    update: (): AnomalyResult => ({
      score: scores[i++] ?? 0,
      expected,
      lower: expected - 1,
      upper: expected + 1,
    }),
    snapshot: () => ({ kind: 'scripted', version: 1, i }),
    restore: (s) => {
      i = s.i as number;
    },
  };
}

const config = { alarmThreshold: 0.8, quietSamples: 3, quietBar: 0.95, bandFrom: 1 };
const feed = (d: AnomalyDetector, n: number) => Array.from({ length: n }, (_, i) => d.update(i, 1).score);

describe('ensemble', () => {
  it('takes the highest component score and the band of the chosen component', () => {
    const d = new EnsembleDetector([scripted([0.2, 0.5], 1), scripted([0.4, 0.1], 7)], config);
    expect(d.update(0, 1)).toEqual({ score: 0.4, expected: 7, lower: 6, upper: 8 });
    expect(d.update(1, 1).score).toBe(0.5);
  });

  it('halves scores for a quiet period after an alarm, unless they reach the bar', () => {
    const d = new EnsembleDetector([scripted([0.9, 0.9, 0.9, 0.9, 0.9, 0.97, 0.9, 0.9, 0.9, 0.9])], {
      ...config,
      bandFrom: 0,
    });
    expect(feed(d, 10)).toEqual([0.9, 0.45, 0.45, 0.45, 0.9, 0.97, 0.45, 0.45, 0.45, 0.9]);
  });

  it('does not count missing points in the quiet period', () => {
    const d = new EnsembleDetector([scripted([0.9, 0, 0, 0, 0.9])], { ...config, bandFrom: 0 });
    expect(d.update(0, 1).score).toBe(0.9);
    d.update(1, Number.NaN);
    d.update(2, Number.NaN);
    d.update(3, 1);
    expect(d.update(4, 1).score).toBe(0.45);
  });

  it('restores its quiet period with its components', () => {
    const make = () =>
      new EnsembleDetector([scripted([0.9, 0.9, 0.9, 0.9, 0.9])], { ...config, bandFrom: 0 });
    const a = make();
    feed(a, 2);
    const b = make();
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(feed(b, 3)).toEqual(feed(a, 3));
  });
});
