/**
 * Bounded-memory windows for the windowed rule kinds. Filled from the store once (after a start or when
 * a series first appears) and then kept up to date by the samples that stream in, so an evaluation never
 * reads the store again.
 */

/** Recent points of one series, enough to answer "what was the value `window` ago". */
export class PointWindow {
  private ts: number[] = [];
  private values: number[] = [];
  private readonly windowMs: number;
  private readonly maxPoints: number;

  constructor(windowMs: number, maxPoints = 512) {
    this.windowMs = windowMs;
    this.maxPoints = maxPoints;
  }

  push(ts: number, value: number): void {
    if (Number.isNaN(value)) return;
    const n = this.ts.length;
    if (n > 0 && ts <= this.ts[n - 1]!) return;
    this.ts.push(ts);
    this.values.push(value);
    // Keep one point older than the window: it is the "value a window ago" until a newer one ages out.
    let drop = 0;
    while (drop + 1 < this.ts.length && this.ts[drop + 1]! <= ts - this.windowMs) drop++;
    if (drop > 0) {
      this.ts.splice(0, drop);
      this.values.splice(0, drop);
    }
    if (this.ts.length > this.maxPoints) {
      // Halve the resolution (keep the first, newest and every other point): memory stays bounded and
      // the oldest point, the one compared against, survives.
      const keep = (_: number, i: number, a: number[]) => i === 0 || i === a.length - 1 || i % 2 === 0;
      this.ts = this.ts.filter(keep);
      this.values = this.values.filter(keep);
    }
  }

  /** Change from the value at (or just before) `window` ago to the newest; null until the window is covered. */
  change(mode: 'percent' | 'absolute'): number | null {
    const n = this.ts.length;
    if (n < 2) return null;
    const newest = this.values[n - 1]!;
    const base = this.values[0]!;
    // Not covered yet: the oldest point is much newer than a window ago.
    if (this.ts[n - 1]! - this.ts[0]! < this.windowMs * 0.9) return null;
    if (mode === 'absolute') return newest - base;
    if (base === 0) return newest === 0 ? 0 : null;
    return ((newest - base) / Math.abs(base)) * 100;
  }

  get size(): number {
    return this.ts.length;
  }
}

const MINUTE = 60_000;

/**
 * Per-minute sums of bad and total events over the longest burn-rate window (3 days: 4,320 minutes,
 * two Float64Arrays, ~70 KB per rule). Counters become increments here, so counter resets are handled
 * once, where the samples arrive.
 */
export class MinuteBuckets {
  private readonly bad: Float64Array;
  private readonly total: Float64Array;
  private readonly minutes: number;
  /** The minute the newest bucket holds. */
  private head = -1;

  constructor(spanMs: number) {
    this.minutes = Math.max(1, Math.ceil(spanMs / MINUTE) + 1);
    this.bad = new Float64Array(this.minutes);
    this.total = new Float64Array(this.minutes);
  }

  add(ts: number, bad: number, total: number): void {
    const minute = Math.floor(ts / MINUTE);
    if (this.head >= 0 && minute <= this.head - this.minutes) return;
    if (minute > this.head) {
      if (this.head >= 0) {
        for (let m = Math.max(this.head + 1, minute - this.minutes + 1); m <= minute; m++) {
          const idx = ((m % this.minutes) + this.minutes) % this.minutes;
          this.bad[idx] = 0;
          this.total[idx] = 0;
        }
      }
      this.head = minute;
    }
    const idx = ((minute % this.minutes) + this.minutes) % this.minutes;
    this.bad[idx]! += bad;
    this.total[idx]! += total;
  }

  /**
   * bad / total over the last `windowMs` of whole minutes before `at`'s minute; null with no events. The
   * minute in progress is left out: its counters arrive in separate batches (total before errors, say),
   * and a half-filled minute would make the short window flap.
   */
  ratio(at: number, windowMs: number): number | null {
    const end = Math.min(Math.floor(at / MINUTE) - 1, this.head);
    const count = Math.min(this.minutes, Math.ceil(windowMs / MINUTE));
    let bad = 0;
    let total = 0;
    for (let m = end - count + 1; m <= end; m++) {
      if (m <= this.head - this.minutes) continue;
      const idx = ((m % this.minutes) + this.minutes) % this.minutes;
      bad += this.bad[idx]!;
      total += this.total[idx]!;
    }
    return total > 0 ? bad / total : null;
  }
}

/** Turns successive counter samples into increments, treating a drop as a reset (as `increase` does). */
export class CounterDelta {
  private readonly last = new Map<string, number>();
  private readonly maxSeries: number;

  constructor(maxSeries = 10_000) {
    this.maxSeries = maxSeries;
  }

  delta(key: string, value: number): number {
    if (Number.isNaN(value)) return 0;
    const prev = this.last.get(key);
    if (prev === undefined && this.last.size >= this.maxSeries) return 0;
    this.last.set(key, value);
    if (prev === undefined) return 0;
    return value >= prev ? value - prev : value;
  }
}

/** "5m", "1h", "3d" → milliseconds. */
export function durationMs(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text);
  if (!m) throw new Error(`bad duration ${text}`);
  const unit = { s: 1000, m: MINUTE, h: 60 * MINUTE, d: 1440 * MINUTE }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
