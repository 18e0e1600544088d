/**
 * The detectors the NAB bench can run (`--detector <name>`): the shipped default and, for comparison,
 * each of its components alone (with the same quiet period) and a detector that never fires.
 */
import {
  type AnomalyDetector,
  ContextNoveltyDetector,
  createDefaultDetector,
  DEFAULT_THRESHOLD,
  ensembleOf,
  NO_RESULT,
  ResidualRarityDetector,
} from '../../src/modules/detection/detectors/index.ts';

export interface DetectorSpec {
  create: () => AnomalyDetector;
  /** The threshold the product uses with this detector. */
  threshold: number;
  description: string;
}

const never = (): AnomalyDetector => ({
  kind: 'null',
  update: () => NO_RESULT,
  snapshot: () => ({ kind: 'null', version: 1 }),
  restore: () => {},
});

export const DETECTORS: Record<string, DetectorSpec> = {
  steady: {
    create: createDefaultDetector,
    threshold: DEFAULT_THRESHOLD,
    description: 'the configuration the product ships (createDefaultDetector)',
  },
  context: {
    create: () => ensembleOf([new ContextNoveltyDetector()]),
    threshold: DEFAULT_THRESHOLD,
    description: 'context novelty alone, with the shipped quiet period',
  },
  residual: {
    create: () => ensembleOf([new ResidualRarityDetector()]),
    threshold: DEFAULT_THRESHOLD,
    description: 'residual rarity alone, with the shipped quiet period',
  },
  null: { create: never, threshold: DEFAULT_THRESHOLD, description: 'never fires (scores 0 by definition)' },
};
