import { compressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../../platform/errors.ts';
import type { SeriesSamples } from '../metric-store.ts';
import { ExpositionError, parseExposition } from './exposition.ts';
import { createIngestService } from './ingest.service.ts';
import { decodeOtlpRequest, encodeOtlpRequest } from './otlp.codec.ts';
import { convertOtlp, prometheusName } from './otlp.convert.ts';
import { decodeRemoteWrite, encodeRemoteWrite } from './remote-write.codec.ts';

const MB = 1024 * 1024;

describe('remote_write codec', () => {
  it('round-trips series, NaN and ±Inf values, and sorts labels', async () => {
    const series: SeriesSamples[] = [
      {
        labels: { job: 'shop', __name__: 'http_requests_total' },
        points: [
          { ts: 1732500000000, value: 1 },
          { ts: 1732500015000, value: 2.5 },
        ],
      },
      {
        labels: { __name__: 'weird' },
        points: [
          { ts: 1, value: Number.NaN },
          { ts: 2, value: Number.POSITIVE_INFINITY },
          { ts: 3, value: Number.NEGATIVE_INFINITY },
        ],
      },
    ];
    const body = await encodeRemoteWrite(series, [
      { type: 1, metricFamilyName: 'http_requests_total', help: 'h', unit: '' },
    ]);
    const out = await decodeRemoteWrite(body, MB);
    expect(out.series[0]).toEqual({
      labels: { __name__: 'http_requests_total', job: 'shop' },
      points: series[0]?.points,
    });
    expect(out.series[1]?.points.map((p) => p.value)).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
    expect(out.metadata[0]).toMatchObject({ metricFamilyName: 'http_requests_total', type: 1 });
  });

  it('names bad snappy, bad protobuf, duplicate labels and oversized bodies', async () => {
    const fail = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: AppError) => ({ status: e.status, message: e.message }),
      );
    expect(await fail(decodeRemoteWrite(Buffer.from('not snappy at all'), MB))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/snappy/),
    });
    const junk = compressSync(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(await fail(decodeRemoteWrite(junk, MB))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/WriteRequest protobuf/),
    });
    const dup = await encodeRemoteWrite([{ labels: { __name__: 'a' }, points: [{ ts: 1, value: 1 }] }]);
    expect(await fail(decodeRemoteWrite(dup, 10))).toMatchObject({ status: 413 });
  });
});

describe('text exposition parser', () => {
  it('reads HELP, TYPE, escapes, timestamps, histograms, NaN and +Inf', () => {
    const text = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'metric_without_timestamp_and_labels 12.47',
      'something_weird{problem="division by zero"} +Inf -3982045',
      '# TYPE rpc_duration_seconds summary',
      'rpc_duration_seconds{quantile="0.5"} NaN',
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.05",} 24054',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      'http_request_duration_seconds_sum 53423',
      '# EOF',
      '',
    ].join('\n');
    const out = parseExposition(text);
    expect(out.types.get('http_requests_total')).toBe('counter');
    expect(out.help.get('http_requests_total')).toBe('The total number of HTTP requests.');
    expect(out.samples).toHaveLength(9);
    expect(out.samples[0]).toEqual({
      labels: { __name__: 'http_requests_total', method: 'post', code: '200' },
      value: 1027,
      ts: 1395066363000,
    });
    expect(out.samples[2]?.labels).toMatchObject({
      path: 'C:\\DIR\\FILE.TXT',
      error: 'Cannot find file:\n"FILE.TXT"',
    });
    expect(out.samples[4]).toMatchObject({ value: Number.POSITIVE_INFINITY, ts: -3982045 });
    expect(out.samples[5]?.value).toBeNaN();
    expect(out.samples[6]?.labels.le).toBe('0.05');
  });

  it('refuses malformed lines with the line number', () => {
    expect(() => parseExposition('ok 1\nbad{x="1" 2')).toThrow(/line 2/);
    expect(() => parseExposition('x{a="1",a="2"} 1')).toThrow(/twice/);
    expect(() => parseExposition('x one')).toThrow(ExpositionError);
    expect(() => parseExposition('x 1 12.5')).toThrow(/timestamp/);
    expect(() => parseExposition('# TYPE x gauges')).toThrow(/unknown metric type/);
  });
});

