import type { LabelMatcher, MetricStore, ResultSeries, SeriesSamples } from '../../signals/index.ts';
import { ANOMALY_WARMUP_MS } from './anomaly.ts';
import { labelsKey, parseQuery, parseSelector, storeMatchers, withoutName } from './expr.ts';
import { createKindRuntime } from './kinds.ts';
import type { PreviewReply, TypedRule } from './rules.schemas.ts';
import type { Observation } from './runtime.ts';
import { applyObservation, type InstanceState, initialState, thresholdVerdict } from './state.ts';
import { durationMs } from './windows.ts';

const DAY = 86_400_000;
/** Series drawn (and simulated, for the kinds that replay raw samples). */
const MAX_SERIES = 50;
const MAX_RAW_SERIES = 20;
/** About this many points per drawn series. */
const TARGET_POINTS = 1100;
const NICE_STEPS = [
  60_000,
  120_000,
  300_000,
  600_000,
  900_000,
  1_800_000,
  3_600_000,
  7_200_000,
  21_600_000,
  DAY,
];

/** The smallest round step giving at most TARGET_POINTS points over the range (10 min for 7 days). */
export function stepFor(rangeMs: number): number {
  return NICE_STEPS.find((s) => rangeMs / s <= TARGET_POINTS) ?? DAY;
}

interface Track {
  labels: Record<string, string>;
  state: InstanceState;
  intervals: { start: number; end: number | null }[];
  points: Map<number, number | null>;
  lower: Map<number, number>;
  upper: Map<number, number>;
}

/**
 * Backtest: runs the rule over stored data exactly as the streaming engine would (same evaluators, same
 * state machine), without look-ahead, and reports when it would have fired. Threshold rules read the
 * store at the chart's step (as Prometheus's range queries do); the other kinds replay raw samples.
 */
