import { describe, expect, it } from 'vitest';
import type { CostMatrix } from './corpus.ts';
import {
  normalise,
  PROBATION,
  prepareFile,
  probationLength,
  scaledSigmoid,
  scoreFile,
  sweep,
} from './scorer.ts';

const standard: CostMatrix = { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 };
const lowFp: CostMatrix = { tpWeight: 1, fnWeight: 1, fpWeight: 0.22 };
const lowFn: CostMatrix = { tpWeight: 1, fnWeight: 2, fpWeight: 0.11 };

// 1,000 rows: the first 150 are probationary; one window of width 100.
const ROWS = 1000;
const WINDOW: [number, number] = [400, 499];
const file = prepareFile(ROWS, [WINDOW]);

/** Scores with detections (score 1) at the given rows, 0 elsewhere. */
function detections(...rows: number[]): Float64Array {
  const s = new Float64Array(ROWS);
  for (const r of rows) s[r] = 1;
  return s;
}

const raw = (scores: Float64Array, cost = standard) => scoreFile(file, scores, 0.5, cost).raw;
const sig = (y: number) => 2 / (1 + Math.exp(5 * y)) - 1;

describe('NAB scorer', () => {
  it('uses a probationary period of 15% of the rows, at most 750', () => {
    expect(probationLength(1000)).toBe(150);
    expect(probationLength(4032)).toBe(604);
    expect(probationLength(22695)).toBe(750);
  });

  it('has the scaled sigmoid of the NAB scorer', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(3)).toBe(-1);
  });

  it('gives a perfect detector A_TP per window and a null detector -A_FN', () => {
    expect(raw(detections(WINDOW[0]))).toBeCloseTo(1, 10);
    expect(raw(new Float64Array(ROWS))).toBe(-1);
    expect(raw(new Float64Array(ROWS), lowFn)).toBe(-2);
  });

  it('rewards a detection at the left edge of a window much more than at the right edge', () => {
    const left = raw(detections(WINDOW[0]));
    const right = raw(detections(WINDOW[1]));
    expect(left).toBeCloseTo(1, 10);
    expect(right).toBeCloseTo(sig(-1 / 100) / sig(-1), 10);
    expect(right).toBeGreaterThan(0);
    expect(right).toBeLessThan(0.05);
    // Half-way in: y = -(499 - 450 + 1) / 100 = -0.5.
    expect(raw(detections(450))).toBeCloseTo(sig(-0.5) / sig(-1), 10);
  });

  it('counts only the first detection in a window', () => {
    expect(raw(detections(420, 430, 480))).toBeCloseTo(raw(detections(420)), 12);
    expect(scoreFile(file, detections(420, 430, 480), 0.5, standard)).toMatchObject({ tp: 1, fp: 0, fn: 0 });
  });

  it('charges -A_FP for a false positive before any window', () => {
    expect(raw(detections(200))).toBeCloseTo(-1 - 0.11, 12);
    expect(raw(detections(200), lowFp)).toBeCloseTo(-1 - 0.22, 12);
  });

  it('charges less for a false positive just after a window than far after it', () => {
    const justAfter = raw(detections(500)) + 1; // minus the missed window
    const farAfter = raw(detections(900)) + 1;
    expect(justAfter).toBeCloseTo(0.11 * sig(1 / 99), 12);
    expect(justAfter).toBeGreaterThan(-0.11 * 0.2);
    expect(farAfter).toBeCloseTo(-0.11, 12);
  });

  it('ignores the probationary period, and windows inside it', () => {
    expect(file.windowOf[149]).toBe(PROBATION);
    expect(raw(detections(10, 149))).toBe(-1);
    const early = prepareFile(ROWS, [
      [20, 60],
      [400, 499],
    ]);
    // The first window is wholly probationary: neither missed nor found.
    expect(scoreFile(early, new Float64Array(ROWS), 0.5, standard).raw).toBe(-1);
    expect(scoreFile(early, detections(30), 0.5, standard)).toMatchObject({ raw: -1, tp: 0, fp: 0, fn: 1 });
  });

  it('weights by profile', () => {
    const scores = detections(200, 420);
    const tp = sig(-(499 - 420 + 1) / 100) / sig(-1);
    expect(raw(scores, standard)).toBeCloseTo(tp - 0.11, 12);
    expect(raw(scores, lowFp)).toBeCloseTo(tp - 0.22, 12);
    expect(raw(new Float64Array(ROWS), lowFn)).toBe(-2);
  });

  it('normalises the null detector to 0 and the perfect one to 100', () => {
    const nullRaw = raw(new Float64Array(ROWS));
    const perfect = raw(detections(WINDOW[0]));
    expect(normalise(nullRaw, nullRaw, 1)).toBe(0);
    expect(normalise(perfect, nullRaw, 1)).toBeCloseTo(100, 8);
  });

  it('sweeps one threshold over all files and keeps the best', () => {
    // File A detects its window at 0.9 and has a false positive at 0.6; file B's window peaks at 0.7.
    const a = new Float64Array(ROWS);
    a[410] = 0.9;
    a[800] = 0.6;
    const b = new Float64Array(ROWS);
    b[405] = 0.7;
    const files = [
      { file, scores: a },
      { file, scores: b },
    ];
    const best = sweep(files, standard);
    // At 0.7 both windows are found and the false positive (0.6) is not: the best possible here.
    expect(best.threshold).toBe(0.7);
    const expected = scoreFile(file, a, 0.7, standard).raw + scoreFile(file, b, 0.7, standard).raw;
    expect(best.raw).toBeCloseTo(expected, 12);
    // Nothing to gain: the sweep keeps NAB's starting point, 1.1 (no detection at all).
    expect(sweep([{ file, scores: detections(900) }], standard)).toEqual({ threshold: 1.1, raw: -1 });
  });
});