describe('OTLP conversion', () => {
  const t = '1732500000000000000';
  const request = {
    resourceMetrics: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'checkout' } },
            { key: 'service.instance.id', value: { stringValue: 'pod-1' } },
            { key: 'deployment.environment', value: { stringValue: 'prod' } },
          ],
        },
        scopeMetrics: [
          {
            scope: { name: 'shop', version: '1.0' },
            metrics: [
              {
                name: 'queue.depth',
                unit: '{item}',
                gauge: {
                  dataPoints: [
                    {
                      timeUnixNano: t,
                      asInt: '7',
                      attributes: [{ key: 'queue.name', value: { stringValue: 'orders' } }],
                    },
                  ],
                },
              },
              {
                name: 'http.server.requests',
                unit: '1',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [{ timeUnixNano: t, asDouble: 12 }],
                },
              },
              {
                name: 'cache.fill',
                unit: '1',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: false,
                  dataPoints: [{ timeUnixNano: t, asDouble: 0.5 }],
                },
              },
              {
                name: 'http.server.duration',
                unit: 's',
                histogram: {
                  aggregationTemporality: 2,
                  dataPoints: [
                    {
                      timeUnixNano: t,
                      count: '6',
                      sum: 1.5,
                      bucketCounts: ['1', '2', '3'],
                      explicitBounds: [0.1, 1],
                    },
                  ],
                },
              },
              {
                name: 'rpc.latency',
                unit: 'ms',
                summary: {
                  dataPoints: [
                    { timeUnixNano: t, count: '4', sum: 40, quantileValues: [{ quantile: 0.99, value: 30 }] },
                  ],
                },
              },
              {
                name: 'orders.delta',
                sum: {
                  aggregationTemporality: 1,
                  isMonotonic: true,
                  dataPoints: [{ timeUnixNano: t, asInt: '1' }],
                },
              },
              {
                name: 'sizes',
                exponentialHistogram: {
                  aggregationTemporality: 2,
                  dataPoints: [{ timeUnixNano: t, count: '1' }],
                },
              },
            ],
          },
        ],
      },
    ],
  };
  const byName = (series: { labels: Record<string, string>; points: { value: number }[] }[]) =>
    Object.fromEntries(
      series.map((s) => [
        `${s.labels.__name__}${s.labels.le ? `{le=${s.labels.le}}` : ''}${s.labels.quantile ? `{q=${s.labels.quantile}}` : ''}`,
        s,
      ]),
    );

  for (const encoding of ['json', 'protobuf'] as const) {
    it(`converts every metric type (${encoding})`, () => {
      const body = encoding === 'json' ? Buffer.from(JSON.stringify(request)) : encodeOtlpRequest(request);
      const out = convertOtlp(decodeOtlpRequest(body, encoding));
      const s = byName(out.series);
      expect(s.queue_depth?.labels).toEqual({
        __name__: 'queue_depth',
        queue_name: 'orders',
        job: 'checkout',
        instance: 'pod-1',
        service: 'checkout',
        otel_scope_name: 'shop',
        otel_scope_version: '1.0',
      });
      expect(s.queue_depth?.points).toEqual([{ ts: 1732500000000, value: 7 }]);
      expect(s.http_server_requests_total?.points[0]?.value).toBe(12);
      expect(s.cache_fill_ratio?.points[0]?.value).toBe(0.5);
      expect(s['http_server_duration_seconds_bucket{le=0.1}']?.points[0]?.value).toBe(1);
      expect(s['http_server_duration_seconds_bucket{le=1}']?.points[0]?.value).toBe(3);
      expect(s['http_server_duration_seconds_bucket{le=+Inf}']?.points[0]?.value).toBe(6);
      expect(s.http_server_duration_seconds_sum?.points[0]?.value).toBe(1.5);
      expect(s.http_server_duration_seconds_count?.points[0]?.value).toBe(6);
      expect(s['rpc_latency_milliseconds{q=0.99}']?.points[0]?.value).toBe(30);
      expect(s.rpc_latency_milliseconds_count?.points[0]?.value).toBe(4);
      expect(s.target_info?.labels).toMatchObject({ deployment_environment: 'prod', job: 'checkout' });
      expect(out.acceptedPoints).toBe(5);
      expect(out.rejectedPoints).toBe(2);
      expect(out.rejections.join(' ')).toMatch(/delta temporality.*exponential histograms/s);
    });
  }

  it('names metrics per the compatibility spec', () => {
    expect(prometheusName('http.server.request.duration', 's', 'other')).toBe(
      'http_server_request_duration_seconds',
    );
    expect(prometheusName('system.network.io', 'By', 'counter')).toBe('system_network_io_bytes_total');
    expect(prometheusName('requests_total', '', 'counter')).toBe('requests_total');
    expect(prometheusName('speed', 'm/s', 'gauge')).toBe('speed_meters_per_second');
    expect(prometheusName('2xx.count', '', 'gauge')).toBe('_2xx_count');
  });

  it('refuses malformed bodies by name', () => {
    expect(() => decodeOtlpRequest(Buffer.from('{nope'), 'json')).toThrow(/not valid JSON/);
    expect(() => decodeOtlpRequest(Buffer.from('{"resourceMetrics":"x"}'), 'json')).toThrow(
      /ExportMetricsServiceRequest/,
    );
    expect(() => decodeOtlpRequest(Buffer.from([0x0a, 0xff, 0xff, 0xff]), 'protobuf')).toThrow(/protobuf/);
  });
});

