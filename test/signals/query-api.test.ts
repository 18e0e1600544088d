import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEmbeddedMetricStore } from '../../src/modules/signals/index.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const S = 1000;

describeEachEngine('Prometheus query API', (engine) => {
  let t: TestApp;
  let database: Database;
  let token: string;
  const clock = new FakeClock(T0 + 600 * S);

  beforeAll(async () => {
    t = await startTestApp(engine, { clock });
    database = t.testDb.open();
    const store = createEmbeddedMetricStore({ db: database.db, clock, config: t.config });
    const points = (f: (i: number) => number) =>
      Array.from({ length: 41 }, (_, i) => ({ ts: T0 + i * 15 * S, value: f(i) }));
    await store.append([
      {
        labels: { __name__: 'http_requests_total', service: 'shop', code: '200' },
        points: points((i) => i * 30),
      },
      {
        labels: { __name__: 'http_requests_total', service: 'shop', code: '500' },
        points: points((i) => i * 3),
      },
      { labels: { __name__: 'queue_depth', service: 'cart' }, points: points(() => 7) },
    ]);
    await store.close();
    token = await t.token('viewer', ['read']);
  });
  afterAll(async () => {
    await database.close();
    await t.close();
  });

  const get = (url: string, auth = token) =>
    t.app.http.inject({ method: 'GET', url, headers: { authorization: `Bearer ${auth}` } });
  const q = encodeURIComponent;

  it('answers an instant query as a Prometheus vector, time as unix seconds or RFC 3339', async () => {
    const at = (T0 + 600 * S) / 1000;
    const res = await get(
      `/api/v1/query?query=${q('sum by (code) (rate(http_requests_total[1m]))')}&time=${at}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.status).toBe('success');
    expect(body.data.resultType).toBe('vector');
    expect(body.data.result.map((r: { metric: unknown }) => r.metric)).toEqual([
      { code: '200' },
      { code: '500' },
    ]);
    const [ok, failed] = body.data.result as { value: [number, string] }[];
    expect(ok?.value[0]).toBe(at);
    expect(Number(ok?.value[1])).toBeCloseTo(2, 12);
    expect(Number(failed?.value[1])).toBeCloseTo(0.2, 12);
    const rfc = await get(`/api/v1/query?query=queue_depth&time=${new Date(T0 + 600 * S).toISOString()}`);
    expect(rfc.json().data.result).toEqual([
      { metric: { __name__: 'queue_depth', service: 'cart' }, value: [at, '7'] },
    ]);
    // Without a time, now (the app's clock).
    expect((await get('/api/v1/query?query=time()')).json().data).toEqual({
      resultType: 'scalar',
      result: [at, String(at)],
    });
  });

  it('answers a range query as a matrix, by GET and by form POST, step as seconds or duration', async () => {
    const start = T0 / 1000 + 60;
    const end = start + 120;
    const url = `/api/v1/query_range?query=${q('queue_depth')}&start=${start}&end=${end}&step=1m`;
    const res = await get(url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toEqual({
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'queue_depth', service: 'cart' },
          values: [
            [start, '7'],
            [start + 60, '7'],
            [end, '7'],
          ],
        },
      ],
    });
    const posted = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/query_range',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `query=${q('queue_depth')}&start=${start}&end=${end}&step=60`,
    });
    expect(posted.statusCode, posted.body).toBe(200);
    expect(posted.json()).toEqual(res.json());
  });

  it('lists series, label names and label values', async () => {
    const series = await get(`/api/v1/series?match[]=${q('{service="shop"}')}&match[]=queue_depth`);
    expect(series.statusCode, series.body).toBe(200);
    expect(series.json().data).toHaveLength(3);
    expect((await get('/api/v1/labels')).json()).toEqual({
      status: 'success',
      data: ['__name__', 'code', 'service'],
    });
    expect((await get(`/api/v1/labels?match[]=queue_depth`)).json().data).toEqual(['__name__', 'service']);
    expect((await get('/api/v1/label/__name__/values')).json().data).toEqual([
      'http_requests_total',
      'queue_depth',
    ]);
    expect((await get(`/api/v1/label/code/values?match[]=${q('{code=~"5.."}')}`)).json().data).toEqual([
      '500',
    ]);
  });

  it('answers bad queries with Prometheus errors that name the problem', async () => {
    const bad = await get(`/api/v1/query?query=${q('sum(rate(x[5m])')}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(bad.json().error).toContain('parse error');
    const unsupported = await get(`/api/v1/query?query=${q('label_join(x, "a", ",", "b")')}`);
    expect(unsupported.statusCode).toBe(400);
    expect(unsupported.json().error).toBe('unsupported PromQL function: label_join()');
    const missing = await get('/api/v1/query_range?query=up&start=1&end=2');
    expect(missing.json()).toMatchObject({ errorType: 'bad_data', error: 'missing parameter "step"' });
    const badTime = await get('/api/v1/query?query=up&time=yesterday');
    expect(badTime.statusCode).toBe(400);
    expect(badTime.json().error).toContain('"time"');
    const huge = await get('/api/v1/query_range?query=up&start=0&end=1000000&step=1');
    expect(huge.statusCode).toBe(400);
    expect(huge.json().error).toContain('11000 points');
    expect((await get('/api/v1/series')).json().error).toBe('no match[] parameter provided');
    const dup = await get(`/api/v1/query?query=${q('queue_depth / on() http_requests_total')}`);
    expect(dup.statusCode).toBe(422);
    expect(dup.json()).toMatchObject({ status: 'error', errorType: 'execution' });
  });

  it('needs a login or a token with the read scope', async () => {
    const anonymous = await t.app.http.inject({ method: 'GET', url: '/api/v1/query?query=up' });
    expect(anonymous.statusCode).toBe(401);
    const ingestOnly = await t.token('viewer', ['ingest']);
    expect((await get('/api/v1/query?query=up', ingestOnly)).statusCode).toBe(403);
    // A form POST is still a read: the read scope is enough.
    const posted = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/query',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'query=up',
    });
    expect(posted.statusCode, posted.body).toBe(200);
    const viewer = await t.as('viewer');
    expect((await viewer.request({ method: 'GET', url: '/api/v1/labels' })).statusCode).toBe(200);
  });
});
