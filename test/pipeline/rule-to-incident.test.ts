import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.ts';
import { type Client, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';

/**
 * The whole flow of DESIGN.md §2 through the real HTTP interfaces: samples in by the JSON ingest API,
 * a threshold rule evaluated as they are stored, its alert routed and grouped, an incident opened,
 * the recovery resolving both, and the weekly rule review counting the firing as one that became an
 * incident.
 */
const T0 = Date.UTC(2026, 2, 2, 2, 0, 0);
const S = 1000;

describeEachEngine('signal → rule → alert → incident', (engine) => {
  let t: TestApp;
  let admin: Client;
  let token: string;
  const clock = new FakeClock(T0);

  const call = async (c: Client, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
    const res = await c.request({ method, url, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.statusCode === 204 ? null : res.json();
  };
  const ingest = async (value: number) => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/ingest',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        series: [
          {
            labels: { __name__: 'checkout_error_ratio', service: 'checkout', instance: 'web-1' },
            points: [[clock.now(), value]],
          },
        ],
      },
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
  };
  /** Runs due jobs until the condition holds: evaluation and hand-overs are asynchronous stages. */
  const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 50; i++) {
      await t.app.worker.runDue();
      const found = await probe();
      if (found !== undefined) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const incidents = async () =>
    (await call(admin, 'GET', '/api/v1/incidents')).items as Record<string, unknown>[];

  beforeAll(async () => {
    t = await startTestApp(engine, { clock });
    admin = t.admin;
    token = await t.token('admin', ['ingest']);
    await call(admin, 'PUT', '/api/v1/alert-routing', {
      route: { id: 'root', groupBy: ['alertname', 'service'], groupWaitSeconds: 0, groupIntervalSeconds: 10 },
    });
    await call(admin, 'POST', '/api/v1/rules', {
      name: 'checkout errors',
      kind: 'threshold',
      severity: 'P2',
      labels: { team: 'payments' },
      summary: '{{ $labels.service }} error ratio {{ $value }} above {{ $threshold }}',
      spec: { query: 'checkout_error_ratio', op: '>', value: 0.05, recovery: 0.02, forSeconds: 60 },
    });
  });
  afterAll(async () => t?.close());

  it('a sample above the threshold for the `for` duration opens one incident; recovery resolves it', async () => {
    await ingest(0.01);
    clock.advance(15 * S);
    await ingest(0.2); // pending
    await t.app.worker.runDue();
    expect(await incidents()).toEqual([]);

    clock.advance(30 * S);
    await ingest(0.25); // still pending: 30 s of 60
    await t.app.worker.runDue();
    expect(await incidents()).toEqual([]);

    clock.advance(31 * S);
    await ingest(0.3); // past `for`: firing
    const [incident] = await until('the incident', async () => {
      const items = await incidents();
      return items.length ? items : undefined;
    });
    expect(incident).toMatchObject({ severity: 'P2', state: 'triggered' });
    const alerts = (await call(admin, 'GET', '/api/v1/alerts')).items as Record<string, unknown>[];
    expect(alerts).toEqual([
      expect.objectContaining({
        status: 'firing',
        labels: expect.objectContaining({
          alertname: 'checkout errors',
          service: 'checkout',
          team: 'payments',
        }),
      }),
    ]);

    // Between the thresholds: no flapping back to resolved.
    clock.advance(15 * S);
    await ingest(0.04);
    await t.app.worker.runDue();
    expect((await call(admin, 'GET', '/api/v1/alerts')).items[0].status).toBe('firing');

    clock.advance(15 * S);
    await ingest(0.01); // below the recovery threshold
    // A group announces its changes after group_interval, as Alertmanager does.
    clock.advance(10 * S);
    await until('the incident to resolve', async () => {
      const [one] = await incidents();
      return one?.state === 'resolved' ? one : undefined;
    });
    expect((await call(admin, 'GET', '/api/v1/alerts')).items[0].status).toBe('resolved');
    expect(await incidents()).toHaveLength(1);
  });

  it('the rule review counts the firing as one that became an incident', async () => {
    const review = await call(admin, 'GET', `/api/v1/rules/review?from=${T0}&to=${clock.now() + S}`);
    expect(review.items).toEqual([
      expect.objectContaining({ name: 'checkout errors', fired: 1, incidentShare: 1, flapping: 0 }),
    ]);
  });
});
