import type { LabelMatcher, Labels, MetricStore, ResultSeries, SeriesSamples } from '../../signals/index.ts';
import { type AnomalyDetector, createDefaultDetector, DEFAULT_THRESHOLD } from '../detectors/index.ts';
import { labelsKey, matches, parseQuery, parseSelector, storeMatchers, withoutName } from './expr.ts';
import type { TypedRule } from './rules.schemas.ts';
import { thresholdVerdict, type Verdict } from './state.ts';
import { formatNumber } from './template.ts';
import { CounterDelta, durationMs, MinuteBuckets, PointWindow } from './windows.ts';

const DAY = 86_400_000;
/** An anomaly rule stays silent until its detector has seen a full daily cycle of the series. */
export const ANOMALY_WARMUP_MS = DAY;
/** History replayed into a fresh detector after a start (the detectors are deterministic: same state). */
export const ANOMALY_HISTORY_MS = 7 * DAY;
/** A rule follows at most this many series; more are ignored (and counted) to keep memory bounded. */
export const MAX_INSTANCES_PER_RULE = 5_000;
/** An anomaly rule over an expression samples it once a minute (of sample time)… */
export const ANOMALY_EXPRESSION_STEP_MS = 60_000;
/** …and after a start replays this much of it (a day of warm-up and some), read in slices. */
export const ANOMALY_EXPRESSION_HISTORY_MS = 2 * DAY;
const RANGE_SLICE_MS = 6 * 3_600_000;

/**
 * A range query read in slices of `sliceMs`, oldest first: memory holds one slice of raw samples, not
 * days of them. Slices are aligned on the step, so no point is read twice.
 */
export async function* rangeInSlices(
  store: Pick<MetricStore, 'queryRange'>,
  query: string,
  range: { start: number; end: number; step: number },
  sliceMs = RANGE_SLICE_MS,
): AsyncGenerator<ResultSeries[]> {
  const span = Math.max(range.step, Math.floor(sliceMs / range.step) * range.step);
  for (let start = range.start; start <= range.end; start += span) {
    const end = Math.min(range.end, start + span - range.step);
    yield await store.queryRange({ query, start, end, step: range.step });
  }
}

/**
 * Sensitivity → score threshold, anchored on NAB: medium is the shipped `DEFAULT_THRESHOLD` (best for
 * the standard profile), low ~ the reward-low-false-positive optimum pushed up, high ~ the
 * reward-low-false-negative optimum (0.695 swept). See docs/alert-rules.md.
 */
export const SENSITIVITY_THRESHOLD = { low: 0.9, medium: DEFAULT_THRESHOLD, high: 0.7 } as const;

/** One evaluation of one instance, for the engine to step through the state machine. */
export interface Observation {
  key: string;
  labels: Record<string, string>;
  at: number;
  verdict: Verdict;
  forMs: number;
  /** "threshold" text for templates and the annotation: a number, or the expected band. */
  threshold: string;
  severity?: 'P1' | 'P2' | 'P3';
  /** Probe down: fire only after this many breaching results in a row. */
  consecutive?: number;
  /** Anomaly: the detector has not seen a full cycle yet; never fires. */
  warmingUp?: boolean;
  /** Anomaly: the expected band at this sample, for charts. */
  band?: [number, number];
}

export interface KindContext {
  store: Pick<MetricStore, 'select' | 'queryInstant' | 'queryRange'>;
  /** State lookup, so an anomaly instance already pending/firing keeps going while it is outside the band. */
  isActive(key: string): boolean;
}

/** What a rule of one kind does with the series of a stored batch it matched. */
export interface KindRuntime {
  /** Metric names whose samples concern the rule: the engine's index. */
  readonly metrics: readonly string[];
  /** True when the labels belong to one of the rule's selectors. */
  selects(labels: Labels): boolean;
  observe(series: readonly SeriesSamples[], ctx: KindContext): Promise<Observation[]>;
  /** Drops per-series memory of series not seen since `before` (bounded memory). */
  evict(before: number): void;
}

