import { describe, expect, it } from 'vitest';
import type { Labels, ResultSeries } from '../metric-store.ts';
import { compileMatchers } from '../store/matchers.ts';
import { createPromqlEngine } from './engine.ts';

const S = 1000;
const T = 1_700_000_000_000;

/** An in-memory fetcher over fixed series: the engine's only dependency. */
function engineOver(data: ResultSeries[]) {
  return createPromqlEngine({
    async fetch(matchers, range) {
      const ms = compileMatchers(matchers);
      const series = data
        .filter((s) => ms.every((m) => m.test(s.labels)))
        .map((s) => ({
          labels: s.labels,
          points: s.points.filter((p) => p.ts >= range.start && p.ts <= range.end),
        }));
      return { series, resolutionMs: 0 };
    },
  });
}

const every15s = (labels: Labels, values: number[], start = T) => ({
  labels,
  points: values.map((value, i) => ({ ts: start + i * 15 * S, value })),
});

// A counter growing 1/s (sampled every 15 s for 5 min), one with a reset, a gauge, and a histogram.
const data: ResultSeries[] = [
  every15s(
    { __name__: 'req_total', job: 'api', code: '200' },
    Array.from({ length: 21 }, (_, i) => i * 15),
  ),
  every15s(
    { __name__: 'req_total', job: 'api', code: '500' },
    Array.from({ length: 21 }, (_, i) => i * 3),
  ),
  every15s({ __name__: 'resets_total', job: 'api' }, [10, 20, 5, 15]),
  every15s({ __name__: 'temp', job: 'api', room: 'a' }, [10, 20, 30, 40, 50]),
  every15s({ __name__: 'temp', job: 'web', room: 'b' }, [1, 2, 3, 4, 5]),
  every15s({ __name__: 'lat_bucket', job: 'api', le: '0.1' }, [10]),
  every15s({ __name__: 'lat_bucket', job: 'api', le: '0.5' }, [50]),
  every15s({ __name__: 'lat_bucket', job: 'api', le: '1' }, [90]),
  every15s({ __name__: 'lat_bucket', job: 'api', le: '+Inf' }, [100]),
];
const engine = engineOver(data);

async function vector(query: string, at: number) {
  const v = await engine.instant(query, at);
  if (v.resultType !== 'vector') throw new Error(`expected a vector, got ${v.resultType}`);
  return v.result.map((s) => ({ labels: s.labels, value: s.points[0]?.value }));
}
const values = async (query: string, at: number) =>
  (await vector(query, at)).map((s) => s.value).sort((a, b) => (a as number) - (b as number));

