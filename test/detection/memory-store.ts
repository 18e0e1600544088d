import { matches, parseQuery, storeMatchers } from '../../src/modules/detection/rules/expr.ts';
import type { MetricStore, ResultSeries, SeriesSamples } from '../../src/modules/signals/index.ts';

/**
 * A metric store in memory for the rule-engine unit tests: raw `select`, and instant/range queries of a
 * bare selector only (last sample within 5 minutes, as Prometheus's lookback). Integration tests use
 * the real store.
 */
export function memoryStore() {
  const series = new Map<string, ResultSeries>();
  const select: MetricStore['select'] = async (matchers, range) =>
    [...series.values()]
      .filter((s) => matches(s.labels, matchers))
      .map((s) => ({
        labels: s.labels,
        points: s.points.filter((p) => p.ts >= range.start && p.ts <= range.end),
      }))
      .filter((s) => s.points.length > 0);
  const instant = async (query: string, at: number) => {
    const q = parseQuery(query);
    const sel = q.selectors[0]!;
    const all = await select(storeMatchers({ metric: sel.metric ?? '', matchers: sel.matchers }), {
      start: at - 300_000,
      end: at,
    });
    return all.map((s) => ({ labels: s.labels, points: [s.points[s.points.length - 1]!] }));
  };
  return {
    append(batch: readonly SeriesSamples[]) {
      for (const s of batch) {
        const key = JSON.stringify(Object.entries(s.labels).sort());
        let e = series.get(key);
        if (!e) {
          e = { labels: s.labels, points: [] };
          series.set(key, e);
        }
        e.points.push(...s.points);
        e.points.sort((a, b) => a.ts - b.ts);
      }
    },
    select,
    queryInstant: instant,
    queryRange: (async ({ query, start, end, step }) => {
      const out = new Map<string, ResultSeries>();
      for (let t = start; t <= end; t += step) {
        for (const r of await instant(query, t)) {
          const key = JSON.stringify(Object.entries(r.labels).sort());
          let e = out.get(key);
          if (!e) {
            e = { labels: r.labels, points: [] };
            out.set(key, e);
          }
          e.points.push({ ts: t, value: r.points[0]!.value });
        }
      }
      return [...out.values()];
    }) as MetricStore['queryRange'],
  };
}
