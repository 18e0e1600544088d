import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { access } from '../../../platform/auth/roles.ts';
import type { Clock } from '../../../platform/clock.ts';
import { AppError } from '../../../platform/errors.ts';
import type { Api } from '../../../platform/http/api.ts';
import type { LabelMatcher, Labels, MetricStore, Point, ResultSeries } from '../metric-store.ts';
import type { InstantValue } from './engine.ts';
import { PromqlError, parseDuration, parsePromql } from './parse.ts';

export interface QueryRoutesDeps {
  store: Pick<MetricStore, 'queryRange' | 'series' | 'labelValues' | 'labelNames'>;
  /** Instant queries keeping PromQL's result type. */
  evaluate(query: string, at: number): Promise<InstantValue>;
  clock: Clock;
}

type Params = Record<string, string | string[] | undefined>;

const SERIES_LIMIT = 10_000;

/**
 * Prometheus's HTTP query API (GET, or POST with a form body), answering in Prometheus's JSON shapes so
 * that Grafana's Prometheus data source works against Steady unchanged. Errors are Prometheus-shaped too:
 * `{status:"error", errorType:"bad_data", error}` with 400 (422 `execution` when evaluation fails).
 */
export function registerQueryRoutes(app: Api, deps: QueryRoutesDeps): void {
  // Registered as a plugin so the form-body parser stays scoped to these routes.
  app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => done(null, parseForm(body as string)),
    );
    const config = { access: access.read() };
    const schema = { tags: ['metrics'] };
    const route = (
      url: string,
      summary: string,
      handler: (p: Params, req: FastifyRequest) => Promise<unknown>,
    ) => {
      for (const method of ['GET', 'POST'] as const) {
        scope.route({
          method,
          url,
          config,
          schema: { ...schema, summary },
          handler: (req, reply) => answer(reply, () => handler(paramsOf(req), req)),
        });
      }
    };

    route('/api/v1/query', 'PromQL instant query (Prometheus API)', async (p) => {
      const query = required(p, 'query');
      const at = p.time === undefined ? deps.clock.now() : parseTime(one(p, 'time'), 'time');
      return formatInstant(await deps.evaluate(query, at));
    });

    route('/api/v1/query_range', 'PromQL range query (Prometheus API)', async (p) => {
      const query = required(p, 'query');
      const start = parseTime(required(p, 'start'), 'start');
      const end = parseTime(required(p, 'end'), 'end');
      const step = parseStep(required(p, 'step'));
      const result = await deps.store.queryRange({ query, start, end, step });
      return {
        resultType: 'matrix',
        result: result.map((s) => ({ metric: s.labels, values: s.points.map(pair) })),
      };
    });

    route('/api/v1/series', 'Series matching selectors (Prometheus API)', async (p) => {
      const selectors = matchSelectors(p);
      if (selectors.length === 0) throw new PromqlError('no match[] parameter provided');
      const limit = p.limit === undefined ? SERIES_LIMIT : parseLimit(one(p, 'limit'));
      const seen = new Map<string, Labels>();
      for (const matchers of selectors) {
        for (const labels of await deps.store.series(matchers, limit))
          seen.set(JSON.stringify(labels), labels);
      }
      return [...seen.values()].slice(0, limit);
    });

    route('/api/v1/labels', 'Label names (Prometheus API)', async (p) => {
      const selectors = matchSelectors(p);
      if (selectors.length === 0) return deps.store.labelNames([]);
      const names = new Set<string>();
      for (const m of selectors) for (const n of await deps.store.labelNames(m)) names.add(n);
      return [...names].sort();
    });

    route('/api/v1/label/:name/values', 'Values of one label (Prometheus API)', async (p, req) => {
      const { name } = req.params as { name: string };
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new PromqlError(`invalid label name: "${name}"`);
      const selectors = matchSelectors(p);
      if (selectors.length === 0) return deps.store.labelValues(name, []);
      const values = new Set<string>();
      for (const m of selectors) for (const v of await deps.store.labelValues(name, m)) values.add(v);
      return [...values].sort();
    });
  });
}

async function answer(reply: FastifyReply, run: () => Promise<unknown>): Promise<unknown> {
  try {
    return { status: 'success', data: await run() };
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    const errorType = err.status === 422 ? 'execution' : 'bad_data';
    const status = err.status === 422 ? 422 : 400;
    return reply.status(status).send({ status: 'error', errorType, error: err.message });
  }
}

function paramsOf(req: FastifyRequest): Params {
  const out: Params = {};
  for (const source of [req.query, req.body]) {
    if (!source || typeof source !== 'object') continue;
    for (const [k, v] of Object.entries(source as Params)) {
      if (v === undefined) continue;
      const prev = out[k];
      out[k] = prev === undefined ? v : [...[prev].flat(), ...[v].flat()];
    }
  }
  return out;
}

function parseForm(body: string): Params {
  const out: Params = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : [...[prev].flat(), v];
  }
  return out;
}

function one(p: Params, name: string): string {
  const v = p[name];
  if (Array.isArray(v)) {
    if (v.length !== 1) throw new PromqlError(`parameter "${name}" given ${v.length} times`);
    return v[0] as string;
  }
  return v ?? '';
}

function required(p: Params, name: string): string {
  const v = p[name] === undefined ? '' : one(p, name);
  if (v === '') throw new PromqlError(`missing parameter "${name}"`);
  return v;
}

/** Unix seconds (with fractions) or RFC 3339, to epoch ms. */
export function parseTime(s: string, name: string): number {
  if (/^-?\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new PromqlError(`invalid parameter "${name}": cannot parse "${s}" to a valid timestamp`);
}

/** Seconds (`15`, `0.5`) or a duration (`15s`, `1m`), to ms. */
export function parseStep(s: string): number {
  let ms: number;
  try {
    ms = /^\d+(\.\d+)?$/.test(s) ? Math.round(Number(s) * 1000) : parseDuration(s);
  } catch {
    throw new PromqlError(`invalid parameter "step": cannot parse "${s}" to a valid duration`);
  }
  if (!(ms > 0)) throw new PromqlError('zero or negative query resolution step widths are not accepted');
  return ms;
}

function parseLimit(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new PromqlError(`invalid parameter "limit": "${s}"`);
  return n === 0 ? SERIES_LIMIT : n;
}

function matchSelectors(p: Params): LabelMatcher[][] {
  const raw = p['match[]'];
  const list = raw === undefined ? [] : [raw].flat();
  return list.map((text) => {
    const e = parsePromql(text);
    if (e.kind !== 'selector' || e.range !== undefined || e.offset !== 0) {
      throw new PromqlError(`invalid parameter "match[]": ${text} is not a series selector`);
    }
    return e.matchers;
  });
}

/** Prometheus's float text: NaN, +Inf, -Inf, else the shortest round-trip form. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

const pair = (p: Point): [number, string] => [p.ts / 1000, formatValue(p.value)];

function formatInstant(v: InstantValue): unknown {
  switch (v.resultType) {
    case 'scalar':
      return { resultType: 'scalar', result: pair(v.result) };
    case 'string':
      return { resultType: 'string', result: [v.result.ts / 1000, v.result.value] };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: v.result.map((s: ResultSeries) => ({ metric: s.labels, values: s.points.map(pair) })),
      };
    case 'vector':
      return {
        resultType: 'vector',
        result: v.result.map((s) => ({ metric: s.labels, value: pair(s.points[0] as Point) })),
      };
  }
}
