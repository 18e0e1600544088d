import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import {
  createEmbeddedMetricStore,
  createRemoteMetricStore,
  type LabelMatcher,
  type QueryableMetricStore,
  type SeriesSamples,
} from '../../src/modules/signals/index.ts';
import { parseValue, selectorText } from '../../src/modules/signals/remote-store/prom-api.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { AppError } from '../../src/platform/errors.ts';
import { createTestDatabase } from '../helpers/engines.ts';
import { freePort } from '../helpers/pg-cluster.ts';
import {
  flushVictoriaMetrics,
  PROMETHEUS,
  requireBinary,
  startPrometheus,
  startVictoriaMetrics,
  VICTORIA_METRICS,
} from '../helpers/tsdb.ts';

const MIN = 60_000;
// Recent, minute-aligned times: Prometheus's head refuses samples much older than its newest, and
// VictoriaMetrics aligns range queries to the step.
const T = Math.floor(Date.now() / MIN) * MIN - 10 * MIN;
const eq = (name: string, value: string): LabelMatcher => ({ name, op: '=', value });
const op = (name: string, o: LabelMatcher['op'], value: string): LabelMatcher => ({ name, op: o, value });
/** A counter growing by 1/s, sampled every 15 s for 5 minutes from T, handed over newest first. */
const counter = (labels: Record<string, string>): SeriesSamples => ({
  labels,
  points: Array.from({ length: 21 }, (_, i) => ({ ts: T + i * 15_000, value: 1000 + i * 15 })).reverse(),
});

interface Subject {
  store: QueryableMetricStore;
  /** Makes what was appended visible to queries (VictoriaMetrics flushes within a second). */
  settle(): Promise<void>;
  /** A batch this store refuses, its expected status and words of the reason. */
  refused(): Promise<{ batch: SeriesSamples[]; status: number; reason: RegExp }>;
  close(): Promise<void>;
}

/** Where the contract runs: the embedded store and, when their binaries are installed, two real TSDBs. */
const SUBJECTS: { name: string; binary?: string; open(): Promise<Subject> }[] = [
  {
    name: 'embedded store (SQLite)',
    async open() {
      const testDb = await createTestDatabase('sqlite');
      const database = testDb.open();
      const store = createEmbeddedMetricStore({
        db: database.db,
        clock: systemClock,
        config: loadConfig({}, undefined, { metricsMaxSeries: 40 }),
      });
      return {
        store,
        settle: async () => {},
        refused: async () => ({
          batch: [
            ...Array.from({ length: 50 }, (_, i) => ({
              labels: { __name__: 'too_many', i: String(i) },
              points: [{ ts: T, value: i }],
            })),
            { labels: { __name__: 'refused_fresh' }, points: [{ ts: T, value: 1 }] },
          ],
          status: 422,
          reason: /limit/,
        }),
        async close() {
          await store.close();
          await database.close();
          await testDb.drop();
        },
      };
    },
  },
  {
    name: 'Prometheus (remote-write receiver)',
    binary: PROMETHEUS,
    async open() {
      const prom = await startPrometheus({ args: ['--web.enable-remote-write-receiver'] });
      const store = createRemoteMetricStore({
        writeUrl: `${prom.url}/api/v1/write`,
        queryUrl: prom.url,
        timeoutMs: 10_000,
        clock: systemClock,
      });
      return {
        store,
        settle: async () => {},
        async refused() {
          // Prometheus refuses a sample older than its series' newest (no out-of-order window configured)
          // and rolls back the whole request.
          await store.append([{ labels: { __name__: 'ooo' }, points: [{ ts: T + 5 * MIN, value: 1 }] }]);
          return {
            batch: [
              { labels: { __name__: 'refused_fresh' }, points: [{ ts: T, value: 1 }] },
              { labels: { __name__: 'ooo' }, points: [{ ts: T, value: 2 }] },
            ],
            status: 400,
            reason: /out of order/,
          };
        },
        async close() {
          await store.close();
          await prom.stop();
        },
      };
    },
  },
  {
    name: 'VictoriaMetrics',
    binary: VICTORIA_METRICS,
    async open() {
      // A small request limit gives VictoriaMetrics (which takes any sample) something to refuse.
      const vm = await startVictoriaMetrics(['-maxInsertRequestSize=65536']);
      const store = createRemoteMetricStore({
        writeUrl: `${vm.url}/api/v1/write`,
        queryUrl: vm.url,
        timeoutMs: 10_000,
        clock: systemClock,
      });
      return {
        store,
        settle: () => flushVictoriaMetrics(vm.url),
        refused: async () => ({
          batch: Array.from({ length: 2000 }, (_, i) => ({
            labels: { __name__: i === 0 ? 'refused_fresh' : 'too_big', i: `${i}-${'x'.repeat(40)}` },
            points: [{ ts: T, value: i }],
          })),
          status: 400,
          reason: /maxInsertRequestSize/,
        }),
        async close() {
          await store.close();
          await vm.stop();
        },
      };
    },
  },
];

