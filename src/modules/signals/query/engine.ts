import { AppError } from '../../../platform/errors.ts';
import type { LabelMatcher, Labels, Point, ResultSeries, TimeRange } from '../metric-store.ts';
import { evaluateAt, type Loaded, type Sample, type SelectorExpr, type Value } from './evaluate.ts';
import { FUNCTIONS, type RollupField } from './functions.ts';
import { type Expr, PromqlError, parsePromql, typeOf } from './parse.ts';

export type { RollupField } from './functions.ts';

/** Prometheus's default lookback for instant selectors. */
export const LOOKBACK_MS = 5 * 60_000;
/** Prometheus refuses range queries with more points per series than this. */
export const MAX_POINTS = 11_000;

export interface FetchHint {
  /** The query's step in ms (0 for an instant query). */
  step: number;
  field: RollupField;
}

/** Where the engine reads samples: the store picks the resolution (raw or rollups) that fits. */
export interface Fetcher {
  fetch(
    matchers: readonly LabelMatcher[],
    range: TimeRange,
    hint: FetchHint,
  ): Promise<{ series: ResultSeries[]; resolutionMs: number }>;
}

/** An instant query's answer in Prometheus's result types. */
export type InstantValue =
  | { resultType: 'vector'; result: ResultSeries[] }
  | { resultType: 'matrix'; result: ResultSeries[] }
  | { resultType: 'scalar'; result: Point }
  | { resultType: 'string'; result: { ts: number; value: string } };

export interface PromqlEngine {
  instant(query: string, at: number): Promise<InstantValue>;
  range(query: string, start: number, end: number, step: number): Promise<ResultSeries[]>;
}

export function createPromqlEngine(fetcher: Fetcher): PromqlEngine {
  /** Loads every selector's samples for evaluation times [start, end] in one read each. */
  async function load(
    expr: Expr,
    start: number,
    end: number,
    step: number,
  ): Promise<Map<SelectorExpr, Loaded>> {
    const jobs: Promise<void>[] = [];
    const out = new Map<SelectorExpr, Loaded>();
    const visit = (e: Expr, field: RollupField) => {
      switch (e.kind) {
        case 'selector': {
          // Instant selectors look back 5 min, or one bucket when reading rollups (fetched generously: 1 h).
          const window = e.range ?? Math.max(LOOKBACK_MS, step >= LOOKBACK_MS ? 3_600_000 : LOOKBACK_MS);
          const range = { start: start - e.offset - window, end: end - e.offset };
          jobs.push(
            fetcher
              .fetch(e.matchers, range, { step, field: e.range === undefined ? 'last' : field })
              .then((r) => {
                out.set(e, {
                  resolutionMs: r.resolutionMs,
                  series: r.series.map((s) => ({ labels: s.labels, points: s.points })),
                });
              }),
          );
          return;
        }
        case 'call':
          for (const a of e.args) visit(a, FUNCTIONS[e.fn]?.field ?? 'last');
          return;
        case 'agg':
          if (e.param) visit(e.param, 'last');
          visit(e.expr, 'last');
          return;
        case 'binary':
          visit(e.lhs, 'last');
          visit(e.rhs, 'last');
          return;
        case 'unary':
          visit(e.expr, 'last');
          return;
        default:
          return;
      }
    };
    visit(expr, 'last');
    await Promise.all(jobs);
    return out;
  }

  return {
    async instant(query, at) {
      const expr = parsePromql(query);
      const data = await load(expr, at, at, 0);
      if (expr.kind === 'selector' && expr.range !== undefined) {
        // A bare range selector answers with its raw samples (Prometheus's matrix result).
        const loaded = data.get(expr) as Loaded;
        const end = at - expr.offset;
        const result = loaded.series
          .map((s) => ({
            labels: s.labels,
            points: s.points.filter(
              (p) => p.ts > end - (expr.range as number) && p.ts <= end && !Number.isNaN(p.value),
            ),
          }))
          .filter((s) => s.points.length > 0);
        return { resultType: 'matrix', result };
      }
      const v = evaluateAt(expr, at, data);
      if (v.t === 'scalar') return { resultType: 'scalar', result: { ts: at, value: v.v } };
      if (v.t === 'string') return { resultType: 'string', result: { ts: at, value: v.v } };
      checkUnique(v.s);
      return {
        resultType: 'vector',
        result: v.s.map((s) => ({ labels: s.labels, points: [{ ts: at, value: s.value }] })),
      };
    },

    async range(query, start, end, step) {
      if (!(step > 0))
        throw new PromqlError('zero or negative query resolution step widths are not accepted');
      if (end < start) throw new PromqlError('end timestamp must not be before start time');
      if ((end - start) / step + 1 > MAX_POINTS) {
        throw new PromqlError(
          `exceeded maximum resolution of ${MAX_POINTS} points per timeseries: ${Math.floor((end - start) / step) + 1} ` +
            'were asked for; try a larger step or a shorter range',
        );
      }
      const expr = parsePromql(query);
      const type = typeOf(expr);
      if (type !== 'scalar' && type !== 'vector') {
        throw new PromqlError(
          `invalid expression type "${type === 'matrix' ? 'range vector' : type}" for range query, must be scalar or instant vector`,
        );
      }
      const data = await load(expr, start, end, step);
      const out = new Map<string, ResultSeries>();
      for (let t = start; t <= end; t += step) {
        const v: Value = evaluateAt(expr, t, data);
        const samples: Sample[] =
          v.t === 'vector' ? v.s : v.t === 'scalar' ? [{ labels: {}, value: v.v }] : [];
        const seen = new Set<string>();
        for (const s of samples) {
          const key = labelsKey(s.labels);
          if (seen.has(key)) throw duplicate(s.labels);
          seen.add(key);
          let series = out.get(key);
          if (!series) {
            series = { labels: s.labels, points: [] };
            out.set(key, series);
          }
          series.points.push({ ts: t, value: s.value });
        }
      }
      return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
    },
  };
}

export function labelsKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

const duplicate = (labels: Labels) =>
  new AppError(
    422,
    'execution',
    `vector cannot contain metrics with the same labelset ${JSON.stringify(labels)}`,
  );

function checkUnique(samples: readonly Sample[]): void {
  const seen = new Set<string>();
  for (const s of samples) {
    const key = labelsKey(s.labels);
    if (seen.has(key)) throw duplicate(s.labels);
    seen.add(key);
  }
}