const exact = (labels: Labels): LabelMatcher[] =>
  Object.entries(labels).map(([name, value]) => ({ name, op: '=' as const, value }));

/** The engine's index entries of a query: the metrics its selectors name, and a label test. */
function expressionIndex(q: ReturnType<typeof parseQuery>): Pick<KindRuntime, 'metrics' | 'selects'> {
  const selectors = q.selectors.map((s) => ({ metric: s.metric, matchers: s.matchers }));
  return {
    metrics: q.selectors.map((s) => s.metric).filter((m): m is string => m !== null),
    selects: (labels) =>
      selectors.some(
        (s) => (s.metric === null || s.metric === labels.__name__) && matches(labels, s.matchers),
      ),
  };
}

function newestSample(series: readonly SeriesSamples[]): number {
  let at = Number.NEGATIVE_INFINITY;
  for (const s of series) for (const p of s.points) at = Math.max(at, p.ts);
  return at;
}

function seriesSelector(query: string) {
  const sel = parseSelector(query);
  return { sel, all: storeMatchers(sel) };
}

/** Per-series memory with a last-seen time, capped. */
class SeriesMemory<T> {
  readonly items = new Map<string, { value: T; seen: number }>();
  dropped = 0;
  get(key: string): T | undefined {
    return this.items.get(key)?.value;
  }
  set(key: string, value: T, seen: number): boolean {
    if (!this.items.has(key) && this.items.size >= MAX_INSTANCES_PER_RULE) {
      this.dropped++;
      return false;
    }
    this.items.set(key, { value, seen });
    return true;
  }
  touch(key: string, seen: number): void {
    const e = this.items.get(key);
    if (e) e.seen = seen;
  }
  evict(before: number): void {
    for (const [k, e] of this.items) if (e.seen < before) this.items.delete(k);
  }
}

function thresholdRuntime(rule: Extract<TypedRule, { kind: 'threshold' }>): KindRuntime {
  const q = parseQuery(rule.spec.query);
  const { op, value, recovery, forSeconds } = rule.spec;
  const forMs = forSeconds * 1000;
  const threshold = formatNumber(value);
  return {
    ...expressionIndex(q),
    async observe(series, ctx) {
      const out: Observation[] = [];
      if (q.plainSelector) {
        for (const s of series) {
          const labels = withoutName(s.labels);
          const key = labelsKey(labels);
          for (const p of s.points) {
            out.push({
              key,
              labels,
              at: p.ts,
              verdict: thresholdVerdict(p.value, op, value, recovery),
              forMs,
              threshold,
            });
          }
        }
        return out;
      }
      // An expression (aggregation, ratio, function) is evaluated once per batch, at its newest sample.
      const at = newestSample(series);
      for (const r of await ctx.store.queryInstant(q.text, at)) {
        const last = r.points[r.points.length - 1];
        if (!last) continue;
        const labels = withoutName(r.labels);
        out.push({
          key: labelsKey(labels),
          labels,
          at,
          verdict: thresholdVerdict(last.value, op, value, recovery),
          forMs,
          threshold,
        });
      }
      return out;
    },
    evict: () => {},
  };
}

