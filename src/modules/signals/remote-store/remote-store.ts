import type { Clock } from '../../../platform/clock.ts';
import { AppError } from '../../../platform/errors.ts';
import { encodeRemoteWrite, remoteWriteHeaders } from '../ingest/remote-write.codec.ts';
import type { AppendResult, LabelMatcher, MetricStore, SeriesSamples, TimeRange } from '../metric-store.ts';
import type { InstantValue } from '../query/engine.ts';
import {
  apiError,
  authHeaders,
  cut,
  networkReason,
  parseInstant,
  parseMatrix,
  type RemoteAuth,
  replyText,
  seconds,
  selectorText,
  unavailable,
  writeError,
} from './prom-api.ts';

export interface RemoteStoreOptions extends RemoteAuth {
  /** remote_write 1.0 receiver, e.g. `http://prometheus:9090/api/v1/write`. */
  writeUrl: string;
  /** Base of the PromQL HTTP API (the part before `/api/v1/query`), e.g. `http://prometheus:9090`. */
  queryUrl: string;
  /** Per request, in ms. */
  timeoutMs: number;
  clock: Clock;
  /** Sent as User-Agent, so the TSDB's logs name the sender. */
  userAgent?: string;
}

/** What the query routes need beyond MetricStore, offered by both stores. */
export interface QueryableMetricStore extends MetricStore {
  /** Instant query keeping PromQL's result type (a scalar is not a series). */
  evaluate(query: string, at: number): Promise<InstantValue>;
}

const DAY = 86_400_000;
// Bounds for "all time": VictoriaMetrics reads `start=0` as "not given" (its default is a short window)
// and returns nothing for times far in the future, so open ranges are clamped to what a TSDB can hold.
const EARLIEST = 1000;
const LATEST_AHEAD = 366 * DAY;

/**
 * The MetricStore on a Prometheus-compatible TSDB (Prometheus with its remote-write receiver,
 * VictoriaMetrics, Mimir): samples go out by remote_write, reads come back through the PromQL HTTP API.
 * A resolved append means the TSDB answered 2xx, so it is as durable as that TSDB promises (Prometheus:
 * its WAL; VictoriaMetrics: flushed to disk within a second). Cardinality limits, retention and
 * downsampling are the TSDB's business; its refusals come back as AppErrors naming its reply.
 * PromQL text is passed through, so the TSDB's whole language (MetricsQL on VictoriaMetrics) applies.
 */
