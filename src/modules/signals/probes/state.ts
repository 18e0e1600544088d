import type { ProbeState } from './probes.schemas.ts';

export interface Transition {
  state: ProbeState;
  consecutiveFailures: number;
  /** The failure or degradation reason that goes with the new state (null when plainly up). */
  reason: string | null;
}

/**
 * The probe state machine. A pass is `up` (or `degraded` when slow or its certificate is close to
 * expiry). A failure is tolerated `retries` times in a row as `pending-retry`, so one lost packet does not
 * page anyone; the next failure makes it `down`, and it stays down until a pass. Pausing is done by the
 * service, outside this function: a paused probe does not run.
 */
export function nextState(
  current: { state: ProbeState; consecutiveFailures: number },
  outcome: { ok: boolean; degraded: string | null; reason: string | null },
  retries: number,
): Transition {
  if (outcome.ok) {
    return outcome.degraded
      ? { state: 'degraded', consecutiveFailures: 0, reason: outcome.degraded }
      : { state: 'up', consecutiveFailures: 0, reason: null };
  }
  const failures = current.consecutiveFailures + 1;
  const down = current.state === 'down' || failures > retries;
  return { state: down ? 'down' : 'pending-retry', consecutiveFailures: failures, reason: outcome.reason };
}
