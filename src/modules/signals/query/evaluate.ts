import { AppError } from '../../../platform/errors.ts';
import type { Labels, Point } from '../metric-store.ts';
import { bucketQuantile, FUNCTIONS, quantile, variance } from './functions.ts';
import type { Expr } from './parse.ts';

export interface Sample {
  labels: Labels;
  value: number;
}
export type SelectorExpr = Extract<Expr, { kind: 'selector' }>;

/** Samples of one selector, loaded once for the whole query. */
export interface Loaded {
  series: { labels: Labels; points: Point[] }[];
  /** 0 for raw samples, else the rollup bucket width (instant selectors then look back at least that far). */
  resolutionMs: number;
}

export type Value = { t: 'scalar'; v: number } | { t: 'vector'; s: Sample[] } | { t: 'string'; v: string };

const LOOKBACK_MS = 5 * 60_000;

/** Evaluates a parsed query at one time over preloaded samples, following Prometheus's semantics. */
export function evaluateAt(expr: Expr, t: number, data: ReadonlyMap<SelectorExpr, Loaded>): Value {
  const ev = (e: Expr): Value => evaluateAt(e, t, data);
  const scalarOf = (e: Expr): number => {
    const v = ev(e);
    if (v.t !== 'scalar') throw new AppError(422, 'execution', 'expected a scalar');
    return v.v;
  };
  const vectorOf = (e: Expr): Sample[] => {
    const v = ev(e);
    if (v.t !== 'vector') throw new AppError(422, 'execution', 'expected an instant vector');
    return v.s;
  };

  switch (expr.kind) {
    case 'number':
      return { t: 'scalar', v: expr.value };
    case 'string':
      return { t: 'string', v: expr.value };
    case 'selector':
      return { t: 'vector', s: instantSelect(expr, t, data.get(expr) as Loaded) };
    case 'unary': {
      const v = ev(expr.expr);
      if (expr.op === '+') return v;
      if (v.t === 'scalar') return { t: 'scalar', v: -v.v };
      if (v.t === 'vector')
        return { t: 'vector', s: v.s.map((s) => ({ labels: dropName(s.labels), value: -s.value })) };
      return v;
    }
    case 'call':
      return call(expr, t, data, scalarOf, vectorOf);
    case 'agg':
      return { t: 'vector', s: aggregate(expr, vectorOf(expr.expr), expr.param ? scalarOf(expr.param) : 0) };
    case 'binary': {
      const l = ev(expr.lhs);
      const r = ev(expr.rhs);
      return binary(expr, l, r);
    }
  }
}