export function createRemoteMetricStore(options: RemoteStoreOptions): QueryableMetricStore {
  const { clock, timeoutMs } = options;
  const base = options.queryUrl.replace(/\/+$/, '');
  const common = { ...authHeaders(options), 'user-agent': options.userAgent ?? 'Steady' };
  let closed = false;
  const inFlight = new Set<Promise<unknown>>();

  async function send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw unavailable(
        `The metrics TSDB at ${new URL(url).origin} cannot be reached: ${networkReason(err, timeoutMs)}`,
      );
    }
  }

  async function write(batch: readonly SeriesSamples[]): Promise<AppendResult> {
    let samples = 0;
    // Out-of-order samples within a series are refused by Prometheus, so each series is sent in time order.
    const series = batch
      .filter((s) => s.points.length > 0)
      .map((s) => {
        samples += s.points.length;
        const sorted = s.points.every((p, i, a) => i === 0 || (a[i - 1] as typeof p).ts <= p.ts);
        return sorted ? s : { labels: s.labels, points: [...s.points].sort((a, b) => a.ts - b.ts) };
      });
    if (series.length === 0) return { samples: 0, newSeries: 0 };
    const body = await encodeRemoteWrite(series);
    const res = await send(options.writeUrl, {
      method: 'POST',
      headers: { ...common, ...remoteWriteHeaders },
      // A plain byte array: fetch's body types do not take a Node Buffer (whose memory may be shared).
      body: new Uint8Array(body),
    });
    if (res.status < 200 || res.status > 299) throw writeError(res.status, await replyText(res));
    await res.body?.cancel();
    // The TSDB does not say which series it saw first; new-series counting is its business.
    return { samples, newSeries: 0 };
  }

  /** One Prometheus API call; `data` of a success, an AppError otherwise. */
  async function api(path: string, params: URLSearchParams, method: 'GET' | 'POST'): Promise<unknown> {
    const url = `${base}${path}`;
    const res =
      method === 'POST'
        ? await send(url, {
            method,
            headers: { ...common, 'content-type': 'application/x-www-form-urlencoded' },
            body: params.toString(),
          })
        : await send(`${url}?${params}`, { method, headers: common });
    const text = await res.text().catch(() => '');
    if (res.status < 200 || res.status > 299) throw apiError(res.status, cut(text));
    let reply: { status?: string; data?: unknown; error?: string };
    try {
      reply = JSON.parse(text);
    } catch {
      throw unavailable(`The metrics TSDB answered ${path} with something other than JSON: ${cut(text)}`);
    }
    if (reply.status !== 'success') throw apiError(502, cut(text));
    return reply.data;
  }

  function track<T>(p: Promise<T>): Promise<T> {
    inFlight.add(p);
    return p.finally(() => inFlight.delete(p));
  }

  const instant = async (query: string, at: number): Promise<InstantValue> =>
    parseInstant(await api('/api/v1/query', new URLSearchParams({ query, time: seconds(at) }), 'POST'));

  /** The window every metadata call covers (all time, as far as the TSDB is concerned). */
  const everything = (): URLSearchParams =>
    new URLSearchParams({ start: seconds(EARLIEST), end: seconds(clock.now() + LATEST_AHEAD) });

  const withMatch = (matchers: readonly LabelMatcher[]): URLSearchParams => {
    const params = everything();
    if (matchers.length > 0) params.append('match[]', selectorText(matchers));
    return params;
  };

  return {
    append(batch) {
      if (closed) return Promise.reject(new AppError(503, 'store_closed', 'The metric store is closed'));
      return track(write(batch));
    },

    async select(matchers, range: TimeRange) {
      // A range-vector selector evaluated at the end returns the raw samples in (end - range, end] on
      // both Prometheus and VictoriaMetrics; one ms more makes the start inclusive, as the interface says.
      const start = Math.max(range.start, EARLIEST);
      const end = Math.min(range.end, clock.now() + LATEST_AHEAD);
      if (end < start) return [];
      const query = `${selectorText(matchers)}[${end - start + 1}ms]`;
      const v = await instant(query, end);
      if (v.resultType !== 'matrix') return [];
      return v.result.filter((s) => s.points.length > 0);
    },

    async queryRange(q) {
      const params = new URLSearchParams({
        query: q.query,
        start: seconds(q.start),
        end: seconds(q.end),
        step: seconds(q.step),
      });
      const data = (await api('/api/v1/query_range', params, 'POST')) as { result?: unknown };
      return parseMatrix(data?.result ?? []);
    },

    async queryInstant(query, at) {
      const v = await instant(query, at);
      if (v.resultType === 'vector') return v.result;
      if (v.resultType === 'scalar') return [{ labels: {}, points: [v.result] }];
      return [];
    },

    evaluate: instant,

    async series(matchers, limit) {
      const params = everything();
      params.append('match[]', selectorText(matchers));
      const data = await api('/api/v1/series', params, 'GET');
      return (Array.isArray(data) ? data : []).slice(0, limit);
    },

    async labelNames(matchers) {
      const data = await api('/api/v1/labels', withMatch(matchers), 'GET');
      return Array.isArray(data) ? (data as string[]).sort() : [];
    },

    async labelValues(name, matchers) {
      const data = await api(`/api/v1/label/${encodeURIComponent(name)}/values`, withMatch(matchers), 'GET');
      return Array.isArray(data) ? (data as string[]).sort() : [];
    },

    async close() {
      closed = true;
      // Appends under way finish (their callers wait for them); nothing is buffered here.
      await Promise.allSettled([...inFlight]);
    },
  };
}