for (const subject of SUBJECTS) {
  const available =
    subject.binary === undefined || requireBinary(subject.binary, 'the remote metric store tests');
  (available ? describe : describe.skip)(`MetricStore contract: ${subject.name}`, () => {
    let s: Subject;
    let store: QueryableMetricStore;
    const all = { start: 0, end: 8_640_000_000_000_000 };

    beforeAll(async () => {
      s = await subject.open();
      store = s.store;
      const appended = await store.append([
        counter({ __name__: 'c_requests_total', service: 'shop', code: '200' }),
        counter({ __name__: 'c_requests_total', service: 'shop', code: '500' }),
        counter({ __name__: 'c_requests_total', service: 'cart', code: '503' }),
        {
          labels: { __name__: 'c_odd_values', service: 'shop' },
          points: [
            { ts: T, value: Number.POSITIVE_INFINITY },
            { ts: T + 15_000, value: Number.NEGATIVE_INFINITY },
            { ts: T + 30_000, value: 0.1 },
          ],
        },
      ]);
      expect(appended.samples).toBe(3 * 21 + 3);
      await s.settle();
    }, 60_000);
    afterAll(async () => {
      await s?.close();
    });

    it('select returns the raw samples in time order, range bounds inclusive', async () => {
      const got = await store.select([eq('__name__', 'c_requests_total'), eq('code', '200')], all);
      expect(got).toHaveLength(1);
      expect(got[0]?.labels).toEqual({ __name__: 'c_requests_total', service: 'shop', code: '200' });
      expect(got[0]?.points).toHaveLength(21);
      expect(got[0]?.points[0]).toEqual({ ts: T, value: 1000 });
      expect(got[0]?.points.at(-1)).toEqual({ ts: T + 300_000, value: 1300 });
      const part = await store.select([eq('__name__', 'c_requests_total'), eq('code', '200')], {
        start: T + 15_000,
        end: T + 45_000,
      });
      expect(part[0]?.points.map((p) => p.ts)).toEqual([T + 15_000, T + 30_000, T + 45_000]);
      const odd = await store.select([eq('__name__', 'c_odd_values')], all);
      expect(odd[0]?.points.map((p) => p.value)).toEqual([
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        0.1,
      ]);
      expect(await store.select([eq('__name__', 'c_nothing_here')], all)).toEqual([]);
    });

    it('matchers: = != =~ !~', async () => {
      const codes = async (...m: LabelMatcher[]) =>
        (await store.select([eq('__name__', 'c_requests_total'), ...m], all))
          .map((x) => x.labels.code)
          .sort();
      expect(await codes(op('code', '!=', '200'))).toEqual(['500', '503']);
      expect(await codes(op('code', '=~', '5..'))).toEqual(['500', '503']);
      expect(await codes(op('code', '!~', '5.*'))).toEqual(['200']);
      expect(await codes(op('service', '=', 'shop'), op('code', '=~', '2..|503'))).toEqual(['200']);
      // Regexes are anchored: "50" does not match "500".
      expect(await codes(op('code', '=~', '50'))).toEqual([]);
    });

    it('queryRange: sum by (service) (rate(...[1m]))', async () => {
      const got = await store.queryRange({
        query: 'sum by (service) (rate(c_requests_total[1m]))',
        start: T + 2 * MIN,
        end: T + 4 * MIN,
        step: 30_000,
      });
      expect(got.map((x) => x.labels)).toEqual([{ service: 'cart' }, { service: 'shop' }]);
      const shop = got[1]?.points ?? [];
      expect(shop.map((p) => p.ts)).toEqual([0, 1, 2, 3, 4].map((i) => T + 2 * MIN + i * 30_000));
      for (const p of shop) expect(p.value).toBeCloseTo(2, 6);
      for (const p of got[0]?.points ?? []) expect(p.value).toBeCloseTo(1, 6);
    });

    it('queryInstant: a vector keeps its labels; a scalar is one unlabelled series; evaluate keeps the type', async () => {
      const v = await store.queryInstant('c_requests_total{code="500"}', T + MIN);
      expect(v).toEqual([
        {
          labels: { __name__: 'c_requests_total', service: 'shop', code: '500' },
          points: [{ ts: T + MIN, value: 1060 }],
        },
      ]);
      expect(await store.queryInstant('1 + 1', T)).toEqual([{ labels: {}, points: [{ ts: T, value: 2 }] }]);
      const e = await store.evaluate('count(c_requests_total)', T + MIN);
      expect(e).toEqual({
        resultType: 'vector',
        result: [{ labels: {}, points: [{ ts: T + MIN, value: 3 }] }],
      });
    });

    it('a query the store cannot parse is a 4xx naming the problem', async () => {
      const err = await store.queryInstant('rate(c_requests_total[', T).catch((e) => e);
      expect(err).toBeInstanceOf(AppError);
      expect([400, 422]).toContain(err.status);
    });

    it('series, label names and label values, with and without matchers', async () => {
      const series = await store.series([eq('__name__', 'c_requests_total'), op('code', '=~', '5..')], 100);
      expect(series.map((l) => l.code).sort()).toEqual(['500', '503']);
      expect(series[0]).toHaveProperty('__name__', 'c_requests_total');
      expect(await store.series([eq('__name__', 'c_requests_total')], 1)).toHaveLength(1);
      expect((await store.series([], 1000)).length).toBeGreaterThanOrEqual(4);
      expect(await store.labelNames([eq('__name__', 'c_requests_total')])).toEqual([
        '__name__',
        'code',
        'service',
      ]);
      expect(await store.labelNames([])).toEqual(expect.arrayContaining(['__name__', 'code', 'service']));
      expect(await store.labelValues('code', [eq('service', 'shop')])).toEqual(['200', '500']);
      expect(await store.labelValues('__name__', [])).toEqual(
        expect.arrayContaining(['c_odd_values', 'c_requests_total']),
      );
    });

    it('a batch the store refuses rejects with an AppError naming the reason, and none of it is stored', async () => {
      const { batch, status, reason } = await s.refused();
      const err = await store.append(batch).catch((e) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err.status).toBe(status);
      expect(err.message).toMatch(reason);
      await s.settle();
      expect(await store.select([eq('__name__', 'refused_fresh')], all)).toEqual([]);
    });
  });
}

