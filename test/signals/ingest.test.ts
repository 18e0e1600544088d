import { gzipSync } from 'node:zlib';
import type { InjectOptions } from 'fastify';
import { compressSync } from 'snappy';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MetricStore } from '../../src/modules/signals/index.ts';
import { encodeRemoteWrite, remoteWriteHeaders } from '../../src/modules/signals/index.ts';
import { decodeOtlpResponse, encodeOtlpRequest } from '../../src/modules/signals/ingest/otlp.codec.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';
import { eq, seriesOf, storeReader } from './ingest-helpers.ts';

const LIMIT = 64 * 1024;
const MAX_SERIES = 200;
const T0 = 1_732_500_000_000;

describeEachEngine('ingestion: remote_write, OTLP, JSON', (engine) => {
  let t: TestApp;
  let token: string;
  let store: MetricStore;
  let database: Database;

  beforeAll(async () => {
    t = await startTestApp(engine, { config: { ingestBodyLimitBytes: LIMIT, metricsMaxSeries: MAX_SERIES } });
    token = await t.token('agent', ['ingest']);
    ({ store, database } = storeReader(t));
  });
  afterAll(async () => {
    await store?.close();
    await database?.close();
    await t?.close();
  });

  const send = (url: string, payload: InjectOptions['payload'], headers: Record<string, string> = {}) =>
    t.app.http.inject({
      method: 'POST',
      url,
      payload,
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
  const write = (body: Buffer, headers: Record<string, string> = {}) =>
    send('/api/v1/write', body, { ...remoteWriteHeaders, ...headers });
  const count = async (name: string) => (await seriesOf(store, eq('__name__', name))).length;

  it('remote_write: 204 and every sample stored, NaN values and label order kept', async () => {
    const body = await encodeRemoteWrite([
      {
        labels: { __name__: 'rw_requests_total', job: 'shop', code: '200' },
        points: [
          { ts: T0, value: 1 },
          { ts: T0 + 15_000, value: 5 },
        ],
      },
      {
        labels: { __name__: 'rw_requests_total', job: 'shop', code: '500' },
        points: [{ ts: T0, value: Number.NaN }],
      },
    ]);
    const res = await write(body);
    expect(res.statusCode, res.body).toBe(204);
    const stored = await seriesOf(store, eq('__name__', 'rw_requests_total'));
    const ok = stored.find((s) => s.labels.code === '200');
    expect(ok?.labels).toEqual({ __name__: 'rw_requests_total', job: 'shop', code: '200' });
    expect(ok?.points).toEqual([
      { ts: T0, value: 1 },
      { ts: T0 + 15_000, value: 5 },
    ]);
    expect(stored.find((s) => s.labels.code === '500')?.points[0]?.value).toBeNaN();
  });

  it('remote_write: bad snappy, bad protobuf, bad label → 400 naming the problem, nothing stored; remote_write 2.0 → 415', async () => {
    const snappy = await write(Buffer.from('definitely not snappy'));
    expect(snappy.statusCode).toBe(400);
    expect(snappy.json().error.message).toMatch(/snappy/);

    const proto = await write(compressSync(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01])));
    expect(proto.statusCode).toBe(400);
    expect(proto.json().error.message).toMatch(/protobuf/);

    const label = await write(
      await encodeRemoteWrite([
        { labels: { __name__: 'rw_bad_batch' }, points: [{ ts: T0, value: 1 }] },
        { labels: { __name__: 'rw_bad_batch', 'bad-label': 'x' }, points: [{ ts: T0, value: 1 }] },
      ]),
    );
    expect(label.statusCode).toBe(400);
    expect(label.json().error.message).toMatch(/label name "bad-label"/);
    expect(await count('rw_bad_batch')).toBe(0);

    const v2 = await write(Buffer.from('x'), {
      'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
    });
    expect(v2.statusCode).toBe(415);
  });

  it('413 over the ingest body limit (remote_write and JSON), with the limit named', async () => {
    const big = await write(Buffer.alloc(LIMIT + 1, 1));
    expect(big.statusCode).toBe(413);
    expect(big.json().error.message).toMatch(String(LIMIT));
    const series = Array.from({ length: 2000 }, (_, i) => ({
      labels: { __name__: 'json_big', i: String(i) },
      points: [[T0, i]],
    }));
    const json = await send('/api/v1/ingest', { series });
    expect(json.statusCode).toBe(413);
    expect(await count('json_big')).toBe(0);
  });

  it('the series-cardinality limit is a 422 naming the limit, and nothing of the batch is stored', async () => {
    const body = await encodeRemoteWrite(
      Array.from({ length: MAX_SERIES + 1 }, (_, i) => ({
        labels: { __name__: 'rw_card', i: String(i) },
        points: [{ ts: T0, value: i }],
      })),
    );
    const res = await write(body);
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'cardinality_limit', details: { limit: MAX_SERIES } });
    expect(await count('rw_card')).toBe(0);
  });

  it('tokens: none → 401, without the ingest scope → 403, Basic with the token as password → 204', async () => {
    const body = await encodeRemoteWrite([
      { labels: { __name__: 'rw_auth' }, points: [{ ts: T0, value: 1 }] },
    ]);
    const none = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/write',
      payload: body,
      headers: { ...remoteWriteHeaders },
    });
    expect(none.statusCode).toBe(401);
    const readOnly = await t.token('agent', ['read', 'write']);
    for (const url of ['/api/v1/write', '/api/v1/otlp/v1/metrics', '/api/v1/ingest']) {
      const res = await send(url, body, { ...remoteWriteHeaders, authorization: `Bearer ${readOnly}` });
      expect(res.statusCode, url).toBe(403);
    }
    const basic = `Basic ${Buffer.from(`prometheus:${token}`).toString('base64')}`;
    expect((await write(body, { authorization: basic })).statusCode).toBe(204);
    expect(await count('rw_auth')).toBe(1);
    // Basic is for ingestion only; elsewhere a token goes as Bearer.
    const elsewhere = await t.app.http.inject({
      method: 'GET',
      url: '/api/v1/services',
      headers: { authorization: basic },
    });
    expect(elsewhere.statusCode).toBe(401);
  });

  it('JSON batch API: stores, reports counts; NaN timestamps and bad JSON → 400, nothing stored', async () => {
    const ok = await send('/api/v1/ingest', {
      series: [
        {
          labels: { __name__: 'orders_per_minute', service: 'checkout' },
          points: [
            [T0, 42],
            [T0 + 60_000, '+Inf'],
          ],
        },
      ],
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ samples: 2, newSeries: 1 });
    const stored = await seriesOf(store, eq('__name__', 'orders_per_minute'));
    expect(stored[0]?.points).toEqual([
      { ts: T0, value: 42 },
      { ts: T0 + 60_000, value: Number.POSITIVE_INFINITY },
    ]);

    const nanTs = await send('/api/v1/ingest', {
      series: [
        { labels: { __name__: 'json_nan_ts' }, points: [[T0, 1]] },
        { labels: { __name__: 'json_nan_ts', a: 'b' }, points: [['NaN', 1]] },
      ],
    });
    expect(nanTs.statusCode).toBe(400);
    expect(nanTs.json().error.message).toMatch(/series\.1\.points\.0\.0/);
    const fraction = await send('/api/v1/ingest', {
      series: [{ labels: { __name__: 'json_nan_ts' }, points: [[1.5, 1]] }],
    });
    expect(fraction.json().error.message).toMatch(/whole epoch milliseconds/);
    const badJson = await send('/api/v1/ingest', '{"series": [', { 'content-type': 'application/json' });
    expect(badJson.statusCode).toBe(400);
    const badName = await send('/api/v1/ingest', {
      series: [{ labels: { __name__: 'json nan' }, points: [[T0, 1]] }],
    });
    expect(badName.json().error.message).toMatch(/metric name "json nan"/);
    expect(await count('json_nan_ts')).toBe(0);
  });

  const otlpRequest = (suffix: string, temporality = 2) => ({
    resourceMetrics: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'cart' } },
            { key: 'service.instance.id', value: { stringValue: 'cart-1' } },
          ],
        },
        scopeMetrics: [
          {
            scope: { name: 'shop' },
            metrics: [
              {
                name: `otlp.${suffix}.temp`,
                unit: 'Cel',
                gauge: { dataPoints: [{ timeUnixNano: `${T0}000000`, asDouble: 21.5 }] },
              },
              {
                name: `otlp.${suffix}.orders`,
                sum: {
                  aggregationTemporality: temporality,
                  isMonotonic: true,
                  dataPoints: [{ timeUnixNano: `${T0}000000`, asInt: '12' }],
                },
              },
              {
                name: `otlp.${suffix}.latency`,
                unit: 's',
                histogram: {
                  aggregationTemporality: 2,
                  dataPoints: [
                    {
                      timeUnixNano: `${T0}000000`,
                      count: '3',
                      sum: 0.6,
                      bucketCounts: ['1', '2'],
                      explicitBounds: [0.25],
                    },
                  ],
                },
              },
              {
                name: `otlp.${suffix}.rpc`,
                unit: 'ms',
                summary: {
                  dataPoints: [
                    {
                      timeUnixNano: `${T0}000000`,
                      count: '2',
                      sum: 8,
                      quantileValues: [{ quantile: 0.5, value: 4 }],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  });

  it('OTLP/JSON: every metric type stored with job/instance/service; gzip accepted', async () => {
    const res = await send('/api/v1/otlp/v1/metrics', gzipSync(JSON.stringify(otlpRequest('json'))), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({});
    const gauge = await seriesOf(store, eq('__name__', 'otlp_json_temp_celsius'));
    expect(gauge[0]?.labels).toEqual({
      __name__: 'otlp_json_temp_celsius',
      job: 'cart',
      instance: 'cart-1',
      service: 'cart',
      otel_scope_name: 'shop',
    });
    expect(gauge[0]?.points).toEqual([{ ts: T0, value: 21.5 }]);
    expect((await seriesOf(store, eq('__name__', 'otlp_json_orders_total')))[0]?.points[0]?.value).toBe(12);
    const buckets = await seriesOf(store, eq('__name__', 'otlp_json_latency_seconds_bucket'));
    expect(Object.fromEntries(buckets.map((b) => [b.labels.le, b.points[0]?.value]))).toEqual({
      '0.25': 1,
      '+Inf': 3,
    });
    expect(await count('otlp_json_latency_seconds_sum')).toBe(1);
    expect(await count('otlp_json_rpc_milliseconds_count')).toBe(1);
    expect((await seriesOf(store, eq('__name__', 'otlp_json_rpc_milliseconds')))[0]?.labels.quantile).toBe(
      '0.5',
    );
  });

  it('OTLP/protobuf: stored; delta points rejected in partial_success; all rejected → 400; bad bodies → 400', async () => {
    const res = await send('/api/v1/otlp/v1/metrics', encodeOtlpRequest(otlpRequest('pb', 1)), {
      'content-type': 'application/x-protobuf',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/x-protobuf/);
    const reply = decodeOtlpResponse(res.rawPayload);
    expect(reply.partialSuccess?.rejectedDataPoints).toBe(1);
    expect(reply.partialSuccess?.errorMessage).toMatch(/delta temporality/);
    expect(await count('otlp_pb_temp_celsius')).toBe(1);
    expect(await count('otlp_pb_orders_total')).toBe(0);

    const asJson = await send('/api/v1/otlp/v1/metrics', JSON.stringify(otlpRequest('alias')), {
      'content-type': 'application/json',
    });
    expect(asJson.statusCode).toBe(200);

    const onlyDelta = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'otlp_delta_only',
                  sum: {
                    aggregationTemporality: 1,
                    dataPoints: [{ timeUnixNano: `${T0}000000`, asInt: '1' }],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const allRejected = await send('/api/v1/otlp/v1/metrics', JSON.stringify(onlyDelta), {
      'content-type': 'application/json',
    });
    expect(allRejected.statusCode).toBe(400);
    expect(allRejected.json().error.message).toMatch(/delta temporality/);

    const badPb = await send('/api/v1/otlp/v1/metrics', Buffer.from([0x0a, 0xff, 0xff, 0xff]), {
      'content-type': 'application/x-protobuf',
    });
    expect(badPb.statusCode).toBe(400);
    expect(badPb.json().error.message).toMatch(/protobuf/);
    const badJson = await send('/api/v1/otlp/v1/metrics', '{"resourceMetrics": [', {
      'content-type': 'application/json',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.message).toMatch(/not valid JSON/);
    const badGzip = await send('/api/v1/otlp/v1/metrics', 'plain', {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(badGzip.statusCode).toBe(400);
    expect(badGzip.json().error.message).toMatch(/gzip/);
    const bomb = await send('/api/v1/otlp/v1/metrics', gzipSync(Buffer.alloc(LIMIT * 9, 0x20)), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(bomb.statusCode).toBe(413);
  });
});
