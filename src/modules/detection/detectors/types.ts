/**
 * The contract every streaming anomaly detector follows. A detector watches ONE series: it is created
 * with its configuration, fed the samples in time order and asked nothing else.
 */

/** What a detector says about one sample. */
export interface AnomalyResult {
  /** How anomalous the sample is, in [0, 1]; the product raises an anomaly at `DEFAULT_THRESHOLD`. */
  score: number;
  /** The value the detector expected at this time (NaN before it has learnt anything). */
  expected: number;
  /** The band of normal values around `expected` (NaN before it has learnt anything). */
  lower: number;
  upper: number;
}

/** A detector's state as plain JSON (numbers, strings, arrays, objects), to persist and restore. */
export interface DetectorState {
  kind: string;
  version: number;
  [field: string]: unknown;
}

export interface AnomalyDetector {
  /** Names the algorithm; also tags its snapshots. */
  readonly kind: string;
  /**
   * Consumes one sample. `ts` is epoch milliseconds and must not go backwards (a sample older than the
   * last one is ignored); `value` may be NaN (a missing point), which scores 0 and teaches nothing.
   * Memory is bounded and the work per sample does not grow with the length of the series.
   */
  update(ts: number, value: number): AnomalyResult;
  /** The whole learnt state, JSON-serialisable; `restore` of it reproduces the same future outputs. */
  snapshot(): DetectorState;
  /** Replaces the state by a snapshot of a detector of the same kind and configuration. */
  restore(state: DetectorState): void;
}

export const NO_RESULT: Readonly<AnomalyResult> = Object.freeze({
  score: 0,
  expected: Number.NaN,
  lower: Number.NaN,
  upper: Number.NaN,
});

/** Throws unless `state` is a snapshot of the expected kind and version. */
export function checkState(state: DetectorState, kind: string, version: number): void {
  if (state?.kind !== kind || state.version !== version) {
    throw new Error(
      `cannot restore a ${String(state?.kind)} v${String(state?.version)} state into ${kind} v${version}`,
    );
  }
}
