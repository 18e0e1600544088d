import type { Labels } from '../matchers.ts';

export type Suppression = 'inhibited' | 'silenced' | 'maintenance';

/** What muted an alert, kept on the alert so the console can say "silenced by …". */
export interface MutedBy {
  id: string | null;
  name: string;
}

/** A candidate for muting: its labels and identity. */
export interface MuteCandidate {
  fingerprint: string;
  labels: Labels;
}

/**
 * One noise-control stage, in the manner of Alertmanager's MuteStage: `load` reads what the stage needs
 * for a batch (active silences, firing source alerts) once, and returns the per-alert check.
 */
export interface MuteStage {
  readonly kind: Suppression;
  load(now: number): Promise<(alert: MuteCandidate) => Promise<MutedBy | null>>;
}
