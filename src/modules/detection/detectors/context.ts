/**
 * Context novelty detector: "has this series ever been HERE, in THIS context?"
 *
 * The idea is CAD OSE's (Contextual Anomaly Detector, NAB's 69.9): discretise the value into a few
 * coarse levels and flag what was never seen before. Here the contexts are kept small and fixed, so
 * memory is a handful of bit sets and each sample costs O(tilings):
 *
 * - Levels: the range seen so far, widened by `margin` times itself on both sides, is cut into `bins`
 *   levels (8 levels over three times the range: normal data moves across three of them).
 *   A value outside the widened range re-cuts the levels from the new range and forgets everything
 *   learnt (all contexts restart), since old levels mean nothing on the new scale.
 * - Tilings: `tilings` copies of the level grid, each shifted by a fraction of a level; each copy keeps
 *   its own memory and the score is their mean, so a bin edge falling just so cannot make or break an
 *   alarm (tile coding).
 * - Contexts scored per tiling, each sample taking the highest:
 *   a level never seen (1), a move from the previous level to another never seen (`transitionScore`), a
 *   level never seen at this time of day (`dailyScore`, one of `dailyBins` slots, only once the memory
 *   is `dailyAfterDays` old) or at this time of the week (`weeklyScore`, `weeklyBins` slots, after
 *   `weeklyAfterDays`). The daily and weekly contexts make the detector seasonality-aware: e-commerce
 *   traffic that stops following its daily or weekly shape lands in an unseen (time slot, level) pair.
 * - Records: a value beyond the extremes seen so far scores `recordScore`, rising to 1 when it exceeds
 *   them by `recordFullExcess` of the range. With `rangeMemory` > 0 the extremes are those of the last
 *   `rangeMemory` samples (kept as 16 block minima/maxima), and once they span less than a quarter of the
 *   current levels' range the levels are re-cut finer (and contexts restart); 0 remembers forever.
 *
 * Missing points (NaN) are skipped; a gap longer than `maxGapFactor` typical intervals breaks the
 * transition chain (the level after a gap is not judged as a transition).
 */
import { BitSet } from './bits.ts';
import { arrayFromJson, arrayToJson, Cadence, fromJson, toJson } from './math.ts';
import { type AnomalyDetector, type AnomalyResult, checkState, type DetectorState } from './types.ts';

export interface ContextNoveltyConfig {
  bins: number;
  margin: number;
  tilings: number;
  /** Samples that only learn the range. */
  warmup: number;
  /** Samples a restarted memory learns before its novelty counts. */
  settle: number;
  transitionScore: number;
  dailyBins: number;
  dailyScore: number;
  dailyAfterDays: number;
  weeklyBins: number;
  weeklyScore: number;
  weeklyAfterDays: number;
  recordScore: number;
  recordFullExcess: number;
  rangeMemory: number;
  maxGapFactor: number;
  /** Shifts the day and week boundaries to local time (minutes east of UTC). */
  utcOffsetMinutes: number;
}

export const CONTEXT_NOVELTY_DEFAULTS: Readonly<ContextNoveltyConfig> = Object.freeze({
  bins: 8,
  margin: 1,
  tilings: 4,
  warmup: 30,
  settle: 1,
  transitionScore: 0.86,
  dailyBins: 24,
  dailyScore: 0.9,
  dailyAfterDays: 4,
  weeklyBins: 28,
  weeklyScore: 0.9,
  weeklyAfterDays: 21,
  recordScore: 0.8,
  recordFullExcess: 0.05,
  rangeMemory: 8640,
  maxGapFactor: 20,
  utcOffsetMinutes: 0,
});

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const KIND = 'context-novelty';
const VERSION = 1;
/** Blocks of the sliding extremes when `rangeMemory` > 0. */
const BLOCKS = 16;

interface Memory {
  level: BitSet;
  transition: BitSet;
  daily: BitSet;
  weekly: BitSet;
}