describe('remote store: an unreachable or failing TSDB is a 503, so callers retry', () => {
  let server: Server;
  let url: string;
  let reply: { status: number; body: string } | 'hang' = { status: 500, body: 'boom' };
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'text/plain' });
      res.end(reply.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const remote = (base: string, timeoutMs = 5000) =>
    createRemoteMetricStore({
      writeUrl: `${base}/api/v1/write`,
      queryUrl: base,
      timeoutMs,
      clock: systemClock,
    });
  const batch = [{ labels: { __name__: 'x' }, points: [{ ts: T, value: 1 }] }];

  it('nothing listening: append and queries answer 503 naming the cause', async () => {
    const store = remote(`http://127.0.0.1:${await freePort()}`);
    const err = await store.append(batch).catch((e) => e);
    expect(err).toMatchObject({ status: 503, code: 'metrics_backend_unavailable' });
    expect(err.message).toMatch(/cannot be reached: ECONNREFUSED/);
    await expect(store.queryRange({ query: 'x', start: T, end: T, step: 1000 })).rejects.toMatchObject({
      status: 503,
    });
    await expect(store.labelNames([])).rejects.toMatchObject({ status: 503 });
  });

  it('a 5xx, or a 401 (Steady misconfigured), is a 503 quoting the reply; a 429 stays 429', async () => {
    const store = remote(url);
    reply = { status: 500, body: 'disk full' };
    await expect(store.append(batch)).rejects.toMatchObject({ status: 503, message: /HTTP 500: disk full/ });
    reply = { status: 401, body: 'bad token' };
    await expect(store.append(batch)).rejects.toMatchObject({ status: 503, message: /HTTP 401: bad token/ });
    reply = { status: 429, body: 'slow down' };
    await expect(store.append(batch)).rejects.toMatchObject({ status: 429 });
    reply = { status: 502, body: '<html>bad gateway</html>' };
    await expect(store.queryInstant('x', T)).rejects.toMatchObject({ status: 503, message: /HTTP 502/ });
  });

  it('no answer within the timeout is a 503', async () => {
    reply = 'hang';
    const err = await remote(url, 200)
      .append(batch)
      .catch((e) => e);
    expect(err).toMatchObject({ status: 503, message: /no answer within 200 ms/ });
  });

  it('appends after close reject', async () => {
    const store = remote(url);
    await store.close();
    await expect(store.append(batch)).rejects.toMatchObject({ status: 503, code: 'store_closed' });
  });
});

