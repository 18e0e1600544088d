import { readFileSync } from 'node:fs';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/database.ts';
import { type Client, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

interface Created {
  id: string;
  url: string;
  token: string;
  urlWithToken: string;
  tokenPrefix: string;
}

describeEachEngine('alerts API and webhooks', (engine) => {
  let t: TestApp;
  let manager: Client;
  let database: Database;
  const integrations: Record<string, Created> = {};

  beforeAll(async () => {
    t = await startTestApp(engine);
    manager = await t.as('manager');
    database = t.testDb.open();
  });
  afterAll(async () => {
    await database?.close();
    await t?.close();
  });

  const req = (
    method: InjectOptions['method'],
    url: string,
    payload?: InjectOptions['payload'],
    c = manager,
  ) => c.request({ method, url, ...(payload === undefined ? {} : { payload }) });
  const hook = (i: Created, payload: unknown, token = i.token) =>
    t.app.http.inject({
      method: 'POST',
      url: `/api/v1/integrations/${i.id}/webhook`,
      headers: { authorization: `Bearer ${token}` },
      payload: payload as object,
    });
  const count = async (table: 'alerts' | 'alertEvents' | 'silences' | 'auditLog') =>
    Number(
      (
        await database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('integrations: created with a token shown once (stored hashed), listed with their URL, audited', async () => {
    for (const kind of ['alertmanager', 'grafana', 'zabbix'] as const) {
      const res = await req('POST', '/api/v1/integrations', {
        name: `${kind} prod`,
        kind,
        defaultSeverity: 'P2',
      });
      expect(res.statusCode).toBe(201);
      integrations[kind] = res.json();
    }
    const am = integrations.alertmanager as Created;
    expect(am.token).toMatch(/^stdyi_/);
    expect(am.url).toMatch(new RegExp(`/api/v1/integrations/${am.id}/webhook$`));
    expect(am.urlWithToken).toBe(`${am.url}/${am.token}`);
    const stored = await database.db
      .selectFrom('alertIntegrations')
      .selectAll()
      .where('id', '=', am.id)
      .executeTakeFirstOrThrow();
    expect(stored.tokenHash).not.toContain(am.token);
    const listed = (await req('GET', '/api/v1/integrations')).json().items;
    expect(listed).toHaveLength(3);
    expect(JSON.stringify(listed)).not.toContain(am.token);
    const audit = (await req('GET', `/api/v1/audit?entityId=${am.id}`, undefined, t.admin)).json().items;
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['integration.create']);
    expect(JSON.stringify(audit)).not.toContain(am.token);

    const webhook = await req('POST', '/api/v1/integrations', { name: 'generic', kind: 'webhook' });
    expect(webhook.statusCode).toBe(400);
    expect(webhook.json().error.message).toMatch(/mapping: a generic webhook needs a field mapping/);
    const generic = await req('POST', '/api/v1/integrations', {
      name: 'generic',
      kind: 'webhook',
      mapping: {
        alertsPath: 'data.events',
        title: 'summary',
        status: 'state',
        resolvedValues: ['closed'],
        severity: 'level',
        labels: 'meta',
        dedupeKey: 'id',
      },
    });
    expect(generic.statusCode).toBe(201);
    integrations.webhook = generic.json();
    const viewer = await t.as('viewer');
    expect(
      (await req('POST', '/api/v1/integrations', { name: 'x', kind: 'grafana' }, viewer)).statusCode,
    ).toBe(403);
  });

  it('each webhook format is accepted and stored', async () => {
    const am = await hook(integrations.alertmanager as Created, fixture('alertmanager-v4.json'));
    expect(am.statusCode).toBe(202);
    expect(am.json()).toMatchObject({ accepted: 2, created: 2 });
    const gr = await hook(integrations.grafana as Created, fixture('grafana.json'));
    expect(gr.json()).toMatchObject({ created: 1 });
    const zb = await hook(integrations.zabbix as Created, fixture('zabbix-problem.json'));
    expect(zb.json()).toMatchObject({ created: 1 });
    const gen = await hook(integrations.webhook as Created, fixture('generic.json'));
    expect(gen.json()).toMatchObject({ created: 1 });

    const items = (await req('GET', '/api/v1/alerts?state=firing')).json().items as {
      source: string;
      severity: string;
      title: string;
    }[];
    expect(items.map((a) => [a.source, a.severity, a.title]).sort()).toEqual([
      ['alertmanager', 'P1', 'Checkout p99 latency above 2 s'],
      ['alertmanager', 'P1', 'Checkout p99 latency above 2 s'],
      ['grafana', 'P2', 'Disk almost full'],
      ['webhook', 'P1', 'Payment gateway timeout rate 12%'],
      ['zabbix', 'P1', 'MySQL: Service is down'],
    ]);
    // Zabbix's recovery event resolves the problem by its event id.
    const rec = await hook(integrations.zabbix as Created, {
      ...fixture('zabbix-problem.json'),
      status: 'RESOLVED',
    });
    expect(rec.json()).toMatchObject({ resolved: 1 });
    const byPath = await t.app.http.inject({
      method: 'POST',
      url: (integrations.grafana as Created).urlWithToken.replace(/^https?:\/\/[^/]+/, ''),
      payload: fixture('grafana.json'),
    });
    expect(byPath.json()).toMatchObject({ updated: 1 });
  });

  it('a wrong or missing token is 401, a bad payload 400 naming the problem; neither stores anything', async () => {
    const am = integrations.alertmanager as Created;
    const before = [await count('alerts'), await count('alertEvents')];
    expect((await hook(am, fixture('alertmanager-v4.json'), 'stdyi_wrong')).statusCode).toBe(401);
    expect((await hook(integrations.grafana as Created, fixture('grafana.json'), am.token)).statusCode).toBe(
      401,
    );
    const none = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/integrations/${am.id}/webhook`,
      payload: fixture('alertmanager-v4.json'),
    });
    expect(none.statusCode).toBe(401);
    const bad = fixture('alertmanager-v4.json');
    bad.alerts[1].status = 'exploded';
    const res = await hook(am, bad);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/Invalid Alertmanager webhook payload: body\.alerts\.1\.status/);
    const res2 = await hook(am, {
      ...fixture('alertmanager-v4.json'),
      alerts: [{ status: 'firing', labels: {} }],
    });
    expect(res2.json().error.message).toMatch(/body\.alerts\.0\.labels: must hold at least one label/);
    const z = await hook(integrations.zabbix as Created, {
      event_id: '1',
      status: 'PROBLEM',
      host: '',
      trigger_name: 'x',
    });
    expect(z.json().error.message).toMatch(/body\.host: must name the host/);
    const g = await hook(integrations.webhook as Created, { data: { events: [{ id: 'x' }] } });
    expect(g.json().error.message).toMatch(/alert 0: no title at "summary"/);
    const notJson = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/integrations/${am.id}/webhook`,
      headers: { authorization: `Bearer ${am.token}`, 'content-type': 'application/json' },
      payload: '{"alerts": [',
    });
    expect(notJson.statusCode).toBe(400);
    expect([await count('alerts'), await count('alertEvents')]).toEqual(before);
  });

  it('a disabled integration or a rotated token stops working', async () => {
    const gr = integrations.grafana as Created;
    const rotated = (await req('POST', `/api/v1/integrations/${gr.id}/token`)).json() as Created;
    expect((await hook(gr, fixture('grafana.json'))).statusCode).toBe(401);
    expect((await hook(gr, fixture('grafana.json'), rotated.token)).statusCode).toBe(202);
    expect((await req('PATCH', `/api/v1/integrations/${gr.id}`, { enabled: false })).json().enabled).toBe(
      false,
    );
    expect((await hook(gr, fixture('grafana.json'), rotated.token)).statusCode).toBe(401);
  });

  it('alert list filters and paging, detail with history, and "silence like this alert"', async () => {
    const page1 = (await req('GET', '/api/v1/alerts?limit=2')).json();
    expect(page1.items).toHaveLength(2);
    const page2 = (await req('GET', `/api/v1/alerts?limit=2&before=${page1.nextBefore}`)).json();
    expect(page2.items[0].id < page1.items[1].id).toBe(true);
    expect(
      (await req('GET', '/api/v1/alerts?severity=P2')).json().items.map((a: { title: string }) => a.title),
    ).toEqual(['Disk almost full']);
    expect((await req('GET', '/api/v1/alerts?state=resolved')).json().items).toHaveLength(1);
    expect(
      (await req('GET', `/api/v1/alerts?integrationId=${(integrations.zabbix as Created).id}`)).json().items,
    ).toHaveLength(1);
    expect((await req('GET', '/api/v1/alerts?q=gateway')).json().items).toHaveLength(1);
    expect((await req('GET', '/api/v1/alerts?severity=P9')).statusCode).toBe(400);

    const zabbixAlert = (await req('GET', '/api/v1/alerts?source=zabbix')).json().items[0];
    const detail = (await req('GET', `/api/v1/alerts/${zabbixAlert.id}`)).json();
    expect(detail.history.map((e: { kind: string }) => e.kind)).toEqual(['fired', 'routed', 'resolved']);
    const template = (await req('GET', `/api/v1/alerts/${zabbixAlert.id}/silence-template`)).json();
    expect(template.matchers).toContainEqual({ name: 'host', op: '=', value: 'mysql-prod-1' });
  });

  it('silences: create, validate, list, edit, expire — audited; responders may silence', async () => {
    const responder = await t.as('responder');
    const bad = await req(
      'POST',
      '/api/v1/silences',
      { matchers: [{ name: 'job', op: '=~', value: '(' }], endsAt: Date.now() + 60_000, comment: 'x' },
      responder,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/body\.matchers\.0\.value: invalid regex/);
    const past = await req(
      'POST',
      '/api/v1/silences',
      { matchers: [{ name: 'a', op: '=', value: 'b' }], endsAt: 1000, comment: 'x' },
      responder,
    );
    expect(past.json().error.message).toMatch(/endsAt/);
    const before = await count('silences');
    const created = await req(
      'POST',
      '/api/v1/silences',
      {
        matchers: [{ name: 'service', op: '=', value: 'checkout' }],
        endsAt: Date.now() + 3_600_000,
        comment: 'release 4.2',
      },
      responder,
    );
    expect(created.statusCode).toBe(201);
    const s = created.json();
    expect(s).toMatchObject({ state: 'active', createdBy: 'test-responder' });
    expect(await count('silences')).toBe(before + 1);
    const am = await hook(integrations.alertmanager as Created, {
      alerts: [{ status: 'firing', labels: { alertname: 'New', service: 'checkout' } }],
    });
    expect(am.json()).toMatchObject({ created: 1, suppressed: 1 });
    const edited = await req('PATCH', `/api/v1/silences/${s.id}`, { comment: 'release 4.2.1' }, responder);
    expect(edited.json().comment).toBe('release 4.2.1');
    const expired = await req('DELETE', `/api/v1/silences/${s.id}`, undefined, responder);
    expect(expired.json().state).toBe('expired');
    expect(
      (await req('GET', '/api/v1/silences?state=expired')).json().items.map((x: { id: string }) => x.id),
    ).toContain(s.id);
    const audit = (await req('GET', `/api/v1/audit?entityId=${s.id}`, undefined, t.admin)).json().items;
    expect(audit.map((a: { action: string }) => a.action).sort()).toEqual([
      'silence.create',
      'silence.expire',
      'silence.update',
    ]);
    expect(
      (await req('POST', '/api/v1/silences', { matchers: [], endsAt: 1, comment: '' }, await t.as('viewer')))
        .statusCode,
    ).toBe(403);
  });

  it('maintenance windows: preview of next occurrences, CRUD, validation', async () => {
    const body = {
      name: 'Weekly DB patching',
      matchers: [{ name: 'service', op: '=', value: 'db' }],
      timeZone: 'Asia/Shanghai',
      start: '2026-01-06T02:00',
      durationMinutes: 120,
      recurrence: 'weekly',
      weekdays: [2],
    };
    const preview = (await req('POST', '/api/v1/maintenance-windows/preview', body)).json().items;
    expect(preview.length).toBeGreaterThan(0);
    for (const o of preview) {
      const d = new Date(o.start);
      expect([d.getUTCDay(), d.getUTCHours()]).toEqual([1, 18]); // Tuesday 02:00 in Shanghai is Monday 18:00 UTC
      expect(o.end - o.start).toBe(7_200_000);
    }
    const created = await req('POST', '/api/v1/maintenance-windows', body);
    expect(created.statusCode).toBe(201);
    expect(created.json().nextOccurrences).toHaveLength(5);
    const id = created.json().id;
    expect(
      (await req('PATCH', `/api/v1/maintenance-windows/${id}`, { durationMinutes: 60 })).json()
        .durationMinutes,
    ).toBe(60);
    const badZone = await req('POST', '/api/v1/maintenance-windows', { ...body, timeZone: 'Mars/Olympus' });
    expect(badZone.json().error.message).toMatch(/timeZone: must be an IANA time zone/);
    const noDays = await req('POST', '/api/v1/maintenance-windows', { ...body, weekdays: [] });
    expect(noDays.json().error.message).toMatch(/weekdays: a weekly window needs at least one weekday/);
    expect((await req('DELETE', `/api/v1/maintenance-windows/${id}`)).statusCode).toBe(204);
    expect((await req('GET', `/api/v1/maintenance-windows/${id}`)).statusCode).toBe(404);
  });

  it('routing tree: GET the default, PUT validated (regex, duplicate ids, unknown team), audited', async () => {
    const initial = (await req('GET', '/api/v1/alert-routing')).json();
    expect(initial.route).toMatchObject({ id: 'default', groupBy: ['alertname'] });
    const badRegex = await req('PUT', '/api/v1/alert-routing', {
      route: { id: 'default', routes: [{ id: 'x', matchers: [{ name: 'a', op: '=~', value: '[' }] }] },
    });
    expect(badRegex.statusCode).toBe(400);
    expect(badRegex.json().error.message).toMatch(/route\.routes\.0\.matchers\.0\.value: invalid regex/);
    const dup = await req('PUT', '/api/v1/alert-routing', {
      route: { id: 'default', routes: [{ id: 'x' }, { id: 'x' }] },
    });
    expect(dup.json().error.message).toMatch(/route id "x" is used twice/);
    const team = '0194a0e0-0000-7000-8000-0000000000aa';
    const unknown = await req('PUT', '/api/v1/alert-routing', {
      route: { id: 'default', routes: [{ id: 'x', teamId: team }] },
    });
    expect(unknown.json().error.message).toMatch(new RegExp(`team ${team} does not exist`));
    const realTeam = (await req('POST', '/api/v1/teams', { name: 'Payments SRE' })).json();
    const ok = await req('PUT', '/api/v1/alert-routing', {
      route: {
        id: 'default',
        groupWaitSeconds: 10,
        routes: [
          { id: 'pay', matchers: [{ name: 'service', op: '=', value: 'payments' }], teamId: realTeam.id },
        ],
      },
      inhibitRules: [
        {
          sourceMatchers: [{ name: 'severity', op: '=', value: 'critical' }],
          targetMatchers: [{ name: 'severity', op: '=', value: 'warning' }],
          equal: ['cluster'],
        },
      ],
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      updatedBy: 'test-manager',
      route: { routes: [{ id: 'pay', teamId: realTeam.id }] },
    });
    const audit = (await req('GET', '/api/v1/audit?entityType=alert_routing', undefined, t.admin)).json()
      .items;
    expect(audit).toHaveLength(1);
  });

  it('routing test: which routes take a label set, on the saved tree or a draft; bad drafts are 400', async () => {
    const tree = {
      id: 'default',
      groupBy: ['alertname'],
      routes: [
        {
          id: 'pay',
          matchers: [{ name: 'service', op: '=', value: 'payments' }],
          severity: 'P1',
          groupBy: ['service', 'alertname'],
          continue: true,
        },
        { id: 'rest', matchers: [{ name: 'service', op: '=~', value: '.+' }] },
      ],
    };
    expect((await req('PUT', '/api/v1/alert-routing', { route: tree })).statusCode).toBe(200);
    const labels = { alertname: 'HighErrorRatio', service: 'payments' };
    const saved = await req('POST', '/api/v1/alert-routing/test', { labels });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().matches.map((m: { id: string; path: string[] }) => [m.id, m.path])).toEqual([
      ['pay', ['default', 'pay']],
      ['rest', ['default', 'rest']],
    ]);
    expect(saved.json().matches[0]).toMatchObject({
      severity: 'P1',
      groupLabels: { service: 'payments', alertname: 'HighErrorRatio' },
    });
    // A draft is tested as it stands, the saved tree left alone.
    const draft = await req('POST', '/api/v1/alert-routing/test', {
      labels: { alertname: 'X' },
      route: { id: 'default', routes: [{ id: 'x', matchers: [{ name: 'alertname', op: '=', value: 'X' }] }] },
    });
    expect(draft.json().matches.map((m: { id: string }) => m.id)).toEqual(['x']);
    expect((await req('GET', '/api/v1/alert-routing')).json().route.routes).toHaveLength(2);
    const bad = await req('POST', '/api/v1/alert-routing/test', {
      labels: {},
      route: { id: 'default', routes: [{ id: 'x' }, { id: 'x' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/route id "x" is used twice/);
    const badLabel = await req('POST', '/api/v1/alert-routing/test', { labels: { 'bad-name': 'v' } });
    expect(badLabel.statusCode).toBe(400);
  });
});
