/**
 * The life of one rule instance (one series of a rule, or one burn-rate window pair), as Prometheus
 * has it: inactive → pending (condition holds, `for` not yet elapsed) → firing → resolved (inactive).
 * Pure, so the `for`, recovery and no-data behaviour is tested with plain numbers.
 */

export type InstanceStateName = 'inactive' | 'pending' | 'firing';

export interface InstanceState {
  state: InstanceStateName;
  pendingSince: number | null;
  firingSince: number | null;
  resolvedAt: number | null;
  lastValue: number | null;
  lastEvalAt: number | null;
  lastSampleAt: number | null;
  /** Consecutive breaching results (probe down), kept while pending. */
  count: number;
}

export const initialState = (): InstanceState => ({
  state: 'inactive',
  pendingSince: null,
  firingSince: null,
  resolvedAt: null,
  lastValue: null,
  lastEvalAt: null,
  lastSampleAt: null,
  count: 0,
});

/** One evaluation: does the condition hold, and (while firing) has it recovered? */
export interface Verdict {
  breach: boolean;
  /** Only read while firing: true ends the alert. Usually `!breach`, or a separate recovery threshold. */
  recovered: boolean;
  value: number | null;
}

export type Transition = 'pending' | 'firing' | 'resolved' | 'cancelled' | null;

/** Applies one verdict at time `at`; `forMs` is how long the condition must hold before firing. */
export function step(
  prev: InstanceState,
  v: Verdict,
  at: number,
  forMs: number,
): [InstanceState, Transition] {
  const s: InstanceState = { ...prev, lastValue: v.value, lastEvalAt: at };
  switch (prev.state) {
    case 'inactive':
      if (!v.breach) return [s, null];
      if (forMs <= 0)
        return [{ ...s, state: 'firing', pendingSince: at, firingSince: at, resolvedAt: null }, 'firing'];
      return [{ ...s, state: 'pending', pendingSince: at, firingSince: null }, 'pending'];
    case 'pending': {
      if (!v.breach) return [{ ...s, state: 'inactive', pendingSince: null, count: 0 }, 'cancelled'];
      const since = prev.pendingSince ?? at;
      if (at - since >= forMs)
        return [{ ...s, state: 'firing', firingSince: at, resolvedAt: null }, 'firing'];
      return [s, null];
    }
    case 'firing':
      if (!v.recovered) return [s, null];
      return [
        { ...s, state: 'inactive', pendingSince: null, firingSince: null, resolvedAt: at, count: 0 },
        'resolved',
      ];
  }
}

/** A pending instance whose `for` has run out with no new sample to say otherwise fires at `at`. */
export function expire(prev: InstanceState, at: number, forMs: number): [InstanceState, Transition] {
  if (prev.state !== 'pending' || prev.pendingSince === null || at - prev.pendingSince < forMs)
    return [prev, null];
  return [{ ...prev, state: 'firing', firingSince: at, resolvedAt: null, lastEvalAt: at }, 'firing'];
}

export const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

/**
 * Threshold verdict with hysteresis: fires when `value op threshold`, resolves only once the value no
 * longer satisfies `value op recovery` (e.g. > 90 to fire, back to ≤ 80 to resolve), so a value hovering
 * at the threshold does not flap. NaN (Prometheus's staleness marker) neither breaches nor recovers.
 */
export function thresholdVerdict(
  value: number,
  op: string,
  threshold: number,
  recovery: number | null,
): Verdict {
  const cmp = COMPARE[op] ?? COMPARE['>']!;
  if (Number.isNaN(value)) return { breach: false, recovered: false, value: null };
  const breach = cmp(value, threshold);
  return { breach, recovered: !cmp(value, recovery ?? threshold), value };
}

/** What the engine and the preview do with one observation of an instance (see runtime.ts). */
export interface ObservationInput {
  at: number;
  verdict: Verdict;
  forMs: number;
  /** Probe down: breaching results needed in a row. */
  consecutive?: number | undefined;
  /** Anomaly: the detector is still learning the series; nothing fires. */
  warmingUp?: boolean | undefined;
}

export function applyObservation(prev: InstanceState, o: ObservationInput): [InstanceState, Transition] {
  let forMs = o.forMs;
  let verdict = o.verdict;
  let count = prev.count;
  if (o.consecutive !== undefined) {
    count = verdict.breach ? prev.count + 1 : 0;
    // Not enough failures in a row yet: pending (never firing) until the count is reached.
    forMs = count >= o.consecutive ? 0 : Number.POSITIVE_INFINITY;
  }
  if (o.warmingUp) verdict = { ...verdict, breach: false };
  const [next, t] = step(prev, verdict, o.at, forMs);
  return [{ ...next, lastSampleAt: o.at, count: next.state === 'inactive' ? 0 : count }, t];
}
