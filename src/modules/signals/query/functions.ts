import type { Point } from '../metric-store.ts';

/** Which figure of a rollup bucket a range function wants when the query reads 1 min / 1 h rollups. */
export type RollupField = 'last' | 'min' | 'max' | 'sum' | 'count' | 'avg';

type Arg = 'scalar' | 'vector' | 'matrix' | 'string';

/** A window function: the samples in (start, end], the window length, and the scalar arguments before it. */
export type RangeFn = (
  points: readonly Point[],
  start: number,
  end: number,
  params: number[],
) => number | undefined;

export interface FunctionSpec {
  args: Arg[];
  /** How many trailing arguments may be left out. */
  optional?: number;
  returns: 'vector' | 'scalar';
  range?: RangeFn;
  /** Element-wise on an instant vector; the numbers are the scalar arguments after the vector. */
  instant?: (v: number, params: number[]) => number;
  /** Keeps `__name__` (last_over_time acts like an offset); every other function drops it. */
  keepName?: boolean;
  field?: RollupField;
}

const values = (ps: readonly Point[]) => ps.map((p) => p.value);

/** Prometheus's extrapolated rate/increase/delta (promql/functions.go `extrapolatedRate`). */
function extrapolated(isCounter: boolean, isRate: boolean): RangeFn {
  return (ps, start, end) => {
    if (ps.length < 2) return undefined;
    const first = ps[0] as Point;
    const last = ps[ps.length - 1] as Point;
    let result = last.value - first.value;
    if (isCounter) {
      for (let i = 1; i < ps.length; i++) {
        const prev = (ps[i - 1] as Point).value;
        if ((ps[i] as Point).value < prev) result += prev;
      }
    }
    let toStart = (first.ts - start) / 1000;
    let toEnd = (end - last.ts) / 1000;
    const sampled = (last.ts - first.ts) / 1000;
    const avgStep = sampled / (ps.length - 1);
    const threshold = avgStep * 1.1;
    if (toStart >= threshold) toStart = avgStep / 2;
    if (isCounter) {
      // A counter cannot go below zero: do not extrapolate to before the point it would have been 0.
      let toZero = toStart;
      if (result > 0 && first.value >= 0) toZero = sampled * (first.value / result);
      if (toZero < toStart) toStart = toZero;
    }
    if (toEnd >= threshold) toEnd = avgStep / 2;
    let factor = (sampled + toStart + toEnd) / sampled;
    if (isRate) factor /= (end - start) / 1000;
    return result * factor;
  };
}

function instantRate(isRate: boolean): RangeFn {
  return (ps) => {
    if (ps.length < 2) return undefined;
    const last = ps[ps.length - 1] as Point;
    const prev = ps[ps.length - 2] as Point;
    const dt = (last.ts - prev.ts) / 1000;
    if (dt === 0) return undefined;
    const dv = isRate && last.value < prev.value ? last.value : last.value - prev.value;
    return isRate ? dv / dt : dv;
  };
}

/** Least-squares slope per second, with times relative to the first sample for precision. */
const deriv: RangeFn = (ps) => {
  if (ps.length < 2) return undefined;
  const t0 = (ps[0] as Point).ts;
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxy = 0;
  let sxx = 0;
  for (const p of ps) {
    const x = (p.ts - t0) / 1000;
    n++;
    sx += x;
    sy += p.value;
    sxy += x * p.value;
    sxx += x * x;
  }
  const cov = sxy - (sx * sy) / n;
  const varX = sxx - (sx * sx) / n;
  return cov / varX;
};

