/**
 * The detectors the NAB bench can run (`--detector <name>`): the shipped default and, for comparison,
 * its components alone and a detector that never fires.
 */
import {
  type AnomalyDetector,
  createDefaultDetector,
  DEFAULT_THRESHOLD,
  NO_RESULT,
} from '../../src/modules/detection/detectors/index.ts';

export interface DetectorSpec {
  create: () => AnomalyDetector;
  /** The threshold the product uses with this detector. */
  threshold: number;
  description: string;
}

const never: AnomalyDetector = {
  kind: 'null',
  update: () => NO_RESULT,
  snapshot: () => ({ kind: 'null', version: 1 }),
  restore: () => {},
};

export const DETECTORS: Record<string, DetectorSpec> = {
  steady: {
    create: createDefaultDetector,
    threshold: DEFAULT_THRESHOLD,
    description: 'the configuration the product ships (createDefaultDetector)',
  },
  null: { create: () => never, threshold: 0.5, description: 'never fires (scores 0 by definition)' },
};
