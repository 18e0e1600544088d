/**
 * What every kind of rule shares: the observation it hands the engine, the context it reads the store
 * through, and the helpers for following series (kinds.ts and anomaly.ts build on these).
 */
import type { LabelMatcher, Labels, MetricStore, Point, SeriesSamples } from '../../signals/index.ts';
import { labelsKey, matches, type parseQuery, parseSelector, storeMatchers, withoutName } from './expr.ts';
import type { Verdict } from './state.ts';

/** A rule follows at most this many series; more are ignored (and counted) to keep memory bounded. */
export const MAX_INSTANCES_PER_RULE = 5_000;

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
  /** The clock: when a series was last received, for eviction (not its samples' time). */
  now(): number;
}

/** What a rule of one kind does with the series of a stored batch it matched. */
export interface KindRuntime {
  /** Metric names whose samples concern the rule: the engine's index. */
  readonly metrics: readonly string[];
  /** True when the labels belong to one of the rule's selectors. */
  selects(labels: Labels): boolean;
  observe(series: readonly SeriesSamples[], ctx: KindContext): Promise<Observation[]>;
  /**
   * Drops per-series memory of series not received since `before` (clock time, not sample time: history
   * sent hours late, a backfill or a sender catching up is not silence).
   */
  evict(before: number): void;
}

export const exact = (labels: Labels): LabelMatcher[] =>
  Object.entries(labels).map(([name, value]) => ({ name, op: '=' as const, value }));

/** The engine's index entries of a query: the metrics its selectors name, and a label test. */
export function expressionIndex(q: ReturnType<typeof parseQuery>): Pick<KindRuntime, 'metrics' | 'selects'> {
  const selectors = q.selectors.map((s) => ({ metric: s.metric, matchers: s.matchers }));
  return {
    metrics: q.selectors.map((s) => s.metric).filter((m): m is string => m !== null),
    selects: (labels) =>
      selectors.some(
        (s) => (s.metric === null || s.metric === labels.__name__) && matches(labels, s.matchers),
      ),
  };
}

export function newestSample(series: readonly SeriesSamples[]): number {
  let at = Number.NEGATIVE_INFINITY;
  for (const s of series) for (const p of s.points) at = Math.max(at, p.ts);
  return at;
}

export function seriesSelector(query: string) {
  const sel = parseSelector(query);
  return { sel, all: storeMatchers(sel) };
}

/** Per-series memory with the clock time each series was last received, capped. */
export class SeriesMemory<T> {
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
    if (e) e.seen = Math.max(e.seen, seen);
  }
  evict(before: number): void {
    for (const [k, e] of this.items) if (e.seen < before) this.items.delete(k);
  }
}

/**
 * A kind over a plain selector that keeps state per series (a window, a detector): created at a
 * series' first batch and warmed from its stored history before it (replaying it gives the state it
 * would have had), then each point judged in order.
 */
export function perSeriesRuntime<T>(
  query: string,
  memory: SeriesMemory<T>,
  kind: {
    /** How much stored history warms a new series' state. */
    historyMs: number;
    create(firstTs: number): T;
    warm(state: T, p: Point): void;
    judge(state: T, key: string, labels: Record<string, string>, p: Point, ctx: KindContext): Observation;
  },
): KindRuntime {
  const { sel } = seriesSelector(query);
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
        let state = memory.get(key);
        if (state === undefined) {
          state = kind.create(first.ts);
          if (!memory.set(key, state, ctx.now())) continue;
          const history = await ctx.store.select(exact(s.labels), {
            start: first.ts - kind.historyMs,
            end: first.ts - 1,
          });
          for (const h of history) for (const p of h.points) kind.warm(state, p);
        }
        for (const p of s.points) out.push(kind.judge(state, key, labels, p, ctx));
        memory.touch(key, ctx.now());
      }
      return out;
    },
    evict: (before) => memory.evict(before),
  };
}