export async function previewRule(
  store: Pick<MetricStore, 'select' | 'queryRange' | 'queryInstant'>,
  rule: TypedRule,
  range: { from: number; to: number },
): Promise<PreviewReply> {
  const { from, to } = range;
  const step = stepFor(to - from);
  const tracks = new Map<string, Track>();
  const notes: string[] = [];
  let seriesTotal = 0;
  const bucket = (ts: number) => Math.floor(ts / step) * step;

  function observe(o: Observation): void {
    let t = tracks.get(o.key);
    if (!t) {
      t = {
        labels: o.labels,
        state: initialState(),
        intervals: [],
        points: new Map(),
        lower: new Map(),
        upper: new Map(),
      };
      tracks.set(o.key, t);
    }
    const [next, tr] = applyObservation(t.state, o);
    t.state = next;
    if (o.at < from) return;
    if (tr === 'firing') t.intervals.push({ start: o.at, end: null });
    if (tr === 'resolved') {
      const open = t.intervals[t.intervals.length - 1];
      if (open && open.end === null) open.end = o.at;
    }
    const b = bucket(o.at);
    t.points.set(b, o.verdict.value);
    if (o.band) {
      t.lower.set(b, o.band[0]);
      t.upper.set(b, o.band[1]);
    }
  }

  const thresholds: PreviewReply['thresholds'] = [];
  if (rule.kind === 'threshold') {
    const { query, op, value, recovery, forSeconds } = rule.spec;
    parseQuery(query);
    thresholds.push({ name: 'threshold', value });
    if (recovery !== null) thresholds.push({ name: 'recovery', value: recovery });
    const result = await store.queryRange({ query, start: from, end: to, step });
    seriesTotal = result.length;
    for (const r of result.slice(0, MAX_SERIES)) {
      const labels = withoutName(r.labels);
      const key = labelsKey(labels);
      for (const p of r.points) {
        observe({
          key,
          labels,
          at: p.ts,
          verdict: thresholdVerdict(p.value, op, value, recovery),
          forMs: forSeconds * 1000,
          threshold: '',
        });
      }
    }
  } else if (rule.kind === 'anomaly' && !parseQuery(rule.spec.query).plainSelector) {
    // Exactly as the engine runs it: a first batch at `from` (the history before it replayed), then
    // one reaching `to`, evaluated at every minute in between.
    const runtime = createKindRuntime(rule);
    const ctx = {
      store,
      isActive: (k: string) => (tracks.get(k)?.state.state ?? 'inactive') !== 'inactive',
      now: () => to, // nothing is evicted in a backtest
    };
    for (const at of [from, to]) {
      const obs = await runtime.observe([{ labels: {}, points: [{ ts: at, value: 0 }] }], ctx);
      obs.sort((a, b) => a.at - b.at);
      for (const o of obs) {
        if (tracks.size >= MAX_SERIES && !tracks.has(o.key)) continue;
        observe(o);
      }
    }
    seriesTotal = tracks.size;
  } else {
    const runtime = createKindRuntime(rule);
    // Enough history before `from` for the evaluator to be in the state it would be in at `from`.
    const lookback =
      rule.kind === 'anomaly'
        ? ANOMALY_WARMUP_MS
        : rule.kind === 'rate_of_change'
          ? rule.spec.windowSeconds * 1000
          : rule.kind === 'burn_rate'
            ? Math.max(...rule.spec.windows.map((w) => Math.max(durationMs(w.long), durationMs(w.short))))
            : 0;
    if (rule.kind === 'burn_rate') {
      for (const w of rule.spec.windows) thresholds.push({ name: `${w.long}/${w.short}`, value: w.factor });
    }
    const selectors = selectorsOf(rule);
    const raw: ResultSeries[] = [];
    for (const m of selectors) raw.push(...(await store.select(m, { start: from - lookback, end: to })));
    seriesTotal = raw.length;
    const kept = rule.kind === 'burn_rate' ? raw : raw.slice(0, MAX_RAW_SERIES);
    if (kept.length < raw.length)
      notes.push(`only the first ${kept.length} of ${raw.length} series were simulated`);
    // Fed in time slices, as batches would arrive, so windowed evaluators see no future sample.
    const slice = Math.max(step, 60_000);
    const ctx = {
      store: { select: async () => [], queryInstant: async () => [], queryRange: async () => [] },
      isActive: (k: string) => (tracks.get(k)?.state.state ?? 'inactive') !== 'inactive',
      now: () => to, // nothing is evicted in a backtest
    };
    const cursors = kept.map(() => 0);
    for (let t0 = bucket(from - lookback); t0 <= to; t0 += slice) {
      const batch: SeriesSamples[] = [];
      kept.forEach((s, i) => {
        let j = cursors[i]!;
        const start = j;
        while (j < s.points.length && s.points[j]!.ts < t0 + slice) j++;
        cursors[i] = j;
        if (j > start) batch.push({ labels: s.labels, points: s.points.slice(start, j) });
      });
      if (batch.length === 0) continue;
      const obs = await runtime.observe(batch, ctx);
      obs.sort((a, b) => a.at - b.at);
      for (const o of obs) observe(o);
    }
  }

  const drawn = [...tracks.values()].slice(0, MAX_SERIES);
  if (tracks.size > MAX_SERIES) notes.push(`only ${MAX_SERIES} of ${tracks.size} series are drawn`);
  const pts = (m: Map<number, number | null>) =>
    [...m].map(([ts, v]) => [ts, v === null || !Number.isFinite(v) ? null : v] as [number, number | null]);
  return {
    from,
    to,
    step,
    series: drawn.map((t) => ({
      labels: t.labels,
      points: pts(t.points),
      ...(t.lower.size > 0 ? { lower: pts(t.lower), upper: pts(t.upper) } : {}),
      intervals: t.intervals,
    })),
    thresholds,
    firings: [...tracks.values()].reduce((n, t) => n + t.intervals.length, 0),
    seriesTotal,
    notes,
  };
}

function selectorsOf(rule: TypedRule): LabelMatcher[][] {
  switch (rule.kind) {
    case 'threshold':
      return [];
    case 'burn_rate': {
      const s = rule.spec.source;
      const texts =
        s.type === 'counters' ? [s.total, s.good, s.bad].filter((x): x is string => x !== null) : [s.query];
      return texts.map((t) => storeMatchers(parseSelector(t)));
    }
    default:
      return [storeMatchers(parseSelector(rule.spec.query))];
  }
}

export const DEFAULT_PREVIEW_MS = 7 * DAY;
