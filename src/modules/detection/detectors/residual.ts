/**
 * Residual rarity detector: "how rare is a surprise this large, for THIS series?"
 *
 * - Baseline: an exponentially weighted moving average (EWMA) of the values with a half-life of
 *   `levelHalfLife` samples is the expected value of the next sample; being short, it follows daily
 *   cycles and settles on a new level within a few samples after a shift.
 * - Scale: an EWMA of the absolute residual (a mean absolute deviation, half-life `scaleHalfLife`
 *   samples), each residual clipped at `clip` scales so that one spike does not blow it up. The
 *   standardised residual is `z = |value - expected| / scale`.
 * - Rarity: a histogram of past `z` values on a log scale whose counts decay with a half-life of
 *   `tailHalfLife` samples gives the empirical tail probability `p = (count(z' >= z) + 1) / (total + 1)`.
 *   No distribution is assumed, so heavy-tailed series (request counts, tweets) calibrate themselves.
 *   The score is `-log10(p) / rarityDecades`: a surprise seen once in 10^(score * rarityDecades)
 *   samples. Counts decaying with a half-life of 2,000 samples add up to at most ~2,900, so the score
 *   tops out near 0.86: a residual about as large as anything in recent memory.
 * - Band: `lower`/`upper` are `expected -/+ z* scale`, with `z*` the standardised residual exceeded by
 *   a share `bandTail` of the remembered ones (the largest one while memory is shorter than that).
 *
 * Missing points (NaN) are skipped. After a gap longer than `maxGapFactor` typical intervals the
 * baseline restarts from the next value (scored 0): a one-step forecast says nothing across a gap.
 * The first `warmup` samples only learn (their residuals, against a scale still being learnt, stay
 * out of the histogram).
 */
import { alphaForHalfLife, arrayFromJson, arrayToJson, Cadence, fromJson, toJson } from './math.ts';
import {
  type AnomalyDetector,
  type AnomalyResult,
  checkState,
  type DetectorState,
  NO_RESULT,
} from './types.ts';

export interface ResidualRarityConfig {
  levelHalfLife: number;
  scaleHalfLife: number;
  tailHalfLife: number;
  clip: number;
  rarityDecades: number;
  warmup: number;
  bandTail: number;
  maxGapFactor: number;
}

export const RESIDUAL_RARITY_DEFAULTS: Readonly<ResidualRarityConfig> = Object.freeze({
  levelHalfLife: 3,
  scaleHalfLife: 200,
  tailHalfLife: 2000,
  clip: 5,
  rarityDecades: 4,
  warmup: 50,
  bandTail: 0.001,
  maxGapFactor: 20,
});

const KIND = 'residual-rarity';
const VERSION = 1;
/** Histogram bins: bin = floor(8 log2(1 + z)), so 80 bins reach z = 1023. */
const BINS = 80;
const PER_OCTAVE = 8;
/** Samples during which the scale is a plain average before the EWMA takes over. */
const SCALE_START = 20;

const binOf = (z: number) => Math.min(BINS - 1, Math.floor(Math.log2(1 + z) * PER_OCTAVE));
const zAtBin = (bin: number) => 2 ** (bin / PER_OCTAVE) - 1;

export class ResidualRarityDetector implements AnomalyDetector {
  readonly kind = KIND;
  readonly config: Readonly<ResidualRarityConfig>;
  private readonly levelAlpha: number;
  private readonly scaleAlpha: number;
  private readonly keep: number;
  private n = 0;
  private level = Number.NaN;
  private scale = 0;
  private total = 0;
  private hist: Float64Array<ArrayBuffer> = new Float64Array(BINS);
  private readonly cadence = new Cadence();

  constructor(config: Partial<ResidualRarityConfig> = {}) {
    this.config = Object.freeze({ ...RESIDUAL_RARITY_DEFAULTS, ...config });
    this.levelAlpha = alphaForHalfLife(this.config.levelHalfLife);
    this.scaleAlpha = alphaForHalfLife(this.config.scaleHalfLife);
    this.keep = 1 - alphaForHalfLife(this.config.tailHalfLife);
  }

  update(ts: number, value: number): AnomalyResult {
    if (!Number.isFinite(value) || !Number.isFinite(ts)) return this.idle();
    const c = this.config;
    const broken = this.cadence.next(ts, c.maxGapFactor);
    this.n++;
    if (Number.isNaN(this.level) || broken) {
      this.level = value;
      return this.idle();
    }
    const expected = this.level;
    const residual = value - expected;
    // The floor keeps a perfectly flat series from dividing by zero: any change is then rare.
    const scale = Math.max(this.scale, 1e-9 + 1e-6 * Math.abs(expected));
    const z = Math.abs(residual) / scale;

    const bin = binOf(z);
    let atLeast = 0;
    for (let b = bin; b < BINS; b++) atLeast += this.hist[b]!;
    const rarity = -Math.log10((atLeast + 1) / (this.total + 1)) / c.rarityDecades;
    const band = this.bandZ() * scale;
    const score = this.n > c.warmup ? Math.min(1, rarity) : 0;

    if (this.n > c.warmup) {
      // Residuals of the first samples, against a scale still being learnt, would pollute the tail.
      for (let b = 0; b < BINS; b++) this.hist[b]! *= this.keep;
      this.hist[bin]! += 1;
      this.total = this.total * this.keep + 1;
    }
    const clipped = Math.min(Math.abs(residual), c.clip * scale);
    this.scale =
      this.n <= SCALE_START
        ? this.scale + (Math.abs(residual) - this.scale) / (this.n - 1)
        : this.scale + this.scaleAlpha * (clipped - this.scale);
    this.level += this.levelAlpha * residual;
    return { score, expected, lower: expected - band, upper: expected + band };
  }

  /** The standardised residual exceeded by a share `bandTail` of memory (upper edge of its bin). */
  private bandZ(): number {
    const target = Math.max(0, this.config.bandTail * this.total);
    let atLeast = 0;
    for (let b = BINS - 1; b >= 0; b--) {
      atLeast += this.hist[b]!;
      if (atLeast > target) return zAtBin(b + 1);
    }
    return zAtBin(1);
  }

  private idle(): AnomalyResult {
    if (Number.isNaN(this.level)) return NO_RESULT;
    const band = this.bandZ() * this.scale;
    return { score: 0, expected: this.level, lower: this.level - band, upper: this.level + band };
  }

  snapshot(): DetectorState {
    return {
      kind: KIND,
      version: VERSION,
      n: this.n,
      level: toJson(this.level),
      scale: this.scale,
      total: this.total,
      hist: arrayToJson(this.hist),
      cadence: this.cadence.toJson(),
    };
  }

  restore(state: DetectorState): void {
    checkState(state, KIND, VERSION);
    this.n = state.n as number;
    this.level = fromJson(state.level);
    this.scale = state.scale as number;
    this.total = state.total as number;
    this.hist = arrayFromJson(state.hist, BINS);
    this.cadence.fromJson(state.cadence);
  }
}