function upperBound(points: readonly Point[], ts: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((points[mid] as Point).ts <= ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function instantSelect(e: SelectorExpr, t: number, loaded: Loaded): Sample[] {
  const at = t - e.offset;
  const lookback = Math.max(LOOKBACK_MS, loaded.resolutionMs);
  const out: Sample[] = [];
  for (const s of loaded.series) {
    const i = upperBound(s.points, at) - 1;
    const p = s.points[i];
    // A NaN is Prometheus's staleness marker: the series has ended there.
    if (p && p.ts > at - lookback && !Number.isNaN(p.value)) out.push({ labels: s.labels, value: p.value });
  }
  return out;
}

/** Samples of each series in the window (t - offset - range, t - offset], staleness markers left out. */
function rangeSelect(e: SelectorExpr, t: number, loaded: Loaded): { labels: Labels; points: Point[] }[] {
  const end = t - e.offset;
  const start = end - (e.range as number);
  return loaded.series.map((s) => ({
    labels: s.labels,
    points: s.points
      .slice(upperBound(s.points, start), upperBound(s.points, end))
      .filter((p) => !Number.isNaN(p.value)),
  }));
}

function call(
  e: Extract<Expr, { kind: 'call' }>,
  t: number,
  data: ReadonlyMap<SelectorExpr, Loaded>,
  scalarOf: (e: Expr) => number,
  vectorOf: (e: Expr) => Sample[],
): Value {
  const spec = FUNCTIONS[e.fn];
  if (!spec) throw new AppError(400, 'bad_data', `unsupported PromQL function: ${e.fn}()`);
  if (spec.range) {
    const mi = spec.args.indexOf('matrix');
    const sel = e.args[mi] as SelectorExpr;
    const loaded = data.get(sel) as Loaded;
    const params = e.args.filter((_, i) => i !== mi).map(scalarOf);
    const end = t - sel.offset;
    const start = end - (sel.range as number);
    const out: Sample[] = [];
    for (const s of rangeSelect(sel, t, loaded)) {
      let v: number | undefined;
      // On rollups a point is a bucket's count, so counting means adding them up.
      if (e.fn === 'count_over_time' && loaded.resolutionMs > 0) {
        v = s.points.length ? s.points.reduce((a, p) => a + p.value, 0) : undefined;
      } else v = spec.range(s.points, start, end, params);
      if (v !== undefined) out.push({ labels: spec.keepName ? s.labels : dropName(s.labels), value: v });
    }
    return { t: 'vector', s: out };
  }
  if (spec.instant) {
    const f = spec.instant;
    const params = e.args.slice(1).map(scalarOf);
    return {
      t: 'vector',
      s: vectorOf(e.args[0] as Expr).map((s) => ({ labels: dropName(s.labels), value: f(s.value, params) })),
    };
  }
  switch (e.fn) {
    case 'time':
      return { t: 'scalar', v: t / 1000 };
    case 'vector':
      return { t: 'vector', s: [{ labels: {}, value: scalarOf(e.args[0] as Expr) }] };
    case 'scalar': {
      const v = vectorOf(e.args[0] as Expr);
      return { t: 'scalar', v: v.length === 1 ? (v[0] as Sample).value : Number.NaN };
    }
    case 'sort':
    case 'sort_desc': {
      const dir = e.fn === 'sort' ? 1 : -1;
      return { t: 'vector', s: [...vectorOf(e.args[0] as Expr)].sort((a, b) => dir * (a.value - b.value)) };
    }
    case 'histogram_quantile':
      return { t: 'vector', s: histogramQuantile(scalarOf(e.args[0] as Expr), vectorOf(e.args[1] as Expr)) };
    default:
      throw new AppError(400, 'bad_data', `unsupported PromQL function: ${e.fn}()`);
  }
}

function histogramQuantile(q: number, samples: Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: { upper: number; count: number }[] }>();
  for (const s of samples) {
    const le = s.labels.le;
    if (le === undefined) continue;
    const upper = le === '+Inf' || le === 'Inf' ? Number.POSITIVE_INFINITY : Number(le);
    if (Number.isNaN(upper)) continue;
    const labels = without(s.labels, ['le', '__name__']);
    const key = keyOf(labels);
    let g = groups.get(key);
    if (!g) {
      g = { labels, buckets: [] };
      groups.set(key, g);
    }
    g.buckets.push({ upper, count: s.value });
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
}

function aggregate(e: Extract<Expr, { kind: 'agg' }>, samples: Sample[], param: number): Sample[] {
  const groups = new Map<string, { labels: Labels; members: Sample[] }>();
  for (const s of samples) {
    const labels = e.without
      ? without(s.labels, [...(e.labels ?? []), '__name__'])
      : only(s.labels, e.labels ?? []);
    const key = keyOf(labels);
    let g = groups.get(key);
    if (!g) {
      g = { labels, members: [] };
      groups.set(key, g);
    }
    g.members.push(s);
  }
  const out: Sample[] = [];
  for (const { labels, members } of groups.values()) {
    const xs = members.map((m) => m.value);
    switch (e.op) {
      case 'sum':
        out.push({ labels, value: xs.reduce((a, b) => a + b, 0) });
        break;
      case 'avg':
        out.push({ labels, value: xs.reduce((a, b) => a + b, 0) / xs.length });
        break;
      case 'count':
        out.push({ labels, value: xs.length });
        break;
      case 'group':
        out.push({ labels, value: 1 });
        break;
      case 'min':
      case 'max': {
        // NaN loses to any number, as in Prometheus.
        let v = Number.NaN;
        for (const x of xs) if (Number.isNaN(v) || (e.op === 'min' ? x < v : x > v)) v = x;
        out.push({ labels, value: v });
        break;
      }
      case 'stddev':
        out.push({ labels, value: Math.sqrt(variance(xs)) });
        break;
      case 'stdvar':
        out.push({ labels, value: variance(xs) });
        break;
      case 'quantile':
        out.push({ labels, value: quantile(param, xs) });
        break;
      case 'topk':
      case 'bottomk': {
        const k = Math.floor(param);
        if (k < 1) break;
        const sorted = [...members].sort((a, b) => {
          if (Number.isNaN(a.value)) return 1;
          if (Number.isNaN(b.value)) return -1;
          return e.op === 'topk' ? b.value - a.value : a.value - b.value;
        });
        out.push(...sorted.slice(0, k));
        break;
      }
      default:
        throw new AppError(400, 'bad_data', `unsupported PromQL aggregation: ${e.op}`);
    }
  }
  return out;
}

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
  '^': (a, b) => a ** b,
};
const COMPARISON: Record<string, (a: number, b: number) => boolean> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '>': (a, b) => a > b,
  '<': (a, b) => a < b,
  '>=': (a, b) => a >= b,
  '<=': (a, b) => a <= b,
};

