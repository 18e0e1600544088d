import { describe, expect, it } from 'vitest';
import { parseQuery, QueryError } from '../../src/modules/detection/rules/expr.ts';
import { previewRule, stepFor } from '../../src/modules/detection/rules/preview.ts';
import { ruleInput, type TypedRule } from '../../src/modules/detection/rules/rules.schemas.ts';
import { checkTemplate, renderTemplate } from '../../src/modules/detection/rules/template.ts';
import { memoryStore } from './memory-store.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const TO = Date.UTC(2026, 0, 12);
const FROM = TO - 7 * DAY;

const typed = (input: unknown) =>
  ({ ...ruleInput.parse(input), id: 'p', createdAt: 0, updatedAt: 0 }) as TypedRule;

describe('rule preview', () => {
  it('picks a step near 1000 points: 10 minutes for 7 days', () => {
    expect(stepFor(7 * DAY)).toBe(10 * MIN);
    expect(stepFor(3_600_000)).toBe(MIN);
  });

  it('backtests a threshold rule: firing intervals, count, series and threshold lines', async () => {
    const store = memoryStore();
    for (let t = FROM; t <= TO; t += 5 * MIN) {
      const hour = Math.floor((t - FROM) / 3_600_000);
      // Two incidents of an hour each: day 2 at 10:00 and day 5 at 15:00.
      const high = hour === 34 || hour === 111;
      store.append([
        { labels: { __name__: 'latency', service: 'shop' }, points: [{ ts: t, value: high ? 3 : 1 }] },
      ]);
    }
    const rule = typed({
      name: 'p',
      kind: 'threshold',
      spec: { query: 'latency{service="shop"}', op: '>', value: 2, recovery: 1.5, forSeconds: 600 },
    });
    const res = await previewRule(store, rule, { from: FROM, to: TO });
    expect(res.firings).toBe(2);
    expect(res.step).toBe(10 * MIN);
    expect(res.thresholds).toEqual([
      { name: 'threshold', value: 2 },
      { name: 'recovery', value: 1.5 },
    ]);
    expect(res.series[0]?.intervals).toEqual([
      { start: FROM + 34 * 3_600_000 + 10 * MIN, end: FROM + 35 * 3_600_000 },
      { start: FROM + 111 * 3_600_000 + 10 * MIN, end: FROM + 112 * 3_600_000 },
    ]);
    expect(res.series[0]?.points.length).toBeGreaterThan(900);
  });

  it('backtests an anomaly rule with its expected band', async () => {
    const store = memoryStore();
    for (let t = FROM - DAY; t <= TO; t += 5 * MIN) {
      const v = 100 + 40 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + (((t / (5 * MIN)) % 5) - 2);
      store.append([
        { labels: { __name__: 'rps' }, points: [{ ts: t, value: t === FROM + 4 * DAY ? 500 : v }] },
      ]);
    }
    const res = await previewRule(store, typed({ name: 'a', kind: 'anomaly', spec: { query: 'rps' } }), {
      from: FROM,
      to: TO,
    });
    expect(res.firings).toBeGreaterThanOrEqual(1);
    expect(res.series[0]?.intervals[0]?.start).toBe(FROM + 4 * DAY);
    expect(res.series[0]?.lower?.length).toBeGreaterThan(900);
  });
});

describe('rule queries and templates', () => {
  it('lists selectors and names syntax errors by position', () => {
    const q = parseQuery(
      'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
    );
    expect(q.plainSelector).toBe(false);
    expect(q.selectors.map((s) => s.metric)).toEqual(['http_requests_total', 'http_requests_total']);
    expect(q.selectors[0]?.matchers).toEqual([{ name: 'code', op: '=~', value: '5..' }]);
    expect(parseQuery('{__name__="up", job="a"}')).toMatchObject({
      plainSelector: true,
      selectors: [{ metric: 'up' }],
    });
    expect(() => parseQuery('up{job="a"')).toThrow(QueryError);
    expect(() => parseQuery('up{job=~"("}')).toThrow(/not a valid regular expression/);
  });

  it('renders the tiny template language and refuses anything else', () => {
    const data = { labels: { service: 'shop' }, value: 1.23456, threshold: '1', rule: 'r' };
    expect(
      renderTemplate(
        '{{ $labels.service }} {{$value}} > {{ $threshold }} ({{ $rule }}) {{ $value | raw }} {{ $labels.none }}',
        data,
      ),
    ).toBe('shop 1.235 > 1 (r) 1.23456 ');
    expect(() => checkTemplate('{{ $labels.service }}')).not.toThrow();
    expect(() => checkTemplate('{{ printf "%s" $value }}')).toThrow(/unknown template expression/);
  });
});
