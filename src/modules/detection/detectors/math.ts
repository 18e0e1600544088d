/** Small numeric helpers shared by the detectors. */

/** EWMA weight of the newest sample for a half-life given in samples. */
export function alphaForHalfLife(halfLife: number): number {
  return 1 - 2 ** (-1 / Math.max(halfLife, 1e-9));
}

/** NaN-safe JSON: NaN and infinities become null in snapshots and come back as NaN. */
export function toJson(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export function fromJson(x: unknown): number {
  return typeof x === 'number' ? x : Number.NaN;
}

export function arrayToJson(a: ArrayLike<number>): Array<number | null> {
  return Array.from(a, toJson);
}

export function arrayFromJson(a: unknown, length: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(length).fill(Number.NaN);
  if (Array.isArray(a)) for (let i = 0; i < Math.min(length, a.length); i++) out[i] = fromJson(a[i]);
  return out;
}

/** Learns the usual interval between samples, to tell a gap in the data from the usual cadence. */
export class Cadence {
  lastTs = Number.NaN;
  typical = Number.NaN;

  /**
   * Records a sample time; true when it comes more than `factor` usual intervals after the previous
   * one. A time earlier than the previous one counts as no interval at all.
   */
  next(ts: number, factor: number): boolean {
    const gap = Number.isNaN(this.lastTs) ? 0 : Math.max(0, ts - this.lastTs);
    if (!(ts < this.lastTs)) this.lastTs = ts;
    const broken = gap > factor * this.typical;
    if (gap > 0) this.typical = Number.isNaN(this.typical) ? gap : this.typical + 0.01 * (gap - this.typical);
    return broken;
  }

  toJson(): Array<number | null> {
    return [toJson(this.lastTs), toJson(this.typical)];
  }

  fromJson(state: unknown): void {
    const [lastTs, typical] = Array.isArray(state) ? state : [];
    this.lastTs = fromJson(lastTs);
    this.typical = fromJson(typical);
  }
}
