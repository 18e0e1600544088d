import type { Server } from 'node:http';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { type Client, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';
import { close, closedPort, type Handler, httpServer, listen, shopHandler } from './probe-servers.ts';

interface ProbeReply {
  id: string;
  name: string;
  state: string;
  stateReason: string | null;
  enabled: boolean;
  consecutiveFailures: number;
  lastResult: { ok: boolean; statusCode: number | null; reason: string | null } | null;
  uptime?: { '24h': number | null; note?: string };
  recentResults?: { ok: boolean; reason: string | null }[];
  recentEvents?: { from: string; to: string; reason: string | null }[];
  http?: { headers: Record<string, string> };
  heartbeatPath?: string;
}

describeEachEngine('probes API and scheduling', (engine) => {
  let t: TestApp;
  let manager: Client;
  let viewer: Client;
  let database: Database;
  let server: Server;
  let base: string;
  // The test server's behaviour, switched by each test (a shop going down and coming back).
  let behaviour: Handler = shopHandler;
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0, 0));

  beforeAll(async () => {
    server = httpServer((req, res) => behaviour(req, res));
    base = `http://127.0.0.1:${await listen(server)}`;
    t = await startTestApp(engine, { clock });
    manager = await t.as('manager');
    viewer = await t.as('viewer');
    database = t.testDb.open();
  });
  afterAll(async () => {
    await database?.close();
    await t?.close();
    await close(server);
  });

  const req = (c: Client, method: InjectOptions['method'], url: string, payload?: InjectOptions['payload']) =>
    c.request({ method, url, ...(payload === undefined ? {} : { payload }) });
  const count = async (table: 'probes' | 'probeResults' | 'probeEvents' | 'auditLog') =>
    Number(
      (
        await database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const probeJobs = (id: string) =>
    database.db
      .selectFrom('jobs')
      .selectAll()
      .where('kind', '=', 'probe.run')
      .where('dedupeKey', 'like', `probe:${id}:%`)
      .execute();
  /** Moves the clock to the probe's next queued slot and runs what is due. */
  async function runNextSlot(id: string): Promise<void> {
    const jobs = await probeJobs(id);
    expect(jobs).toHaveLength(1);
    clock.set(Math.max(clock.now(), jobs[0]?.runAt ?? 0));
    await t.app.worker.runDue();
  }
  const create = async (body: Record<string, unknown>) => {
    const res = await req(manager, 'POST', '/api/v1/probes', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as ProbeReply;
  };

  it('bad input is a 400 naming the field, and writes nothing', async () => {
    const before = { probes: await count('probes'), audit: await count('auditLog') };
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { name: 'x', kind: 'http', http: { url: `${base}/`, bodyMatches: '(unclosed' } },
        /body\.http\.bodyMatches: is not a valid regular expression/,
      ],
      [{ name: 'x', kind: 'http', http: { url: 'ftp://shop/' } }, /body\.http\.url: must be an http/],
      [
        { name: 'x', kind: 'http', http: { url: `${base}/`, expectStatus: ['2x'] } },
        /body\.http\.expectStatus\.0: must be a status code/,
      ],
      [
        { name: 'x', kind: 'http', http: { url: `${base}/`, json: [{ path: 'status', value: 1 }] } },
        /body\.http\.json\.0\.path: must start with "\$"/,
      ],
      [
        { name: 'x', kind: 'http', http: { url: `${base}/`, json: [{ path: '$.a', op: '>' }] } },
        /body\.http\.json\.0\.value: is required for operator ">"/,
      ],
      [
        { name: 'x', kind: 'http', http: { url: `${base}/` }, labels: { probe: 'mine' } },
        /body\.labels.*reserved/,
      ],
      [
        { name: 'x', kind: 'http', http: { url: `${base}/` }, intervalSeconds: 5 },
        /body\.intervalSeconds: must be at least 10 seconds/,
      ],
      [{ name: 'x', kind: 'tcp', tcp: { host: 'db', port: 70000 } }, /body\.tcp\.port/],
      [
        { name: 'x', kind: 'dns', dns: { name: 'shop.test', server: 'not-an-ip' } },
        /body\.dns\.server: must be an IP address/,
      ],
      [{ name: 'x', kind: 'ping' }, /body\.kind/],
      [
        { name: 'x', kind: 'http', http: { url: `${base}/` }, intervalSeconds: 10, timeoutMs: 10_000 },
        /timeoutMs \(10000\) must be shorter than the interval/,
      ],
      [
        {
          name: 'x',
          kind: 'http',
          http: { url: `${base}/` },
          serviceId: '0190f0e2-7c1a-7000-8000-000000000001',
        },
        /Service .* does not exist/,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await req(manager, 'POST', '/api/v1/probes', body);
      expect([400, 404], res.body).toContain(res.statusCode);
      expect(res.json().error.message, JSON.stringify(body)).toMatch(message);
    }
    expect({ probes: await count('probes'), audit: await count('auditLog') }).toEqual(before);
  });

  it('CRUD: editors write, every role reads, every change audited, secret headers masked', async () => {
    const svc = await req(manager, 'POST', '/api/v1/services', { name: 'storefront' });
    const p = await create({
      name: 'Home page',
      kind: 'http',
      serviceId: svc.json().id,
      labels: { team: 'web' },
      http: {
        url: `${base}/`,
        headers: { Authorization: 'Bearer s3cret', 'X-Shop': 'cn' },
        bodyContains: 'Welcome',
      },
    });
    expect(p).toMatchObject({ name: 'Home page', state: 'unknown', enabled: true, lastResult: null });
    expect(p.http?.headers).toEqual({ Authorization: '••••••', 'X-Shop': 'cn' });
    expect(p.uptime?.['24h']).toBeNull();
    expect(p.uptime?.note).toBeTruthy();

    expect(
      (await req(viewer, 'POST', '/api/v1/probes', { name: 'v', kind: 'tcp', tcp: { host: 'a', port: 1 } }))
        .statusCode,
    ).toBe(403);
    expect((await req(viewer, 'GET', `/api/v1/probes/${p.id}`)).statusCode).toBe(200);
    const list = (await req(viewer, 'GET', '/api/v1/probes?q=home')).json();
    expect(list.items.map((i: ProbeReply) => i.id)).toEqual([p.id]);
    expect(
      (
        await req(manager, 'POST', '/api/v1/probes', {
          name: 'Home page',
          kind: 'tcp',
          tcp: { host: 'a', port: 1 },
        })
      ).statusCode,
    ).toBe(409);

    // Sending the mask back keeps the stored secret; the probe still authenticates.
    const patched = await req(manager, 'PATCH', `/api/v1/probes/${p.id}`, {
      retries: 0,
      http: {
        url: `${base}/echo`,
        headers: { Authorization: '••••••' },
        json: [{ path: '$.auth', op: 'matches', value: '^Bearer s\\d' }],
      },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const run = await req(manager, 'POST', `/api/v1/probes/${p.id}/run`);
    expect(run.statusCode).toBe(200);
    expect(run.json().result).toMatchObject({ ok: true, statusCode: 200, manual: true });
    expect((await req(viewer, 'POST', `/api/v1/probes/${p.id}/run`)).statusCode).toBe(403);
    // The catalog service's name is the `service` label, beside the probe's own labels.
    const q = await req(
      viewer,
      'GET',
      `/api/v1/query?query=${encodeURIComponent('probe_success{service="storefront"}')}`,
    );
    expect(q.json().data.result[0]?.metric).toMatchObject({
      probe: 'Home page',
      probe_id: p.id,
      team: 'web',
      service: 'storefront',
    });

    const kindChange = await req(manager, 'PATCH', `/api/v1/probes/${p.id}`, { tcp: { host: 'a', port: 1 } });
    expect(kindChange.statusCode).toBe(400);
    expect(kindChange.json().error.message).toMatch(/"tcp" settings do not apply to a http probe/);

    const audit = (await req(t.admin, 'GET', `/api/v1/audit?entityId=${p.id}`)).json().items as {
      action: string;
      after: unknown;
    }[];
    expect(audit.map((a) => a.action).sort()).toEqual(['probe.create', 'probe.update']);
    expect(JSON.stringify(audit)).not.toContain('s3cret');

    expect((await req(manager, 'DELETE', `/api/v1/probes/${p.id}`)).statusCode).toBe(204);
    expect((await req(manager, 'GET', `/api/v1/probes/${p.id}`)).statusCode).toBe(404);
    // The queued run finds the probe gone and ends its chain.
    await runNextSlot(p.id);
    expect(await probeJobs(p.id)).toEqual([]);
  });

  it('scheduled runs: up, retries as pending-retry, down with the reason, back up; one job per slot', async () => {
    behaviour = shopHandler;
    const p = await create({
      name: 'Checkout',
      kind: 'http',
      retries: 1,
      http: { url: `${base}/`, bodyContains: 'Welcome' },
    });
    // Several instances, or a restart, schedule the same slot once.
    await t.app.probes.scheduleAll();
    await t.app.probes.scheduleAll();
    expect(await probeJobs(p.id)).toHaveLength(1);

    const states: string[] = [];
    const step = async () => {
      await runNextSlot(p.id);
      const d = (await req(viewer, 'GET', `/api/v1/probes/${p.id}`)).json() as ProbeReply;
      states.push(d.state);
      return d;
    };
    await step();
    behaviour = (_req, res) => {
      res.statusCode = 502;
      res.end('bad gateway');
    };
    await step();
    const down = await step();
    expect(down.stateReason).toBe('status 502, expected 200-299');
    behaviour = shopHandler;
    await step();
    expect(states).toEqual(['up', 'pending-retry', 'down', 'up']);
    expect(down.recentEvents?.map((e) => `${e.from}→${e.to}`)).toEqual([
      'pending-retry→down',
      'up→pending-retry',
      'unknown→up',
    ]);
    expect(down.recentEvents?.[0]?.reason).toBe('status 502, expected 200-299');

    const failures = (
      await req(viewer, 'GET', `/api/v1/probes/${p.id}/results?onlyFailures=true&limit=10`)
    ).json().items;
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({
      ok: false,
      statusCode: 502,
      reason: 'status 502, expected 200-299',
      state: 'down',
    });
    expect((await req(viewer, 'GET', `/api/v1/probes/${p.id}/results?limit=0`)).statusCode).toBe(400);

    // A slot whose job runs twice (a crash after the check) is run once.
    const [job] = await probeJobs(p.id);
    const before = await count('probeResults');
    clock.set(job?.runAt ?? 0);
    const payload = JSON.parse(job?.payload ?? '{}');
    await t.app.probes.runSlot(payload);
    await t.app.probes.runSlot(payload);
    expect(await count('probeResults')).toBe(before + 1);

    // The results are series in the metric store, labelled for rules and detection, and uptime comes from them.
    const q = await req(
      viewer,
      'GET',
      `/api/v1/query?query=${encodeURIComponent(`probe_success{probe_id="${p.id}"}`)}`,
    );
    expect(q.statusCode, q.body).toBe(200);
    const [series] = q.json().data.result as { metric: Record<string, string>; value: [number, string] }[];
    expect(series?.metric).toMatchObject({ __name__: 'probe_success', probe: 'Checkout', kind: 'http' });
    const codes = await req(
      viewer,
      'GET',
      `/api/v1/query?query=${encodeURIComponent('max_over_time(probe_http_status_code{probe="Checkout"}[1h])')}`,
    );
    expect(codes.json().data.result[0]?.value[1]).toBe('502');
    const detail = (await req(viewer, 'GET', `/api/v1/probes/${p.id}`)).json();
    // Five runs (up, 502, 502, up, the slot run once more): three passed.
    expect(detail.uptime['24h']).toBeCloseTo(0.6, 5);
    expect(detail.uptime['30d']).toBeCloseTo(0.6, 5);
    expect(detail.uptime.note).toBeUndefined();
    const listed = (await req(viewer, 'GET', '/api/v1/probes?q=checkout')).json();
    expect(listed.items[0].uptime24h).toBeCloseTo(0.6, 5);
  });

  it('pause stops the runs, resume starts them again; connection refused is the reason', async () => {
    const port = await closedPort();
    const p = await create({
      name: 'Payment callback',
      kind: 'tcp',
      retries: 0,
      tcp: { host: '127.0.0.1', port },
    });
    await runNextSlot(p.id);
    const d = (await req(viewer, 'GET', `/api/v1/probes/${p.id}`)).json() as ProbeReply;
    expect(d).toMatchObject({ state: 'down', stateReason: `connection refused by 127.0.0.1:${port}` });

    const paused = await req(manager, 'POST', `/api/v1/probes/${p.id}/pause`);
    expect(paused.json()).toMatchObject({ state: 'paused', enabled: false });
    const results = async () =>
      (await req(viewer, 'GET', `/api/v1/probes/${p.id}/results`)).json().items.length;
    const before = await results();
    await runNextSlot(p.id);
    expect(await results()).toBe(before);
    expect(await probeJobs(p.id)).toEqual([]);

    expect((await req(manager, 'POST', `/api/v1/probes/${p.id}/resume`)).json()).toMatchObject({
      state: 'unknown',
      enabled: true,
    });
    expect(await probeJobs(p.id)).toHaveLength(1);
    const audit = (await req(t.admin, 'GET', `/api/v1/audit?entityId=${p.id}`)).json().items as {
      action: string;
    }[];
    expect(audit.map((a) => a.action)).toContain('probe.pause');
  });

  it('heartbeat: the secret URL keeps it up; silence beyond period + grace is down; unknown token 404', async () => {
    const p = await create({
      name: 'Nightly reconciliation',
      kind: 'heartbeat',
      retries: 0,
      heartbeat: { periodSeconds: 120, graceSeconds: 60 },
    });
    expect(p.heartbeatPath).toMatch(/^\/api\/v1\/heartbeats\/[\w-]{30,}$/);
    const stored = await database.db
      .selectFrom('probes')
      .select('heartbeatTokenHash')
      .where('id', '=', p.id)
      .executeTakeFirstOrThrow();
    expect(p.heartbeatPath).not.toContain(stored.heartbeatTokenHash);

    const ping = await t.app.http.inject({ method: 'POST', url: p.heartbeatPath ?? '' });
    expect(ping.statusCode, ping.body).toBe(200);
    expect(ping.json()).toMatchObject({ ok: true, probe: 'Nightly reconciliation', state: 'up' });
    await runNextSlot(p.id);
    expect((await req(viewer, 'GET', `/api/v1/probes/${p.id}`)).json().state).toBe('up');

    clock.advance(4 * 60_000);
    await runNextSlot(p.id);
    const late = (await req(viewer, 'GET', `/api/v1/probes/${p.id}`)).json() as ProbeReply;
    expect(late.state).toBe('down');
    expect(late.stateReason).toMatch(/^last heartbeat \d min ago; expected every 2 min with 1 min grace$/);

    expect((await t.app.http.inject({ method: 'GET', url: p.heartbeatPath ?? '' })).json().state).toBe('up');
    expect(
      (await t.app.http.inject({ method: 'GET', url: '/api/v1/heartbeats/not-a-token' })).statusCode,
    ).toBe(404);
  });
});