/** Prometheus's quantile: linear interpolation between the closest ranks; φ outside [0,1] gives ±Inf. */
export function quantile(q: number, xs: number[]): number {
  if (xs.length === 0 || Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(sorted.length - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return (sorted[lower] as number) * (1 - weight) + (sorted[upper] as number) * weight;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const variance = (xs: number[]): number => {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
};

const overTime = (f: (xs: number[]) => number, field: RollupField): Partial<FunctionSpec> => ({
  args: ['matrix'],
  range: (ps) => (ps.length === 0 ? undefined : f(values(ps))),
  field,
});

const math = (f: (v: number) => number): FunctionSpec => ({
  args: ['vector'],
  returns: 'vector',
  instant: (v) => f(v),
});

export const FUNCTIONS: Record<string, FunctionSpec> = {
  rate: { args: ['matrix'], returns: 'vector', range: extrapolated(true, true) },
  increase: { args: ['matrix'], returns: 'vector', range: extrapolated(true, false) },
  delta: { args: ['matrix'], returns: 'vector', range: extrapolated(false, false) },
  irate: { args: ['matrix'], returns: 'vector', range: instantRate(true) },
  idelta: { args: ['matrix'], returns: 'vector', range: instantRate(false) },
  deriv: { args: ['matrix'], returns: 'vector', range: deriv },
  changes: {
    args: ['matrix'],
    returns: 'vector',
    range: (ps) =>
      ps.length === 0 ? undefined : ps.filter((p, i) => i > 0 && p.value !== ps[i - 1]?.value).length,
  },
  resets: {
    args: ['matrix'],
    returns: 'vector',
    range: (ps) =>
      ps.length === 0 ? undefined : ps.filter((p, i) => i > 0 && p.value < (ps[i - 1] as Point).value).length,
  },
  avg_over_time: { returns: 'vector', ...overTime(mean, 'avg') } as FunctionSpec,
  min_over_time: { returns: 'vector', ...overTime((xs) => Math.min(...xs), 'min') } as FunctionSpec,
  max_over_time: { returns: 'vector', ...overTime((xs) => Math.max(...xs), 'max') } as FunctionSpec,
  sum_over_time: {
    returns: 'vector',
    ...overTime((xs) => xs.reduce((a, b) => a + b, 0), 'sum'),
  } as FunctionSpec,
  // On rollups each point is a bucket's count, so the counts are summed (see engine.ts).
  count_over_time: { returns: 'vector', ...overTime((xs) => xs.length, 'count') } as FunctionSpec,
  last_over_time: {
    returns: 'vector',
    keepName: true,
    ...overTime((xs) => xs[xs.length - 1] as number, 'last'),
  } as FunctionSpec,
  present_over_time: { returns: 'vector', ...overTime(() => 1, 'count') } as FunctionSpec,
  stddev_over_time: {
    returns: 'vector',
    ...overTime((xs) => Math.sqrt(variance(xs)), 'last'),
  } as FunctionSpec,
  stdvar_over_time: { returns: 'vector', ...overTime(variance, 'last') } as FunctionSpec,
  quantile_over_time: {
    args: ['scalar', 'matrix'],
    returns: 'vector',
    range: (ps, _s, _e, params) => (ps.length === 0 ? undefined : quantile(params[0] as number, values(ps))),
  },
  abs: math(Math.abs),
  ceil: math(Math.ceil),
  floor: math(Math.floor),
  exp: math(Math.exp),
  sqrt: math(Math.sqrt),
  ln: math(Math.log),
  log2: math(Math.log2),
  log10: math(Math.log10),
  sgn: math(Math.sign),
  clamp_min: {
    args: ['vector', 'scalar'],
    returns: 'vector',
    instant: (v, [min]) => Math.max(v, min as number),
  },
  clamp_max: {
    args: ['vector', 'scalar'],
    returns: 'vector',
    instant: (v, [max]) => Math.min(v, max as number),
  },
  clamp: {
    args: ['vector', 'scalar', 'scalar'],
    returns: 'vector',
    instant: (v, [min, max]) =>
      (min as number) > (max as number) ? Number.NaN : Math.max(min as number, Math.min(max as number, v)),
  },
  round: {
    args: ['vector', 'scalar'],
    optional: 1,
    returns: 'vector',
    instant: (v, [to = 1]) => Math.floor(v * (1 / to) + 0.5) / (1 / to),
  },
  // Evaluated in engine.ts: they need more than one sample or value at a time.
  histogram_quantile: { args: ['scalar', 'vector'], returns: 'vector' },
  sort: { args: ['vector'], returns: 'vector', keepName: true },
  sort_desc: { args: ['vector'], returns: 'vector', keepName: true },
  time: { args: [], returns: 'scalar' },
  vector: { args: ['scalar'], returns: 'vector' },
  scalar: { args: ['vector'], returns: 'scalar' },
};

export const AGGREGATIONS: Record<string, { param: boolean }> = {
  sum: { param: false },
  avg: { param: false },
  min: { param: false },
  max: { param: false },
  count: { param: false },
  group: { param: false },
  stddev: { param: false },
  stdvar: { param: false },
  topk: { param: true },
  bottomk: { param: true },
  quantile: { param: true },
};

interface Bucket {
  upper: number;
  count: number;
}

/** Prometheus's `bucketQuantile` for classic `_bucket` series with an `le` label. */
export function bucketQuantile(q: number, input: Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const sorted = [...input].sort((a, b) => a.upper - b.upper);
  if (sorted.length === 0 || (sorted[sorted.length - 1] as Bucket).upper !== Number.POSITIVE_INFINITY) {
    return Number.NaN;
  }
  // Buckets with the same bound are merged, and counts made monotonic (scrapes are not atomic).
  const buckets: Bucket[] = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last && last.upper === b.upper) last.count += b.count;
    else buckets.push({ ...b });
  }
  let max = Number.NEGATIVE_INFINITY;
  for (const b of buckets) {
    if (b.count < max) b.count = max;
    else max = b.count;
  }
  if (buckets.length < 2) return Number.NaN;
  const observations = (buckets[buckets.length - 1] as Bucket).count;
  if (observations === 0) return Number.NaN;
  let rank = q * observations;
  let b = buckets.findIndex((x) => x.count >= rank);
  if (b < 0) b = buckets.length - 1;
  if (b === buckets.length - 1) return (buckets[buckets.length - 2] as Bucket).upper;
  if (b === 0 && (buckets[0] as Bucket).upper <= 0) return (buckets[0] as Bucket).upper;
  let start = 0;
  const end = (buckets[b] as Bucket).upper;
  let count = (buckets[b] as Bucket).count;
  if (b > 0) {
    const prev = buckets[b - 1] as Bucket;
    start = prev.upper;
    count -= prev.count;
    rank -= prev.count;
  }
  return start + (end - start) * (rank / count);
}