function binary(e: Extract<Expr, { kind: 'binary' }>, l: Value, r: Value): Value {
  const arith = ARITHMETIC[e.op];
  const cmp = COMPARISON[e.op];
  if (l.t === 'scalar' && r.t === 'scalar') {
    if (arith) return { t: 'scalar', v: arith(l.v, r.v) };
    return { t: 'scalar', v: cmp?.(l.v, r.v) ? 1 : 0 };
  }
  if (l.t === 'vector' && r.t === 'vector') return { t: 'vector', s: vectorBinary(e, l.s, r.s) };
  // Vector and scalar: the scalar applies to every element; a filtering comparison keeps the vector's value.
  const vecLeft = l.t === 'vector';
  const vec = (vecLeft ? l : r) as { s: Sample[] };
  const sc = ((vecLeft ? r : l) as { v: number }).v;
  const out: Sample[] = [];
  for (const s of vec.s) {
    const [a, b] = vecLeft ? [s.value, sc] : [sc, s.value];
    if (arith) out.push({ labels: dropName(s.labels), value: arith(a, b) });
    else if (cmp) {
      const ok = cmp(a, b);
      if (e.bool) out.push({ labels: dropName(s.labels), value: ok ? 1 : 0 });
      else if (ok) out.push(s);
    }
  }
  return { t: 'vector', s: out };
}

function vectorBinary(e: Extract<Expr, { kind: 'binary' }>, lhs: Sample[], rhs: Sample[]): Sample[] {
  const sig = (labels: Labels): string => {
    if (e.matching?.on) return keyOf(only(labels, e.matching.labels));
    return keyOf(without(labels, [...(e.matching?.labels ?? []), '__name__']));
  };
  if (e.op === 'and' || e.op === 'unless') {
    const right = new Set(rhs.map((s) => sig(s.labels)));
    return lhs.filter((s) => right.has(sig(s.labels)) === (e.op === 'and'));
  }
  if (e.op === 'or') {
    const left = new Set(lhs.map((s) => sig(s.labels)));
    return [...lhs, ...rhs.filter((s) => !left.has(sig(s.labels)))];
  }
  const right = new Map<string, Sample>();
  for (const s of rhs) {
    const k = sig(s.labels);
    if (right.has(k)) {
      throw new AppError(
        422,
        'execution',
        `found duplicate series for the match group ${k} on the right hand-side of the operation: many-to-many matching is not allowed`,
      );
    }
    right.set(k, s);
  }
  const seen = new Set<string>();
  const arith = ARITHMETIC[e.op];
  const cmp = COMPARISON[e.op];
  const out: Sample[] = [];
  for (const s of lhs) {
    const k = sig(s.labels);
    const other = right.get(k);
    if (!other) continue;
    if (seen.has(k)) {
      throw new AppError(
        422,
        'execution',
        `found duplicate series for the match group ${k} on the left hand-side of the operation: many-to-many matching is not allowed`,
      );
    }
    seen.add(k);
    let labels: Labels = arith || e.bool ? dropName(s.labels) : s.labels;
    if (e.matching)
      labels = e.matching.on ? only(labels, e.matching.labels) : without(labels, e.matching.labels);
    if (arith) out.push({ labels, value: arith(s.value, other.value) });
    else if (cmp) {
      const ok = cmp(s.value, other.value);
      if (e.bool) out.push({ labels, value: ok ? 1 : 0 });
      else if (ok) out.push({ labels, value: s.value });
    }
  }
  return out;
}

function dropName(labels: Labels): Labels {
  if (!('__name__' in labels)) return labels;
  const { __name__: _, ...rest } = labels;
  return rest;
}

function without(labels: Labels, names: readonly string[]): Labels {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!names.includes(k)) out[k] = v;
  return out;
}

function only(labels: Labels, names: readonly string[]): Labels {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = labels[n];
    if (v !== undefined) out[n] = v;
  }
  return out;
}

const keyOf = (labels: Labels): string =>
  JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
