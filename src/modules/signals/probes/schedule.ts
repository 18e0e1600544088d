/**
 * Where a probe's runs fall in time. Each probe runs on its own grid `phase + k·interval`, the phase
 * taken from a hash of its id: 10,000 probes with a 60 s interval start spread evenly over the minute
 * instead of all at :00, and every instance computes the same slot times, so the job dedupe key
 * `probe:<id>:<slot>` makes several instances schedule a slot once.
 */

/** FNV-1a, 32 bit: stable across processes and versions (unlike any runtime hash). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export const phaseOf = (id: string, intervalMs: number): number => fnv1a(id) % intervalMs;

/** The first slot strictly after `t`. */
export function nextSlotAfter(id: string, intervalMs: number, t: number): number {
  const phase = phaseOf(id, intervalMs);
  return Math.floor((t - phase) / intervalMs + 1) * intervalMs + phase;
}

/** Whether `slot` lies on the probe's current grid (a job from before an interval change does not). */
export const onGrid = (id: string, intervalMs: number, slot: number): boolean =>
  (((slot - phaseOf(id, intervalMs)) % intervalMs) + intervalMs) % intervalMs === 0;

export const slotKey = (id: string, slot: number): string => `probe:${id}:${slot}`;
