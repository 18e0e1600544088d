import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { routingBody } from '../alerts.schemas.ts';
import { fingerprint, matches, matchesAll } from '../matchers.ts';
import { inhibitedBy } from './inhibit.ts';
import { activeOccurrence, nextOccurrences, type WindowRule } from './maintenance.ts';
import { groupKeyOf, groupLabels, matchRoutes, routeTreeProblems } from './route.ts';
import { silencedBy } from './silence.ts';

const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toMillis();

describe('matchers and fingerprints', () => {
  it('fingerprints ignore label order and separate scopes', () => {
    expect(fingerprint('s', { a: '1', b: '2' })).toBe(fingerprint('s', { b: '2', a: '1' }));
    expect(fingerprint('s', { a: '1', b: '2' })).not.toBe(fingerprint('t', { a: '1', b: '2' }));
    // A value cannot leak into the next name: {a:"1b", ...} differs from {a:"1", b...}.
    expect(fingerprint('s', { a: 'x', b: '' })).not.toBe(fingerprint('s', { a: 'xb' }));
  });
  it('regex matchers are anchored; a missing label is the empty string', () => {
    expect(matches({ name: 'job', op: '=~', value: 'web.*' }, { job: 'web-1' })).toBe(true);
    expect(matches({ name: 'job', op: '=~', value: 'web.*' }, { job: 'the-web-1' })).toBe(false);
    expect(matches({ name: 'job', op: '!~', value: 'db|cache' }, { job: 'db' })).toBe(false);
    expect(matches({ name: 'team', op: '=', value: '' }, { job: 'x' })).toBe(true);
    expect(matches({ name: 'team', op: '!=', value: 'a' }, {})).toBe(true);
  });
});

describe('inhibition', () => {
  const rules = [
    {
      sourceMatchers: [{ name: 'severity', op: '=' as const, value: 'critical' }],
      targetMatchers: [{ name: 'severity', op: '=~' as const, value: 'warning|info' }],
      equal: ['cluster'],
    },
  ];
  const src = {
    id: 'a1',
    title: 'ClusterDown',
    fingerprint: 'f1',
    labels: { severity: 'critical', cluster: 'sh-1' },
  };
  it('a firing source suppresses a target sharing the equal labels', () => {
    expect(
      inhibitedBy(rules, [src], { fingerprint: 'f2', labels: { severity: 'warning', cluster: 'sh-1' } }),
    ).toBe(src);
  });
  it('not when the equal labels differ, or the target does not match', () => {
    expect(
      inhibitedBy(rules, [src], { fingerprint: 'f2', labels: { severity: 'warning', cluster: 'bj-1' } }),
    ).toBeNull();
    expect(
      inhibitedBy(rules, [src], { fingerprint: 'f2', labels: { severity: 'critical', cluster: 'sh-1' } }),
    ).toBeNull();
  });
  it('alerts matching both sides do not inhibit each other', () => {
    const both = [
      {
        sourceMatchers: [{ name: 'a', op: '=' as const, value: '1' }],
        targetMatchers: [{ name: 'a', op: '=' as const, value: '1' }],
        equal: [],
      },
    ];
    const other = { id: 'x', title: 'x', fingerprint: 'fx', labels: { a: '1' } };
    expect(inhibitedBy(both, [other], { fingerprint: 'fy', labels: { a: '1' } })).toBeNull();
  });
});

describe('silences', () => {
  const s = {
    id: 's1',
    matchers: [{ name: 'service', op: '=~' as const, value: 'pay.*' }],
    startsAt: 1000,
    endsAt: 2000,
    comment: 'deploy',
    createdBy: 'ann',
  };
  it('matches only between start and end', () => {
    const alert = { fingerprint: 'f', labels: { service: 'payments' } };
    expect(silencedBy([s], alert, 999)).toBeNull();
    expect(silencedBy([s], alert, 1000)).toBe(s);
    expect(silencedBy([s], alert, 2000)).toBeNull();
    expect(silencedBy([s], { fingerprint: 'f', labels: { service: 'cart' } }, 1500)).toBeNull();
  });
});

