/**
 * NAB's scoring, restated in TypeScript (after numenta/NAB `nab/sweeper.py` and the corpus README):
 *
 * - the first `min(floor(0.15 N), 750)` rows of a file (the probationary period) are never scored;
 * - a detection is a row whose anomaly score is at or above the threshold;
 * - inside a window `[left, right]` of width `w`, row `i` is worth `A_TP * sig(y) / sig(-1)` with
 *   `y = -(right - i + 1) / w`; only the best (that is, the first) detection of a window counts, and a
 *   window without one costs `-A_FN`;
 * - outside every window, a detection costs `A_FP * sig(y)` with `y = |i - r| / (w - 1)`, `r` and `w`
 *   being the right edge and width of the preceding window; with none before it, `y = 3` (`-A_FP`);
 * - `sig(y) = 2 / (1 + exp(5 y)) - 1`, and `-1` once `y >= 3`;
 * - ONE threshold per profile is swept over the pooled rows of the whole corpus, keeping the best;
 * - normalised score = `100 (raw - raw_null) / (raw_perfect - raw_null)`.
 *
 * Hand-written because NAB exists only as a Python package; `scorer.test.ts` checks it on small cases.
 */
import type { CostMatrix } from './corpus.ts';

/** Rows marking in `PreparedFile.windowOf`. */
export const OUTSIDE = -1;
export const PROBATION = -2;

export function probationLength(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 0.15 * 5000);
}

/** NAB's scaled sigmoid. */
export function scaledSigmoid(y: number): number {
  if (y >= 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

const MAX_TP = scaledSigmoid(-1);

/** The profile-independent part of a file's scoring: which window each row is in and its worth. */
export interface PreparedFile {
  rows: number;
  windowCount: number;
  /** Local window index of each row, or OUTSIDE, or PROBATION. */
  windowOf: Int32Array;
  /** Unweighted worth of a detection at each row: `sig(y)/sig(-1)` inside a window, `sig(y)` outside. */
  worth: Float64Array;
}

/** `windows`: inclusive row ranges `[left, right]`, sorted and not overlapping. */
export function prepareFile(rows: number, windows: ReadonlyArray<readonly [number, number]>): PreparedFile {
  const windowOf = new Int32Array(rows).fill(OUTSIDE);
  const worth = new Float64Array(rows);
  const probation = probationLength(rows);
  let prevRight = -1;
  let prevWidth = 0;
  let next = 0;
  for (let i = 0; i < rows; i++) {
    const win = windows[next];
    if (win && i >= win[0] && i <= win[1]) {
      const width = win[1] - win[0] + 1;
      worth[i] = scaledSigmoid(-(win[1] - i + 1) / width) / MAX_TP;
      windowOf[i] = next;
      if (i === win[1]) {
        prevRight = i;
        prevWidth = width;
        next++;
      }
    } else {
      worth[i] = scaledSigmoid(prevRight < 0 ? 3 : Math.abs(i - prevRight) / (prevWidth - 1));
    }
    if (i < probation) windowOf[i] = PROBATION;
  }
  return { rows, windowCount: windows.length, windowOf, worth };
}

export interface Tally {
  raw: number;
  tp: number;
  fp: number;
  fn: number;
}

/** Raw score of one file at a fixed threshold. */
export function scoreFile(
  file: PreparedFile,
  scores: ArrayLike<number>,
  threshold: number,
  cost: CostMatrix,
): Tally {
  const best = new Float64Array(file.windowCount).fill(Number.NaN);
  let fpSum = 0;
  let fp = 0;
  for (let i = 0; i < file.rows; i++) {
    const w = file.windowOf[i]!;
    if (w === PROBATION) continue;
    if (w >= 0) {
      // Mark the window as scorable even without a detection.
      if (Number.isNaN(best[w]!)) best[w] = -cost.fnWeight;
      if (scores[i]! >= threshold) best[w] = Math.max(best[w]!, file.worth[i]! * cost.tpWeight);
    } else if (scores[i]! >= threshold) {
      fpSum += file.worth[i]! * cost.fpWeight;
      fp++;
    }
  }
  let raw = fpSum;
  let tp = 0;
  let fn = 0;
  for (const b of best) {
    if (Number.isNaN(b)) continue; // window wholly inside the probationary period: not scored
    raw += b;
    if (b === -cost.fnWeight) fn++;
    else tp++;
  }
  return { raw, tp, fp, fn };
}

export interface SweepResult {
  threshold: number;
  raw: number;
}

/**
 * NAB's threshold sweep: every distinct score of the pooled, scorable rows of all files is a candidate
 * threshold; the first best from the top (the highest threshold among ties) wins. Starts at 1.1, where
 * nothing is detected.
 */
export function sweep(
  files: ReadonlyArray<{ file: PreparedFile; scores: ArrayLike<number> }>,
  cost: CostMatrix,
): SweepResult {
  let total = 0;
  let count = 0;
  for (const { file } of files) {
    for (let i = 0; i < file.rows; i++) if (file.windowOf[i] !== PROBATION) count++;
  }
  const score = new Float64Array(count);
  const worth = new Float64Array(count);
  const win = new Int32Array(count); // global window id, or -1
  let windowBase = 0;
  let k = 0;
  for (const { file, scores } of files) {
    for (let i = 0; i < file.rows; i++) {
      const w = file.windowOf[i]!;
      if (w === PROBATION) continue;
      score[k] = scores[i]!;
      worth[k] = w >= 0 ? file.worth[i]! * cost.tpWeight : file.worth[i]! * cost.fpWeight;
      win[k] = w >= 0 ? windowBase + w : -1;
      k++;
    }
    windowBase += file.windowCount;
  }
  const best = new Float64Array(windowBase).fill(Number.NaN);
  for (let j = 0; j < count; j++) {
    const w = win[j]!;
    if (w >= 0 && Number.isNaN(best[w]!)) {
      best[w] = -cost.fnWeight;
      total -= cost.fnWeight;
    }
  }
  const order = new Uint32Array(count);
  for (let j = 0; j < count; j++) order[j] = j;
  order.sort((a, b) => score[b]! - score[a]!);

  let bestResult: SweepResult = { threshold: 1.1, raw: total };
  let current = 1.1;
  for (let j = 0; j < count; j++) {
    const p = order[j]!;
    const s = score[p]!;
    if (s !== current) {
      if (total > bestResult.raw) bestResult = { threshold: current, raw: total };
      current = s;
    }
    const w = win[p]!;
    if (w < 0) total += worth[p]!;
    else if (worth[p]! > best[w]!) {
      total += worth[p]! - best[w]!;
      best[w] = worth[p]!;
    }
  }
  if (total > bestResult.raw) bestResult = { threshold: current, raw: total };
  return bestResult;
}

/** NAB's normalisation: never firing scores 0, a detection at every window's left edge 100. */
export function normalise(raw: number, nullRaw: number, perfectRaw: number): number {
  return (100 * (raw - nullRaw)) / (perfectRaw - nullRaw);
}