describe('remote store: wire details', () => {
  it("reads Prometheus's float texts", () => {
    expect(parseValue('NaN')).toBeNaN();
    expect(parseValue('+Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseValue('-Inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(parseValue('1e-3')).toBe(0.001);
    expect(() => parseValue('')).toThrow(/not a number/);
  });

  it('writes selectors Prometheus accepts, escaping values', () => {
    expect(selectorText([eq('job', 'a"b\\c')])).toBe('{job="a\\"b\\\\c"}');
    // Every matcher matching the empty string (or none at all) would be refused: __name__ is added.
    expect(selectorText([])).toBe('{__name__=~".+"}');
    expect(selectorText([op('job', '=~', '.*')])).toBe('{job=~".*",__name__=~".+"}');
  });

  it('the settings: both URLs or neither, one kind of auth', () => {
    expect(() => loadConfig({ STEADY_METRICS_REMOTE_WRITE_URL: 'http://p:9090/api/v1/write' })).toThrow(
      /set both .* or neither/,
    );
    expect(() => loadConfig({ STEADY_METRICS_REMOTE_QUERY_URL: 'ftp://p' })).toThrow(/http\(s\) URL/);
    expect(() =>
      loadConfig({
        STEADY_METRICS_REMOTE_WRITE_URL: 'http://p:9090/api/v1/write',
        STEADY_METRICS_REMOTE_QUERY_URL: 'http://p:9090',
        STEADY_METRICS_REMOTE_BEARER_TOKEN: 't',
        STEADY_METRICS_REMOTE_BASIC_AUTH: 'u:p',
      }),
    ).toThrow(/set one, not both/);
    expect(() => loadConfig({ STEADY_METRICS_REMOTE_HEADERS: '{"bad header":"x"}' })).toThrow(/header names/);
    const ok = loadConfig({ STEADY_METRICS_REMOTE_HEADERS: '{"X-Scope-OrgID":"shop"}' });
    expect(ok.metricsRemoteHeaders).toEqual({ 'X-Scope-OrgID': 'shop' });
  });
});