function rateRuntime(rule: Extract<TypedRule, { kind: 'rate_of_change' }>): KindRuntime {
  const { sel } = seriesSelector(rule.spec.query);
  const { windowSeconds, mode, direction, value, forSeconds } = rule.spec;
  const windowMs = windowSeconds * 1000;
  const memory = new SeriesMemory<PointWindow>();
  const threshold = `${mode === 'percent' ? `${formatNumber(value)}%` : formatNumber(value)} in ${windowSeconds}s`;
  const breached = (change: number) =>
    direction === 'up'
      ? change >= value
      : direction === 'down'
        ? change <= -value
        : Math.abs(change) >= value;
  return {
    metrics: [sel.metric],
    selects: (labels) => labels.__name__ === sel.metric && matches(labels, sel.matchers),
    async observe(series, ctx) {
      const out: Observation[] = [];
      for (const s of series) {
        const labels = withoutName(s.labels);
        const key = labelsKey(labels);
        const first = s.points[0];
        if (!first) continue;
        let win = memory.get(key);
        if (!win) {
          win = new PointWindow(windowMs);
          if (!memory.set(key, win, first.ts)) continue;
          const history = await ctx.store.select(exact(s.labels), {
            start: first.ts - windowMs - 60_000,
            end: first.ts - 1,
          });
          for (const h of history) for (const p of h.points) win.push(p.ts, p.value);
        }
        for (const p of s.points) {
          win.push(p.ts, p.value);
          const change = win.change(mode);
          const breach = change !== null && breached(change);
          out.push({
            key,
            labels,
            at: p.ts,
            verdict: { breach, recovered: !breach, value: change },
            forMs: forSeconds * 1000,
            threshold,
          });
        }
        memory.touch(key, s.points[s.points.length - 1]!.ts);
      }
      return out;
    },
    evict: (before) => memory.evict(before),
  };
}

interface AnomalyEntry {
  detector: AnomalyDetector;
  firstTs: number;
  /**
   * The last verdict raised the instance and no later one cleared it: the engine's state as of this
   * sample, while several samples of one batch are judged before the engine applies any of them.
   */
  raised: boolean;
}

const newEntry = (firstTs: number): AnomalyEntry => ({
  detector: createDefaultDetector(),
  firstTs,
  raised: false,
});

function anomalyRuntime(rule: Extract<TypedRule, { kind: 'anomaly' }>): KindRuntime {
  const q = parseQuery(rule.spec.query);
  const scoreThreshold = SENSITIVITY_THRESHOLD[rule.spec.sensitivity];
  const { direction } = rule.spec;
  const forMs = rule.spec.minDurationSeconds * 1000;
  const memory = new SeriesMemory<AnomalyEntry>();
  // The side that is watched: "up to 0.0045" reads better than a band starting below zero.
  const bandText = (lower: number, upper: number) =>
    direction === 'up'
      ? `≤ ${formatNumber(upper)}`
      : direction === 'down'
        ? `≥ ${formatNumber(lower)}`
        : `${formatNumber(lower)}–${formatNumber(upper)}`;

  /** Feeds one value to the instance's detector and judges it against the band learnt before it. */
  function judge(
    entry: AnomalyEntry,
    key: string,
    labels: Record<string, string>,
    ts: number,
    value: number,
    ctx: KindContext,
  ): Observation {
    const r = entry.detector.update(ts, value);
    const warmingUp = ts - entry.firstTs < ANOMALY_WARMUP_MS;
    const hasBand = Number.isFinite(r.lower) && Number.isFinite(r.upper);
    const outside =
      hasBand && ((direction !== 'down' && value > r.upper) || (direction !== 'up' && value < r.lower));
    // A score alone does not raise an alert: a value inside the band drawn beside it (a novel pattern
    // of ordinary values) is nothing an operator can act on. The ensemble reports an ongoing anomaly
    // once (quiet period), so an instance already raised stays raised while the value is outside.
    const active = entry.raised || ctx.isActive(key);
    const breach = !warmingUp && outside && (r.score >= scoreThreshold || active);
    entry.raised = breach || (active && outside);
    return {
      key,
      labels,
      at: ts,
      verdict: { breach, recovered: !outside, value: Number.isNaN(value) ? null : value },
      forMs,
      threshold: hasBand ? bandText(r.lower, r.upper) : 'learning',
      warmingUp,
      ...(hasBand ? { band: [r.lower, r.upper] as [number, number] } : {}),
    };
  }

  if (!q.plainSelector) return anomalyExpressionRuntime(q, memory, judge);

  const { sel } = seriesSelector(rule.spec.query);
  return {
    metrics: [sel.metric],
    selects: (labels) => labels.__name__ === sel.metric && matches(labels, sel.matchers),
    async observe(series, ctx) {
      const out: Observation[] = [];
      for (const s of series) {
        const labels = withoutName(s.labels);
        const key = labelsKey(labels);
        const first = s.points[0];
        if (!first) continue;
        let entry = memory.get(key);
        if (!entry) {
          entry = newEntry(first.ts);
          if (!memory.set(key, entry, first.ts)) continue;
          // Warm up from stored history: replaying it gives the state the detector would have had.
          const history = await ctx.store.select(exact(s.labels), {
            start: first.ts - ANOMALY_HISTORY_MS,
            end: first.ts - 1,
          });
          for (const h of history) {
            for (const p of h.points) {
              if (p.ts < entry.firstTs) entry.firstTs = p.ts;
              entry.detector.update(p.ts, p.value);
            }
          }
        }
        for (const p of s.points) out.push(judge(entry, key, labels, p.ts, p.value, ctx));
        memory.touch(key, s.points[s.points.length - 1]!.ts);
      }
      return out;
    },
    evict: (before) => memory.evict(before),
  };
}