describe('PromQL engine', () => {
  it('selects instant vectors with the 5 min lookback and offset', async () => {
    expect(await values('temp{room="a"}', T + 60 * S)).toEqual([50]);
    expect(await values('temp{room="a"}', T + 30 * S)).toEqual([30]);
    expect(await values('temp{room="a"}', T + 60 * S + 5 * 60 * S)).toEqual([]);
    expect(await values('temp{room="a"} offset 30s', T + 60 * S)).toEqual([30]);
    expect(await values('temp{room=~"a|b"}', T + 60 * S)).toEqual([5, 50]);
    expect(await values('temp{room!~"a"}', T + 60 * S)).toEqual([5]);
    expect(await values('temp{room!="a"}', T + 60 * S)).toEqual([5]);
    const [first] = await vector('temp{room="a"}', T + 60 * S);
    expect(first?.labels.__name__).toBe('temp');
  });

  it('computes rate, increase, irate and delta as Prometheus does', async () => {
    // 4 samples in (240 s, 300 s]: 45 over 45 s, extrapolated 15 s to the window start.
    expect((await values('rate(req_total{code="200"}[1m])', T + 300 * S))[0]).toBeCloseTo(1, 12);
    expect((await values('increase(req_total{code="200"}[1m])', T + 300 * S))[0]).toBeCloseTo(60, 12);
    // Reset: 10, 20, 5, 15 → 5 + 20 = 25 over 45 s, extrapolated to 60 s.
    const [inc] = await values('increase(resets_total[1m])', T + 45 * S);
    expect(inc).toBeCloseTo((25 * 60) / 45, 10);
    expect(await values('irate(resets_total[1m])', T + 45 * S)).toEqual([10 / 15]);
    const [d] = await values('delta(temp{room="a"}[1m])', T + 60 * S);
    // 20, 30, 40, 50 in (0 s, 60 s]: 30 over 45 s, extrapolated by 15 s at the start → 40.
    expect(d).toBeCloseTo(40, 10);
    const [der] = await values('deriv(temp{room="a"}[2m])', T + 60 * S);
    expect(der).toBeCloseTo(10 / 15, 10);
    const [r] = await vector('rate(req_total{code="200"}[1m])', T + 300 * S);
    expect(r?.labels).toEqual({ job: 'api', code: '200' });
  });

  it('aggregates over time', async () => {
    const at = T + 60 * S;
    expect(await values('avg_over_time(temp{room="a"}[1m])', at)).toEqual([35]);
    expect(await values('min_over_time(temp{room="a"}[1m])', at)).toEqual([20]);
    expect(await values('max_over_time(temp{room="a"}[1m])', at)).toEqual([50]);
    expect(await values('sum_over_time(temp{room="a"}[1m])', at)).toEqual([140]);
    expect(await values('count_over_time(temp{room="a"}[1m])', at)).toEqual([4]);
    expect(await values('quantile_over_time(0.5, temp{room="a"}[1m])', at)).toEqual([35]);
    const [last] = await vector('last_over_time(temp{room="a"}[1m])', at);
    expect(last).toEqual({ labels: { __name__: 'temp', job: 'api', room: 'a' }, value: 50 });
  });

  it('aggregates across series by and without labels', async () => {
    const at = T + 60 * S;
    expect(await vector('sum by (job) (temp)', at)).toEqual([
      { labels: { job: 'api' }, value: 50 },
      { labels: { job: 'web' }, value: 5 },
    ]);
    expect(await vector('sum(temp)', at)).toEqual([{ labels: {}, value: 55 }]);
    expect(await vector('avg without (room, job) (temp)', at)).toEqual([{ labels: {}, value: 27.5 }]);
    expect(await values('count(temp)', at)).toEqual([2]);
    expect(await values('max(temp)', at)).toEqual([50]);
    expect(await values('min(temp)', at)).toEqual([5]);
    expect(await values('quantile(0.5, temp)', at)).toEqual([27.5]);
    const top = await vector('topk(1, temp)', at);
    expect(top).toEqual([{ labels: { __name__: 'temp', job: 'api', room: 'a' }, value: 50 }]);
    expect(await values('bottomk(1, temp)', at)).toEqual([5]);
  });

  it('computes histogram_quantile over _bucket series', async () => {
    expect(await vector('histogram_quantile(0.5, lat_bucket)', T)).toEqual([
      { labels: { job: 'api' }, value: 0.5 },
    ]);
    expect(await values('histogram_quantile(0.9, lat_bucket)', T)).toEqual([1]);
    expect(await values('histogram_quantile(0.95, lat_bucket)', T)).toEqual([1]);
    expect(await values('histogram_quantile(0.05, lat_bucket)', T)).toEqual([0.05]);
  });

  it('applies binary operators with Prometheus matching', async () => {
    const at = T + 60 * S;
    expect(await vector('temp * 2', at)).toEqual([
      { labels: { job: 'api', room: 'a' }, value: 100 },
      { labels: { job: 'web', room: 'b' }, value: 10 },
    ]);
    expect(await vector('temp > 10', at)).toEqual([
      { labels: { __name__: 'temp', job: 'api', room: 'a' }, value: 50 },
    ]);
    expect(await values('temp > bool 10', at)).toEqual([0, 1]);
    expect(await values('100 - temp', at)).toEqual([50, 95]);
    // One-to-one matching on a label, across different label sets.
    expect(await vector('req_total{code="500"} / on(job) temp{room="a"}', T + 60 * S)).toEqual([
      { labels: { job: 'api' }, value: 12 / 50 },
    ]);
    expect(await values('req_total{code="500"} / ignoring(code) temp', T + 60 * S)).toEqual([]);
    expect(await values('temp and on(job) req_total', at)).toEqual([50]);
    expect(await values('temp unless on(job) req_total', at)).toEqual([5]);
    expect(await values('temp{room="a"} or temp', at)).toEqual([5, 50]);
    const err = await engine.instant('temp / on() temp', at).catch((e: Error) => e);
    expect((err as Error).message).toContain('many-to-many');
    const s = await engine.instant('1 + 2 * 3', at);
    expect(s).toEqual({ resultType: 'scalar', result: { ts: at, value: 7 } });
  });

  it('has abs, clamps, round, time, vector and scalar', async () => {
    const at = T + 60 * S;
    expect(await values('abs(-temp)', at)).toEqual([5, 50]);
    expect(await values('clamp_min(temp, 10)', at)).toEqual([10, 50]);
    expect(await values('clamp_max(temp, 10)', at)).toEqual([5, 10]);
    expect(await values('round(temp / 3)', at)).toEqual([2, 17]);
    expect(await values('round(temp / 3, 0.5)', at)).toEqual([1.5, 16.5]);
    expect(await engine.instant('time()', at)).toEqual({
      resultType: 'scalar',
      result: { ts: at, value: at / 1000 },
    });
    expect(await vector('vector(3)', at)).toEqual([{ labels: {}, value: 3 }]);
    expect(await engine.instant('scalar(temp{room="b"})', at)).toMatchObject({ result: { value: 5 } });
    expect(await engine.instant('scalar(temp)', at)).toMatchObject({ result: { value: Number.NaN } });
  });

  it('evaluates range queries step by step', async () => {
    const r = await engine.range('sum(temp)', T, T + 60 * S, 30 * S);
    expect(r).toEqual([
      {
        labels: {},
        points: [
          { ts: T, value: 11 },
          { ts: T + 30 * S, value: 33 },
          { ts: T + 60 * S, value: 55 },
        ],
      },
    ]);
    await expect(engine.range('temp[1m]', T, T + 60 * S, 15 * S)).rejects.toThrow(/range vector/);
    await expect(engine.range('temp', T, T + 86_400 * S * 2, S)).rejects.toThrow(/11000 points/);
  });

  it('rejects unsupported functions and constructs, and syntax errors, naming them', async () => {
    await expect(engine.instant('label_replace(temp, "a", "b", "c", "d")', T)).rejects.toThrow(
      'unsupported PromQL function: label_replace()',
    );
    await expect(engine.instant('max_over_time(temp[5m:1m])', T)).rejects.toThrow(/subqueries/);
    await expect(engine.instant('temp @ 100', T)).rejects.toThrow(/@ modifier/);
    await expect(engine.instant('count_values("v", temp)', T)).rejects.toThrow(
      /unsupported PromQL aggregation/,
    );
    await expect(engine.instant('temp / on(job) group_left temp', T)).rejects.toThrow(/group_left/);
    await expect(engine.instant('sum(temp', T)).rejects.toThrow(/parse error/);
    await expect(engine.instant('{job=~".*"}', T)).rejects.toThrow(/non-empty matcher/);
    await expect(engine.instant('rate(temp)', T)).rejects.toThrow(/expected type range vector/);
    await expect(engine.instant('1 > 2', T)).rejects.toThrow(/bool/);
  });
});
