/**
 * What a rule of each kind does with a stored batch (anomaly rules: anomaly.ts), and the one switch that
 * picks it.
 */
import type { Labels } from '../../signals/index.ts';
import { anomalyRuntime } from './anomaly.ts';
import { labelsKey, matches, parseQuery, storeMatchers, withoutName } from './expr.ts';
import type { TypedRule } from './rules.schemas.ts';
import {
  expressionIndex,
  type KindRuntime,
  newestSample,
  type Observation,
  perSeriesRuntime,
  SeriesMemory,
  seriesSelector,
} from './runtime.ts';
import { thresholdVerdict } from './state.ts';
import { formatNumber } from './template.ts';
import { CounterDelta, durationMs, MinuteBuckets, PointWindow } from './windows.ts';

function thresholdRuntime(rule: Extract<TypedRule, { kind: 'threshold' }>): KindRuntime {
  const q = parseQuery(rule.spec.query);
  const { op, value, recovery, forSeconds } = rule.spec;
  const forMs = forSeconds * 1000;
  const threshold = formatNumber(value);
  return {
    ...expressionIndex(q),
    async observe(series, ctx) {
      const out: Observation[] = [];
      if (q.plainSelector) {
        for (const s of series) {
          const labels = withoutName(s.labels);
          const key = labelsKey(labels);
          for (const p of s.points) {
            out.push({
              key,
              labels,
              at: p.ts,
              verdict: thresholdVerdict(p.value, op, value, recovery),
              forMs,
              threshold,
            });
          }
        }
        return out;
      }
      // An expression (aggregation, ratio, function) is evaluated once per batch, at its newest sample.
      const at = newestSample(series);
      for (const r of await ctx.store.queryInstant(q.text, at)) {
        const last = r.points[r.points.length - 1];
        if (!last) continue;
        const labels = withoutName(r.labels);
        out.push({
          key: labelsKey(labels),
          labels,
          at,
          verdict: thresholdVerdict(last.value, op, value, recovery),
          forMs,
          threshold,
        });
      }
      return out;
    },
    evict: () => {},
  };
}

function rateRuntime(rule: Extract<TypedRule, { kind: 'rate_of_change' }>): KindRuntime {
  const { windowSeconds, mode, direction, value, forSeconds } = rule.spec;
  const windowMs = windowSeconds * 1000;
  const threshold = `${mode === 'percent' ? `${formatNumber(value)}%` : formatNumber(value)} in ${windowSeconds}s`;
  const breached = (change: number) =>
    direction === 'up'
      ? change >= value
      : direction === 'down'
        ? change <= -value
        : Math.abs(change) >= value;
  return perSeriesRuntime(rule.spec.query, new SeriesMemory<PointWindow>(), {
    historyMs: windowMs + 60_000,
    create: () => new PointWindow(windowMs),
    warm: (win, p) => win.push(p.ts, p.value),
    judge(win, key, labels, p) {
      win.push(p.ts, p.value);
      const change = win.change(mode);
      const breach = change !== null && breached(change);
      return {
        key,
        labels,
        at: p.ts,
        verdict: { breach, recovered: !breach, value: change },
        forMs: forSeconds * 1000,
        threshold,
      };
    },
  });
}

function burnRuntime(rule: Extract<TypedRule, { kind: 'burn_rate' }>): KindRuntime {
  const { source, objective, windows, forSeconds } = rule.spec;
  const budget = 1 - objective / 100;
  const pairs = windows.map((w) => ({ ...w, longMs: durationMs(w.long), shortMs: durationMs(w.short) }));
  const spanMs = Math.max(...pairs.map((p) => Math.max(p.longMs, p.shortMs)));
  const buckets = new MinuteBuckets(spanMs);
  const counters = new CounterDelta();
  const roles =
    source.type === 'counters'
      ? (['total', 'good', 'bad'] as const)
          .filter((r) => source[r] !== null)
          .map((r) => ({ role: r, ...seriesSelector(source[r] as string).sel }))
      : [{ role: 'ratio' as const, ...seriesSelector(source.query).sel }];
  const roleOf = (labels: Labels) =>
    roles.find((r) => labels.__name__ === r.metric && matches(labels, r.matchers))?.role;
  let warmed = false;

  function feed(labels: Labels, ts: number, value: number): void {
    const role = roleOf(labels);
    if (!role) return;
    if (role === 'ratio') {
      if (!Number.isNaN(value)) buckets.add(ts, value, 1);
      return;
    }
    const d = counters.delta(labelsKey(labels), value);
    if (d === 0) return;
    if (role === 'total') buckets.add(ts, source.type === 'counters' && source.good !== null ? d : 0, d);
    // With good and total, bad = total - good: the total's increment was counted as bad above and the
    // good increment takes it back.
    else if (role === 'good') buckets.add(ts, -d, 0);
    else buckets.add(ts, d, 0);
  }

  return {
    metrics: roles.map((r) => r.metric),
    selects: (labels) => roleOf(labels) !== undefined,
    async observe(series, ctx) {
      const at = newestSample(series);
      if (!warmed) {
        warmed = true;
        let first = at;
        for (const s of series) if (s.points[0]) first = Math.min(first, s.points[0].ts);
        for (const r of roles) {
          const history = await ctx.store.select(storeMatchers(r), {
            start: first - spanMs - 60_000,
            end: first - 1,
          });
          for (const h of history) for (const p of h.points) feed(h.labels, p.ts, p.value);
        }
      }
      for (const s of series) for (const p of s.points) feed(s.labels, p.ts, p.value);
      return pairs.map((w) => {
        const long = buckets.ratio(at, w.longMs);
        const short = buckets.ratio(at, w.shortMs);
        const burnLong = long === null ? 0 : long / budget;
        const burnShort = short === null ? 0 : short / budget;
        const breach = burnLong >= w.factor && burnShort >= w.factor;
        const window = `${w.long}/${w.short}`;
        return {
          key: window,
          labels: { slo_window: window },
          at,
          verdict: { breach, recovered: !breach, value: burnLong },
          forMs: forSeconds * 1000,
          threshold: `${formatNumber(w.factor)}x`,
          severity: w.severity,
        };
      });
    },
    evict: () => {},
  };
}

function probeRuntime(rule: Extract<TypedRule, { kind: 'probe_down' }>): KindRuntime {
  const { sel } = seriesSelector(rule.spec.query);
  return {
    metrics: [sel.metric],
    selects: (labels) => labels.__name__ === sel.metric && matches(labels, sel.matchers),
    async observe(series) {
      const out: Observation[] = [];
      for (const s of series) {
        const labels = withoutName(s.labels);
        const key = labelsKey(labels);
        for (const p of s.points) {
          if (Number.isNaN(p.value)) continue;
          const down = p.value === 0;
          out.push({
            key,
            labels,
            at: p.ts,
            verdict: { breach: down, recovered: !down, value: p.value },
            forMs: 0,
            threshold: `${rule.spec.consecutive} failures`,
            consecutive: rule.spec.consecutive,
          });
        }
      }
      return out;
    },
    evict: () => {},
  };
}

export function createKindRuntime(rule: TypedRule): KindRuntime {
  switch (rule.kind) {
    case 'threshold':
      return thresholdRuntime(rule);
    case 'rate_of_change':
      return rateRuntime(rule);
    case 'anomaly':
      return anomalyRuntime(rule);
    case 'burn_rate':
      return burnRuntime(rule);
    case 'probe_down':
      return probeRuntime(rule);
  }
}
