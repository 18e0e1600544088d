/**
 * Ensemble: several detectors on the same series, read as one.
 *
 * - Score: the highest component score (each component speaks on the same [0, 1] scale, where the
 *   product's threshold means "raise an anomaly"), so one clear witness is enough.
 * - Expected value and band: those of the component named by `bandFrom` (the one with a forecast).
 * - Quiet period: once the score reaches `alarmThreshold`, the next `quietSamples` samples report half
 *   their score unless it reaches `quietBar`. An anomaly that goes on (a shift that is still being
 *   learnt, a burst of spikes) is then reported once rather than on every sample, while a clearly
 *   stronger event still gets through and starts a new quiet period. Alert de-duplication downstream
 *   is no substitute: NAB, like an on-call engineer, counts every repeated alarm as a false one.
 */
import { type AnomalyDetector, type AnomalyResult, checkState, type DetectorState } from './types.ts';

export interface EnsembleConfig {
  alarmThreshold: number;
  quietSamples: number;
  quietBar: number;
  /** Index of the component whose expected value and band are reported. */
  bandFrom: number;
}

const KIND = 'ensemble';
const VERSION = 1;

export class EnsembleDetector implements AnomalyDetector {
  readonly kind = KIND;
  readonly config: Readonly<EnsembleConfig>;
  readonly components: readonly AnomalyDetector[];
  /** Samples since the last alarm; Infinity when there was none. */
  private sinceAlarm = Number.POSITIVE_INFINITY;

  constructor(components: AnomalyDetector[], config: EnsembleConfig) {
    if (components.length === 0) throw new Error('an ensemble needs at least one detector');
    this.components = components;
    this.config = Object.freeze({ ...config });
  }

  update(ts: number, value: number): AnomalyResult {
    let score = 0;
    let band: AnomalyResult | undefined;
    this.components.forEach((detector, i) => {
      const r = detector.update(ts, value);
      if (r.score > score) score = r.score;
      if (i === this.config.bandFrom) band = r;
    });
    if (Number.isFinite(value)) this.sinceAlarm++;
    const { alarmThreshold, quietSamples, quietBar } = this.config;
    if (this.sinceAlarm <= quietSamples && score < quietBar) score /= 2;
    else if (score >= alarmThreshold) this.sinceAlarm = 0;
    return {
      score,
      expected: band?.expected ?? Number.NaN,
      lower: band?.lower ?? Number.NaN,
      upper: band?.upper ?? Number.NaN,
    };
  }

  snapshot(): DetectorState {
    return {
      kind: KIND,
      version: VERSION,
      sinceAlarm: Number.isFinite(this.sinceAlarm) ? this.sinceAlarm : null,
      components: this.components.map((d) => d.snapshot()),
    };
  }

  restore(state: DetectorState): void {
    checkState(state, KIND, VERSION);
    const parts = state.components as DetectorState[];
    if (!Array.isArray(parts) || parts.length !== this.components.length)
      throw new Error('components differ');
    this.components.forEach((d, i) => {
      d.restore(parts[i]!);
    });
    this.sinceAlarm = typeof state.sinceAlarm === 'number' ? state.sinceAlarm : Number.POSITIVE_INFINITY;
  }
}
