/**
 * Streaming anomaly detectors (see docs/anomaly-detection.md): one detector per series, fed samples in
 * time order, each answering a score in [0, 1] plus an expected value and band.
 */
import { ContextNoveltyDetector } from './context.ts';
import { EnsembleDetector } from './ensemble.ts';
import { ResidualRarityDetector } from './residual.ts';
import type { AnomalyDetector } from './types.ts';

export { CONTEXT_NOVELTY_DEFAULTS, type ContextNoveltyConfig, ContextNoveltyDetector } from './context.ts';
export { type EnsembleConfig, EnsembleDetector } from './ensemble.ts';
export { RESIDUAL_RARITY_DEFAULTS, type ResidualRarityConfig, ResidualRarityDetector } from './residual.ts';
export { type AnomalyDetector, type AnomalyResult, type DetectorState, NO_RESULT } from './types.ts';

/** The score at which the product raises an anomaly (chosen on NAB: see docs/anomaly-detection.md). */
export const DEFAULT_THRESHOLD = 0.82;

/** Quiet period after an alarm, in samples, and the score that still breaks through it. */
const QUIET_SAMPLES = 200;
const QUIET_BAR = 0.95;

/** Wraps detectors in the shipped ensemble settings (max of scores, quiet period after an alarm). */
export function ensembleOf(components: AnomalyDetector[]): EnsembleDetector {
  return new EnsembleDetector(components, {
    alarmThreshold: DEFAULT_THRESHOLD,
    quietSamples: QUIET_SAMPLES,
    quietBar: QUIET_BAR,
    bandFrom: 0,
  });
}

/** The one configuration the product ships: residual rarity (with the band) + context novelty. */
export function createDefaultDetector(): EnsembleDetector {
  return ensembleOf([new ResidualRarityDetector(), new ContextNoveltyDetector()]);
}