/**
 * An anomaly rule over an expression (a ratio, a sum by service): the expression is evaluated at every
 * minute mark of sample time (`ANOMALY_EXPRESSION_STEP_MS`), each result series with a detector of its
 * own. A batch covering several minutes (history sent in chunks, a sender catching up) is evaluated at
 * each of them, by one range query. The first batch after a start also replays the expression's
 * history (`ANOMALY_EXPRESSION_HISTORY_MS`) without judging it, so the detectors hold the state they
 * would have had.
 */
function anomalyExpressionRuntime(
  q: ReturnType<typeof parseQuery>,
  memory: SeriesMemory<AnomalyEntry>,
  judge: (
    e: AnomalyEntry,
    key: string,
    labels: Record<string, string>,
    ts: number,
    v: number,
    ctx: KindContext,
  ) => Observation,
): KindRuntime {
  const step = ANOMALY_EXPRESSION_STEP_MS;
  /** The last minute mark evaluated. */
  let lastAt = Number.NEGATIVE_INFINITY;
  return {
    ...expressionIndex(q),
    async observe(series, ctx) {
      const at = Math.floor(newestSample(series) / step) * step;
      if (at <= lastAt) return [];
      const judgeFrom = lastAt === Number.NEGATIVE_INFINITY ? at : lastAt + step;
      const start = lastAt === Number.NEGATIVE_INFINITY ? at - ANOMALY_EXPRESSION_HISTORY_MS : lastAt + step;
      lastAt = at;
      const out: Observation[] = [];
      for await (const slice of rangeInSlices(ctx.store, q.text, { start, end: at, step })) {
        for (const r of slice) {
          const first = r.points[0];
          if (!first) continue;
          const labels = withoutName(r.labels);
          const key = labelsKey(labels);
          let entry = memory.get(key);
          if (!entry) {
            entry = newEntry(first.ts);
            if (!memory.set(key, entry, first.ts)) continue;
          }
          for (const p of r.points) {
            if (p.ts >= judgeFrom) out.push(judge(entry, key, labels, p.ts, p.value, ctx));
            else entry.detector.update(p.ts, p.value);
          }
          memory.touch(key, r.points[r.points.length - 1]!.ts);
        }
      }
      return out;
    },
    evict: (before) => memory.evict(before),
  };
}