describe('maintenance windows', () => {
  const tuesday: WindowRule = {
    id: 'w',
    name: 'DB patching',
    matchers: [{ name: 'service', op: '=', value: 'db' }],
    timeZone: 'Asia/Shanghai',
    start: '2026-01-06T02:00', // a Tuesday
    durationMinutes: 120,
    recurrence: 'weekly',
    weekdays: [2],
    until: null,
  };
  it('every Tuesday 02:00–04:00 Asia/Shanghai', () => {
    const z = 'Asia/Shanghai';
    expect(activeOccurrence(tuesday, at('2026-03-10T01:59', z))).toBeNull();
    expect(activeOccurrence(tuesday, at('2026-03-10T02:00', z))).toEqual({
      start: at('2026-03-10T02:00', z),
      end: at('2026-03-10T04:00', z),
    });
    expect(activeOccurrence(tuesday, at('2026-03-10T03:59', z))).not.toBeNull();
    expect(activeOccurrence(tuesday, at('2026-03-10T04:00', z))).toBeNull();
    expect(activeOccurrence(tuesday, at('2026-03-11T02:30', z))).toBeNull(); // Wednesday
    // 02:00 Shanghai is 18:00 UTC on Monday.
    expect(new Date(at('2026-03-10T02:00', z)).toISOString()).toBe('2026-03-09T18:00:00.000Z');
    expect(activeOccurrence(tuesday, at('2026-01-06T01:00', z))).toBeNull(); // before the first
  });
  it('keeps local wall-clock time across a DST change (Europe/Berlin)', () => {
    const z = 'Europe/Berlin';
    const w: WindowRule = { ...tuesday, timeZone: z, start: '2026-03-24T02:00', weekdays: [2] };
    const [a, b] = nextOccurrences(w, at('2026-03-23T00:00', z), 2);
    // 2026-03-29 is the spring change: before it 02:00 is UTC+1, after it UTC+2.
    expect(new Date(a?.start ?? 0).toISOString()).toBe('2026-03-24T01:00:00.000Z');
    expect(new Date(b?.start ?? 0).toISOString()).toBe('2026-03-31T00:00:00.000Z');
    expect(activeOccurrence(w, Date.UTC(2026, 2, 31, 0, 30))).not.toBeNull();
    expect(activeOccurrence(w, Date.UTC(2026, 2, 31, 2, 0))).toBeNull();
  });
  it('a daily window starting in the spring-forward gap moves to the first valid instant', () => {
    const z = 'Europe/Berlin';
    const w: WindowRule = {
      ...tuesday,
      timeZone: z,
      start: '2026-03-28T02:30',
      recurrence: 'daily',
      weekdays: [],
      durationMinutes: 60,
    };
    const [sat, sun, mon] = nextOccurrences(w, at('2026-03-28T00:00', z), 3);
    expect(new Date(sat?.start ?? 0).toISOString()).toBe('2026-03-28T01:30:00.000Z');
    expect(new Date(sun?.start ?? 0).toISOString()).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    expect(new Date(mon?.start ?? 0).toISOString()).toBe('2026-03-30T00:30:00.000Z');
  });
  it('windows crossing midnight, monthly and one-off windows, and until', () => {
    const z = 'Asia/Shanghai';
    const night: WindowRule = { ...tuesday, start: '2026-01-06T23:00', durationMinutes: 180 };
    expect(activeOccurrence(night, at('2026-01-14T01:30', z))).not.toBeNull(); // Tue 23:00 → Wed 02:00
    const monthly: WindowRule = {
      ...tuesday,
      start: '2026-01-31T01:00',
      recurrence: 'monthly',
      weekdays: [],
    };
    const months = nextOccurrences(monthly, at('2026-01-01T00:00', z), 3).map((o) =>
      DateTime.fromMillis(o.start, { zone: z }).toISODate(),
    );
    expect(months).toEqual(['2026-01-31', '2026-03-31', '2026-05-31']); // months without a 31st are skipped
    const once: WindowRule = { ...tuesday, recurrence: 'once', weekdays: [] };
    expect(nextOccurrences(once, at('2026-01-01T00:00', z), 5)).toHaveLength(1);
    expect(activeOccurrence(once, at('2026-01-13T02:30', z))).toBeNull();
    const limited: WindowRule = { ...tuesday, until: '2026-01-13' };
    expect(nextOccurrences(limited, at('2026-01-01T00:00', z), 5)).toHaveLength(2);
  });
});