export class ContextNoveltyDetector implements AnomalyDetector {
  readonly kind = KIND;
  readonly config: Readonly<ContextNoveltyConfig>;
  private readonly levels: number;
  private readonly blockSize: number;
  private readonly memory: Memory[];
  private readonly prev: Int32Array;
  private n = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private lo = 0;
  private step = 1;
  private learningSince = Number.NaN;
  /** Samples learnt since the memory (re)started. */
  private learnt = 0;
  private readonly cadence = new Cadence();
  /** Sliding extremes: block `(n / blockSize) % BLOCKS` is the one being filled. */
  private blockMin: Float64Array;
  private blockMax: Float64Array;

  constructor(config: Partial<ContextNoveltyConfig> = {}) {
    this.config = Object.freeze({ ...CONTEXT_NOVELTY_DEFAULTS, ...config });
    const c = this.config;
    this.levels = c.bins + 1; // shifted tilings reach one level further
    this.blockSize = c.rangeMemory > 0 ? Math.max(1, Math.ceil(c.rangeMemory / BLOCKS)) : 0;
    this.blockMin = new Float64Array(BLOCKS).fill(Number.POSITIVE_INFINITY);
    this.blockMax = new Float64Array(BLOCKS).fill(Number.NEGATIVE_INFINITY);
    this.memory = Array.from({ length: c.tilings }, () => ({
      level: new BitSet(this.levels),
      transition: new BitSet(this.levels * this.levels),
      daily: new BitSet(c.dailyBins * this.levels),
      weekly: new BitSet(c.weeklyBins * this.levels),
    }));
    this.prev = new Int32Array(c.tilings).fill(-1);
  }

  update(ts: number, value: number): AnomalyResult {
    if (!Number.isFinite(value) || !Number.isFinite(ts)) return this.result(0);
    const c = this.config;
    if (Number.isNaN(this.learningSince)) this.learningSince = ts;
    const broken = this.cadence.next(ts, c.maxGapFactor);
    this.n++;
    const learning = this.n <= c.warmup;

    // Records, judged against the extremes before this sample.
    let score = 0;
    const range = this.max - this.min;
    if (!learning && (value > this.max || value < this.min)) {
      const excess =
        range > 0 ? Math.max(value - this.max, this.min - value) / range : Number.POSITIVE_INFINITY;
      score = c.recordScore + (1 - c.recordScore) * Math.min(1, excess / c.recordFullExcess);
    }
    this.track(value);

    const span = this.step * c.bins;
    const narrowed = this.blockSize > 0 && this.cutRange() * (1 + 2 * c.margin) < span / 4;
    if (learning || value < this.lo || value > this.lo + span || narrowed) this.recut(ts, !learning);
    if (learning) return this.result(0);

    const local = ts + c.utcOffsetMinutes * 60_000;
    const daySlot = Math.floor((((local % DAY) + DAY) % DAY) / (DAY / c.dailyBins));
    // Epoch day 0 was a Thursday: shift by 3 days so that slot 0 starts on Monday.
    const weekSlot = Math.floor(((((local + 3 * DAY) % WEEK) + WEEK) % WEEK) / (WEEK / c.weeklyBins));
    const age = ts - this.learningSince;
    const dailyOn = age > c.dailyAfterDays * DAY;
    const weeklyOn = age > c.weeklyAfterDays * DAY;
    const settled = ++this.learnt > c.settle;

    let novelty = 0;
    for (let t = 0; t < c.tilings; t++) {
      const m = this.memory[t]!;
      const level = Math.min(
        this.levels - 1,
        Math.max(0, Math.floor((value - this.lo) / this.step + t / c.tilings)),
      );
      const prev = broken ? -1 : this.prev[t]!;
      let s = 0;
      if (!m.level.has(level)) s = 1;
      if (prev >= 0 && prev !== level && !m.transition.has(prev * this.levels + level))
        s = Math.max(s, c.transitionScore);
      if (!m.daily.has(daySlot * this.levels + level) && dailyOn) s = Math.max(s, c.dailyScore);
      if (!m.weekly.has(weekSlot * this.levels + level) && weeklyOn) s = Math.max(s, c.weeklyScore);
      if (settled) novelty += s;
      m.level.add(level);
      if (prev >= 0) m.transition.add(prev * this.levels + level);
      m.daily.add(daySlot * this.levels + level);
      m.weekly.add(weekSlot * this.levels + level);
      this.prev[t] = level;
    }
    return this.result(Math.max(score, novelty / c.tilings));
  }