function burnRuntime(rule: Extract<TypedRule, { kind: 'burn_rate' }>): KindRuntime {
  const { source, objective, windows, forSeconds } = rule.spec;
  const budget = 1 - objective / 100;
  const pairs = windows.map((w) => ({ ...w, longMs: durationMs(w.long), shortMs: durationMs(w.short) }));
  const spanMs = Math.max(...pairs.map((p) => Math.max(p.longMs, p.shortMs)));
  const buckets = new MinuteBuckets(spanMs);
  const counters = new CounterDelta();
  const roles =
    source.type === 'counters'
      ? (['total', 'good', 'bad'] as const)
          .filter((r) => source[r] !== null)
          .map((r) => ({ role: r, ...seriesSelector(source[r] as string).sel }))
      : [{ role: 'ratio' as const, ...seriesSelector(source.query).sel }];
  const roleOf = (labels: Labels) =>
    roles.find((r) => labels.__name__ === r.metric && matches(labels, r.matchers))?.role;
  let warmed = false;

  function feed(labels: Labels, ts: number, value: number): void {
    const role = roleOf(labels);
    if (!role) return;
    if (role === 'ratio') {
      if (!Number.isNaN(value)) buckets.add(ts, value, 1);
      return;
    }
    const d = counters.delta(labelsKey(labels), value);
    if (d === 0) return;
    if (role === 'total') buckets.add(ts, source.type === 'counters' && source.good !== null ? d : 0, d);
    // With good and total, bad = total - good: the total's increment was counted as bad above and the
    // good increment takes it back.
    else if (role === 'good') buckets.add(ts, -d, 0);
    else buckets.add(ts, d, 0);
  }

  return {
    metrics: roles.map((r) => r.metric),
    selects: (labels) => roleOf(labels) !== undefined,
    async observe(series, ctx) {
      const at = newestSample(series);
      if (!warmed) {
        warmed = true;
        let first = at;
        for (const s of series) if (s.points[0]) first = Math.min(first, s.points[0].ts);
        for (const r of roles) {
          const history = await ctx.store.select(storeMatchers(r), {
            start: first - spanMs - 60_000,
            end: first - 1,
          });
          for (const h of history) for (const p of h.points) feed(h.labels, p.ts, p.value);
        }
      }
      for (const s of series) for (const p of s.points) feed(s.labels, p.ts, p.value);
      return pairs.map((w) => {
        const long = buckets.ratio(at, w.longMs);
        const short = buckets.ratio(at, w.shortMs);
        const burnLong = long === null ? 0 : long / budget;
        const burnShort = short === null ? 0 : short / budget;
        const breach = burnLong >= w.factor && burnShort >= w.factor;
        const window = `${w.long}/${w.short}`;
        return {
          key: window,
          labels: { slo_window: window },
          at,
          verdict: { breach, recovered: !breach, value: burnLong },
          forMs: forSeconds * 1000,
          threshold: `${formatNumber(w.factor)}x`,
          severity: w.severity,
        };
      });
    },
    evict: () => {},
  };
}

function probeRuntime(rule: Extract<TypedRule, { kind: 'probe_down' }>): KindRuntime {
  const { sel } = seriesSelector(rule.spec.query);
  return {
    metrics: [sel.metric],
    selects: (labels) => labels.__name__ === sel.metric && matches(labels, sel.matchers),
    async observe(series) {
      const out: Observation[] = [];
      for (const s of series) {
        const labels = withoutName(s.labels);
        const key = labelsKey(labels);
        for (const p of s.points) {
          if (Number.isNaN(p.value)) continue;
          const down = p.value === 0;
          out.push({
            key,
            labels,
            at: p.ts,
            verdict: { breach: down, recovered: !down, value: p.value },
            forMs: 0,
            threshold: `${rule.spec.consecutive} failures`,
            consecutive: rule.spec.consecutive,
          });
        }
      }
      return out;
    },
    evict: () => {},
  };
}

export function createKindRuntime(rule: TypedRule): KindRuntime {
  switch (rule.kind) {
    case 'threshold':
      return thresholdRuntime(rule);
    case 'rate_of_change':
      return rateRuntime(rule);
    case 'anomaly':
      return anomalyRuntime(rule);
    case 'burn_rate':
      return burnRuntime(rule);
    case 'probe_down':
      return probeRuntime(rule);
  }
}