describe('routing tree', () => {
  const tree = routingBody.parse({
    route: {
      id: 'default',
      groupBy: ['alertname'],
      groupWaitSeconds: 30,
      routes: [
        {
          id: 'payments',
          matchers: [{ name: 'service', op: '=~', value: 'pay.*' }],
          teamId: '0194a0e0-0000-7000-8000-000000000001',
          groupBy: ['alertname', 'cluster'],
          continue: true,
          routes: [
            {
              id: 'payments-critical',
              matchers: [{ name: 'severity', op: '=', value: 'critical' }],
              severity: 'P1',
              groupWaitSeconds: 0,
            },
          ],
        },
        { id: 'audit-copy', matchers: [{ name: 'service', op: '=~', value: '.+' }] },
        { id: 'never', matchers: [{ name: 'service', op: '=', value: 'payments' }] },
      ],
    },
  }).route;

  it('deepest match wins and inherits from its parents', () => {
    const [r, copy] = matchRoutes(tree, {
      service: 'payments',
      severity: 'critical',
      alertname: 'X',
      cluster: 'c1',
    });
    expect(r).toMatchObject({
      id: 'payments-critical',
      severity: 'P1',
      groupWaitMs: 0,
      groupIntervalMs: 300_000,
      teamId: '0194a0e0-0000-7000-8000-000000000001',
      groupBy: ['alertname', 'cluster'],
    });
    // `continue` on "payments" lets the next sibling match too, and it stops there.
    expect(copy?.id).toBe('audit-copy');
    expect(matchRoutes(tree, { service: 'payments' }).map((x) => x.id)).toEqual(['payments', 'audit-copy']);
  });
  it('falls back to the default route', () => {
    expect(matchRoutes(tree, { alertname: 'Y' }).map((x) => x.id)).toEqual(['default']);
  });
  it('group keys are stable and depend only on the grouping labels', () => {
    const [r] = matchRoutes(tree, { service: 'payments', alertname: 'X', cluster: 'c1', pod: 'a' });
    const [s] = matchRoutes(tree, { pod: 'b', cluster: 'c1', alertname: 'X', service: 'payments' });
    if (!r || !s) throw new Error('no route');
    expect(groupKeyOf(r, groupLabels(r, { alertname: 'X', cluster: 'c1', pod: 'a' }))).toBe(
      groupKeyOf(s, groupLabels(s, { cluster: 'c1', alertname: 'X', pod: 'b' })),
    );
    expect(groupLabels({ ...r, groupBy: ['...'] }, { a: '1', b: '2' })).toEqual({ a: '1', b: '2' });
  });
  it('reports duplicate ids and a root with matchers', () => {
    const bad = routingBody.parse({
      route: { id: 'r', matchers: [{ name: 'a', op: '=', value: '1' }], routes: [{ id: 'x' }, { id: 'x' }] },
    }).route;
    expect(routeTreeProblems(bad)).toEqual([
      'route: the root route is the default route and takes no matchers',
      'route.routes.1: route id "x" is used twice',
    ]);
    expect(matchesAll([], {})).toBe(true);
  });
});