  /** Updates the extremes with `value` (all-time, or over the last `rangeMemory` samples). */
  private track(value: number): void {
    if (this.blockSize === 0) {
      if (value > this.max) this.max = value;
      if (value < this.min) this.min = value;
      return;
    }
    const position = this.n - 1;
    const block = Math.floor(position / this.blockSize) % BLOCKS;
    if (position % this.blockSize === 0) {
      this.blockMin[block] = value;
      this.blockMax[block] = value;
    } else {
      if (value < this.blockMin[block]!) this.blockMin[block] = value;
      if (value > this.blockMax[block]!) this.blockMax[block] = value;
    }
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let b = 0; b < BLOCKS; b++) {
      if (this.blockMin[b]! < min) min = this.blockMin[b]!;
      if (this.blockMax[b]! > max) max = this.blockMax[b]!;
    }
    this.min = min;
    this.max = max;
  }

  /** The range the levels are cut from; a flat series gets 1% of its value (or 1). */
  private cutRange(): number {
    return this.max - this.min || Math.abs(this.max) * 0.01 || 1;
  }

  /** Cuts the levels from the current extremes; `forget` also restarts every context. */
  private recut(ts: number, forget: boolean): void {
    const c = this.config;
    const range = this.cutRange();
    this.lo = this.min - c.margin * range;
    this.step = (range * (1 + 2 * c.margin)) / c.bins;
    if (!forget) return;
    for (const m of this.memory) {
      m.level.clear();
      m.transition.clear();
      m.daily.clear();
      m.weekly.clear();
    }
    this.prev.fill(-1);
    this.learningSince = ts;
    this.learnt = 0;
  }

  private result(score: number): AnomalyResult {
    // No point forecast: the band is the range of values seen so far.
    const known = this.n > 0 && Number.isFinite(this.min);
    return {
      score,
      expected: Number.NaN,
      lower: known ? this.min : Number.NaN,
      upper: known ? this.max : Number.NaN,
    };
  }

  snapshot(): DetectorState {
    return {
      kind: KIND,
      version: VERSION,
      n: this.n,
      min: toJson(this.min),
      max: toJson(this.max),
      lo: this.lo,
      step: this.step,
      learningSince: toJson(this.learningSince),
      learnt: this.learnt,
      cadence: this.cadence.toJson(),
      prev: Array.from(this.prev),
      blockMin: arrayToJson(this.blockMin),
      blockMax: arrayToJson(this.blockMax),
      memory: this.memory.map((m) => [
        m.level.toHex(),
        m.transition.toHex(),
        m.daily.toHex(),
        m.weekly.toHex(),
      ]),
    };
  }

  restore(state: DetectorState): void {
    checkState(state, KIND, VERSION);
    const memory = state.memory as string[][];
    if (!Array.isArray(memory) || memory.length !== this.config.tilings) throw new Error('tilings differ');
    this.n = state.n as number;
    const min = fromJson(state.min);
    const max = fromJson(state.max);
    this.min = Number.isNaN(min) ? Number.POSITIVE_INFINITY : min;
    this.max = Number.isNaN(max) ? Number.NEGATIVE_INFINITY : max;
    this.lo = state.lo as number;
    this.step = state.step as number;
    this.learningSince = fromJson(state.learningSince);
    this.learnt = state.learnt as number;
    this.cadence.fromJson(state.cadence);
    this.prev.set(state.prev as number[]);
    this.blockMin = arrayFromJson(state.blockMin, BLOCKS).map((x) =>
      Number.isNaN(x) ? Number.POSITIVE_INFINITY : x,
    );
    this.blockMax = arrayFromJson(state.blockMax, BLOCKS).map((x) =>
      Number.isNaN(x) ? Number.NEGATIVE_INFINITY : x,
    );
    memory.forEach((hex, t) => {
      const m = this.memory[t]!;
      m.level.fromHex(hex[0]!);
      m.transition.fromHex(hex[1]!);
      m.daily.fromHex(hex[2]!);
      m.weekly.fromHex(hex[3]!);
    });
  }
}