describe('ingest service', () => {
  const store = () => {
    const appended: unknown[] = [];
    return {
      appended,
      append: async (batch: readonly unknown[]) => {
        appended.push(...batch);
        return { samples: batch.length, newSeries: 0 };
      },
    };
  };

  it('maps services by rule, drops empty labels, keeps NaN values, tells listeners', async () => {
    const s = store();
    const sink = createIngestService({
      store: s,
      serviceRules: [{ label: 'job', regex: 'shop-(.*)', service: '$1' }],
    });
    const seen: unknown[] = [];
    sink.onStored((b) => seen.push(...b));
    await sink.ingest([
      { labels: { __name__: 'up', job: 'shop-cart', empty: '' }, points: [{ ts: 1, value: Number.NaN }] },
      { labels: { __name__: 'up', job: 'shop-cart', service: 'mine' }, points: [{ ts: 1, value: 1 }] },
      { labels: { __name__: 'up', job: 'other' }, points: [{ ts: 1, value: 1 }] },
    ]);
    expect(s.appended).toEqual([
      {
        labels: { __name__: 'up', job: 'shop-cart', service: 'cart' },
        points: [{ ts: 1, value: Number.NaN }],
      },
      { labels: { __name__: 'up', job: 'shop-cart', service: 'mine' }, points: [{ ts: 1, value: 1 }] },
      { labels: { __name__: 'up', job: 'other' }, points: [{ ts: 1, value: 1 }] },
    ]);
    expect(seen).toEqual(s.appended);
  });

  it('refuses the whole batch on one bad series, naming it, and stores nothing', async () => {
    const s = store();
    const sink = createIngestService({ store: s });
    const bad = async (labels: Record<string, string>, ts = 1) =>
      sink
        .ingest([
          { labels: { __name__: 'ok' }, points: [{ ts: 1, value: 1 }] },
          { labels, points: [{ ts, value: 1 }] },
        ])
        .then(
          () => 'stored',
          (e: AppError) => `${e.status} ${e.message}`,
        );
    expect(await bad({ __name__: '1bad' })).toMatch(/^400 .*metric name "1bad"/);
    expect(await bad({ __name__: 'x', 'a-b': '1' })).toMatch(/label name "a-b"/);
    expect(await bad({ job: 'x' })).toMatch(/no metric name/);
    expect(await bad({ __name__: 'x', v: 'a\u0000b' })).toMatch(/NUL/);
    expect(await bad({ __name__: 'x' }, Number.NaN)).toMatch(/timestamp NaN/);
    expect(await bad({ __name__: 'x' }, 1.5)).toMatch(/timestamp 1.5/);
    expect(s.appended).toEqual([]);
  });
});
