import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.ts';
import { type Client, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';

const T0 = Date.UTC(2026, 0, 12, 9, 0, 0);
const MIN = 60_000;

const rule = {
  name: 'checkout p99',
  kind: 'threshold',
  severity: 'P1',
  labels: { team: 'web' },
  summary: '{{ $labels.service }} p99 {{ $value }} > {{ $threshold }}',
  runbookUrl: 'https://runbooks.example/p99',
  spec: {
    query: 'http_p99_seconds{service="checkout"}',
    op: '>',
    value: 1.5,
    recovery: 1.2,
    forSeconds: 120,
  },
};

describeEachEngine('rules API', (engine) => {
  let t: TestApp;
  let admin: Client;
  let viewer: Client;
  let responder: Client;
  const clock = new FakeClock(T0);

  beforeAll(async () => {
    t = await startTestApp(engine, { clock });
    admin = t.admin;
    viewer = await t.as('viewer');
    responder = await t.as('responder');
  });
  afterAll(async () => t?.close());

  it('creates, reads, lists, updates and deletes a rule, auditing each change', async () => {
    const created = await admin.request({ method: 'POST', url: '/api/v1/rules', payload: rule });
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({ name: 'checkout p99', kind: 'threshold', enabled: true, severity: 'P1' });
    expect(body.spec).toMatchObject({ forSeconds: 120, recovery: 1.2, noData: null });

    const list = await viewer.request({ method: 'GET', url: '/api/v1/rules' });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([expect.objectContaining({ id: body.id, firing: 0, pending: 0 })]);
    const one = await viewer.request({ method: 'GET', url: `/api/v1/rules/${body.id}` });
    expect(one.json()).toMatchObject({ id: body.id, instances: [] });

    const updated = await admin.request({
      method: 'PUT',
      url: `/api/v1/rules/${body.id}`,
      payload: { ...rule, enabled: false, spec: { ...rule.spec, value: 2 } },
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toMatchObject({ enabled: false, spec: { value: 2 } });

    const del = await admin.request({ method: 'DELETE', url: `/api/v1/rules/${body.id}` });
    expect(del.statusCode).toBe(204);
    expect((await viewer.request({ method: 'GET', url: `/api/v1/rules/${body.id}` })).statusCode).toBe(404);

    const audit = await admin.request({
      method: 'GET',
      url: `/api/v1/audit?entityType=rule&entityId=${body.id}`,
    });
    expect(
      audit
        .json()
        .items.map((i: { action: string }) => i.action)
        .sort(),
    ).toEqual(['rule.create', 'rule.delete', 'rule.update']);
  });

  it('lets any role read and only editors write', async () => {
    expect(
      (await responder.request({ method: 'POST', url: '/api/v1/rules', payload: rule })).statusCode,
    ).toBe(403);
    expect((await viewer.request({ method: 'GET', url: '/api/v1/rules/review' })).statusCode).toBe(200);
  });

  it('refuses bad rules with a message that names the problem, and stores nothing', async () => {
    const bad = async (payload: Record<string, unknown>) => {
      const res = await admin.request({ method: 'POST', url: '/api/v1/rules', payload });
      expect(res.statusCode, res.body).toBe(400);
      return res.json().error.message as string;
    };
    expect(await bad({ ...rule, spec: { ...rule.spec, query: 'rate(http_requests_total[5m' } })).toMatch(
      /spec\.query: syntax error at position \d+/,
    );
    expect(await bad({ ...rule, summary: '{{ .Labels.service }}' })).toMatch(/unknown template expression/);
    expect(await bad({ ...rule, spec: { ...rule.spec, recovery: 2 } })).toMatch(
      /recovery 2 must be on the safe side/,
    );
    expect(
      await bad({
        ...rule,
        kind: 'rate_of_change',
        spec: { query: 'sum(rate(x[5m]))', windowSeconds: 600, mode: 'percent', value: 50 },
      }),
    ).toMatch(/must be a series selector/);
    expect(
      await bad({
        ...rule,
        kind: 'burn_rate',
        spec: { source: { type: 'counters', total: 'req_total' }, objective: 99.9 },
      }),
    ).toMatch(/exactly one of `good` or `bad`/);
    expect(await bad({ ...rule, spec: { ...rule.spec, op: '=>' } })).toMatch(/spec\.op/);
    expect((await admin.request({ method: 'GET', url: '/api/v1/rules' })).json().items).toEqual([]);
  });

  it('refuses a duplicate name with 409', async () => {
    const a = await admin.request({
      method: 'POST',
      url: '/api/v1/rules',
      payload: { ...rule, name: 'dup' },
    });
    expect(a.statusCode).toBe(201);
    const b = await admin.request({
      method: 'POST',
      url: '/api/v1/rules',
      payload: { ...rule, name: 'dup' },
    });
    expect(b.statusCode).toBe(409);
    await admin.request({ method: 'DELETE', url: `/api/v1/rules/${a.json().id}` });
  });

  it('reviews rules from their recorded firings, noisiest first', async () => {
    const quiet = (
      await admin.request({ method: 'POST', url: '/api/v1/rules', payload: { ...rule, name: 'quiet' } })
    ).json();
    const noisy = (
      await admin.request({ method: 'POST', url: '/api/v1/rules', payload: { ...rule, name: 'noisy' } })
    ).json();
    const firings = [
      // noisy: three short firings of one instance, 10 min apart (two are flaps), one long firing
      [noisy.id, 'a', T0, T0 + 2 * MIN],
      [noisy.id, 'a', T0 + 12 * MIN, T0 + 14 * MIN],
      [noisy.id, 'a', T0 + 24 * MIN, T0 + 25 * MIN],
      [noisy.id, 'b', T0, T0 + 60 * MIN],
      [quiet.id, 'a', T0, T0 + 30 * MIN],
    ] as const;
    const database = t.testDb.open();
    await database.db
      .insertInto('ruleFirings')
      .values(
        firings.map(([ruleId, key, startedAt, endedAt], i) => ({
          id: `00000000-0000-7000-8000-00000000000${i}`,
          ruleId,
          instanceKey: key,
          labels: '{}',
          severity: 'P1',
          startedAt,
          endedAt,
        })),
      )
      .execute();
    await database.close();
    const res = await viewer.request({
      method: 'GET',
      url: `/api/v1/rules/review?from=${T0 - MIN}&to=${T0 + 120 * MIN}&autoResolveMinutes=5`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as { name: string }[];
    expect(items.map((i) => i.name)).toEqual(['noisy', 'quiet']);
    expect(items[0]).toMatchObject({
      fired: 4,
      flapping: 2,
      autoResolvedShare: 0.75,
      medianFiringSeconds: 120,
    });
    expect(items[1]).toMatchObject({
      fired: 1,
      flapping: 0,
      autoResolvedShare: 0,
      medianFiringSeconds: 1800,
    });
    const bad = await viewer.request({ method: 'GET', url: `/api/v1/rules/review?from=${T0}&to=${T0 - 1}` });
    expect(bad.statusCode).toBe(400);
  });
});
