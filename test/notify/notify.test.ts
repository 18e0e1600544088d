import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { type Client, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';
import { type Reply, startReceiver, startSmtp } from './receivers.ts';

interface Msg {
  id: string;
  state: string;
  attempts: number;
  nextAttemptAt: number;
  recipient: string;
  lastError: string | null;
  attemptLog: { attempt: number; outcome: string; statusCode: number | null; error: string | null }[];
}

describeEachEngine('notifications', (engine) => {
  let t: TestApp;
  let clock: FakeClock;
  let manager: Client;
  let responder: Client;
  let database: Database;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  /** What the webhook receiver answers next, per path. */
  const plan = new Map<string, Reply[]>();
  /** Steady's own alerts about a channel (raised through the alerts stage like any other alert). */
  const channelAlerts = async (name: string) =>
    (await call(manager, 'GET', '/api/v1/alerts'))
      .json()
      .items.filter(
        (a: { labels: Record<string, string> }) =>
          a.labels.alertname === 'NotificationChannelFailing' && a.labels.channel === name,
      ) as { status: string }[];
  let expiring: { url: string; incidentId: string } | undefined;

  beforeAll(async () => {
    clock = new FakeClock(Date.UTC(2026, 0, 5, 1, 0, 0));
    rx = await startReceiver(
      (r) => plan.get(r.url.pathname)?.shift() ?? { status: 200, body: { errcode: 0 } },
    );
    smtp = await startSmtp();
    t = await startTestApp(engine, { clock, config: { publicUrl: 'https://steady.shop.example' } });
    manager = await t.as('manager');
    responder = await t.as('responder');
    database = t.testDb.open();
  });
  afterAll(async () => {
    await database?.close();
    await t?.close();
    await rx?.close();
    await smtp?.close();
  });

  const call = async (
    c: Client,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) => c.request({ method, url, ...(payload ? { payload } : {}) });
  const runDue = () => t.app.worker.runDue();
  const message = async (id: string): Promise<Msg> =>
    (await call(manager, 'GET', `/api/v1/notify/messages/${id}`)).json();
  const count = async (table: 'notifyChannels' | 'auditLog' | 'notifyMessages') =>
    Number(
      (
        await database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const webhookChannel = async (name: string, path: string, extra: object = {}) => {
    const res = await call(manager, 'POST', '/api/v1/notify/channels', {
      name,
      kind: 'webhook',
      settings: { url: `${rx.url}${path}` },
      secrets: { signingSecret: 'whsec-0123456789abcdef' },
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; name: string };
  };
  const test = async (channelId: string, to?: string) => {
    const res = await call(manager, 'POST', `/api/v1/notify/channels/${channelId}/test`, to ? { to } : {});
    expect(res.statusCode, res.body).toBe(202);
    return (res.json() as { messageId: string }).messageId;
  };

  it('channels: secrets are stored but never returned, changes are audited without them, bad input writes nothing', async () => {
    const res = await call(manager, 'POST', '/api/v1/notify/channels', {
      name: 'Ops DingTalk',
      kind: 'dingtalk',
      settings: { baseUrl: `${rx.url}/robot/send` },
      secrets: { accessToken: 'ding-token-123', signSecret: 'SECsupersecret' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const ch = res.json();
    expect(ch).toMatchObject({
      kind: 'dingtalk',
      secretsSet: ['accessToken', 'signSecret'],
      ratePerMinute: 20,
      health: 'unknown',
    });
    expect(res.body).not.toContain('SECsupersecret');
    const list = await call(responder, 'GET', '/api/v1/notify/channels');
    expect(list.body).not.toContain('ding-token-123');
    const patched = await call(manager, 'PATCH', `/api/v1/notify/channels/${ch.id}`, {
      secrets: { signSecret: 'SECnew' },
    });
    expect(patched.json().secretsSet).toEqual(['accessToken', 'signSecret']);
    const audit = await call(t.admin, 'GET', `/api/v1/audit?entityId=${ch.id}`);
    expect(audit.json().items.map((i: { action: string }) => i.action)).toEqual([
      'notify.channel.update',
      'notify.channel.create',
    ]);
    expect(audit.body).not.toMatch(/SECsupersecret|SECnew|ding-token-123/);

    const [channels, audits] = [await count('notifyChannels'), await count('auditLog')];
    const short = await call(manager, 'POST', '/api/v1/notify/channels', {
      name: 'bad',
      kind: 'webhook',
      settings: { url: 'ftp://x' },
      secrets: { signingSecret: 'short' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.details.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['body.settings.url']),
    );
    const unknownKind = await call(manager, 'POST', '/api/v1/notify/channels', { name: 'x', kind: 'pager' });
    expect(unknownKind.statusCode).toBe(400);
    expect(
      (await call(responder, 'POST', '/api/v1/notify/channels', { name: 'x', kind: 'slack' })).statusCode,
    ).toBe(403);
    expect([await count('notifyChannels'), await count('auditLog')]).toEqual([channels, audits]);
  });

  it('a test message is an outbox row first, then delivered by the job worker, with its attempt logged', async () => {
    const ch = await webhookChannel('hook-ok', '/ok');
    const before = rx.received.length;
    const id = await test(ch.id);
    expect((await message(id)).state).toBe('pending');
    await runDue();
    const m = await message(id);
    expect(m).toMatchObject({
      state: 'sent',
      attempts: 1,
      attemptLog: [{ attempt: 1, outcome: 'sent', statusCode: 200 }],
    });
    expect(rx.received.length).toBe(before + 1);
    expect(rx.received.at(-1)?.headers['x-steady-message-id']).toBe(id);
    // A second run of the same job (a retried job, another instance) sends nothing more.
    await runDue();
    expect(rx.received.length).toBe(before + 1);
  });

  it('recoverable errors are retried with exponential backoff and Retry-After; a 4xx is not retried', async () => {
    const ch = await webhookChannel('hook-flaky', '/flaky');
    plan.set('/flaky', [{ status: 503 }, { status: 429, headers: { 'retry-after': '30' } }, { status: 200 }]);
    const id = await test(ch.id);
    const t0 = clock.now();
    await runDue();
    let m = await message(id);
    expect(m.state).toBe('pending');
    expect(m.nextAttemptAt - t0).toBeGreaterThanOrEqual(1600); // 2 s ± 20 %
    expect(m.nextAttemptAt - t0).toBeLessThanOrEqual(2400);
    clock.set(m.nextAttemptAt);
    await runDue();
    m = await message(id);
    expect(m.nextAttemptAt - clock.now()).toBeGreaterThanOrEqual(30_000); // the server asked for 30 s
    clock.advance(29_000);
    await runDue();
    expect((await message(id)).state).toBe('pending');
    clock.set(m.nextAttemptAt);
    await runDue();
    m = await message(id);
    expect(m.state).toBe('sent');
    expect(m.attemptLog.map((a) => [a.outcome, a.statusCode])).toEqual([
      ['retry', 503],
      ['retry', 429],
      ['sent', 200],
    ]);

    const bad = await webhookChannel('hook-bad', '/bad');
    plan.set('/bad', [{ status: 400 }, { status: 400 }, { status: 400 }]);
    const ids = [await test(bad.id), await test(bad.id), await test(bad.id)];
    await runDue();
    for (const x of ids) {
      const mm = await message(x);
      expect(mm).toMatchObject({ state: 'failed', attempts: 1 });
      expect(mm.lastError).toMatch(/^HTTP 400/);
    }
    // Three failures in a row: the channel is failing, shown on the channel and raised once.
    const channel = (await call(manager, 'GET', `/api/v1/notify/channels/${bad.id}`)).json();
    expect(channel).toMatchObject({ health: 'failing', consecutiveFailures: 3 });
    expect((await channelAlerts('hook-bad')).map((a) => a.status)).toEqual(['firing']);
    // It recovers on the next success.
    await test(bad.id);
    await runDue();
    expect((await call(manager, 'GET', `/api/v1/notify/channels/${bad.id}`)).json().health).toBe('ok');
    expect((await channelAlerts('hook-bad')).map((a) => a.status)).toEqual(['resolved']);
  });

  it('keeps to the channel rate limit: the excess waits for the minute window to move', async () => {
    const ch = await webhookChannel('hook-limited', '/limited', { ratePerMinute: 2 });
    const ids = [await test(ch.id), await test(ch.id), await test(ch.id)];
    await runDue();
    const states = await Promise.all(ids.map(async (id) => (await message(id)).state));
    expect(states.sort()).toEqual(['pending', 'sent', 'sent']);
    clock.advance(61_000);
    await runDue();
    for (const id of ids) expect((await message(id)).state).toBe('sent');
  });

  it("an escalation page follows the person's rules, lands on the timeline, and one-click links ack once", async () => {
    // The responder: Chinese locale, a phone and an e-mail; P1 → DingTalk now, e-mail after 5 minutes.
    const ding = await call(manager, 'POST', '/api/v1/notify/channels', {
      name: 'Oncall DingTalk',
      kind: 'dingtalk',
      settings: { baseUrl: `${rx.url}/ding` },
      secrets: { accessToken: 'tok', signSecret: 'SECx' },
    });
    const mail = await call(manager, 'POST', '/api/v1/notify/channels', {
      name: 'Mail',
      kind: 'email',
      settings: { host: '127.0.0.1', port: smtp.port, from: 'Steady <steady@shop.example>' },
    });
    expect(mail.statusCode, mail.body).toBe(201);
    await call(t.admin, 'PATCH', `/api/v1/users/${responder.userId}`, { locale: 'zh-CN' });
    expect(
      (
        await call(responder, 'POST', '/api/v1/notify/me/contacts', {
          kind: 'phone',
          address: '+86 138-0013-8000',
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await call(responder, 'POST', '/api/v1/notify/me/contacts', {
          kind: 'email',
          address: 'resp@shop.example',
        })
      ).statusCode,
    ).toBe(201);
    const bad = await call(responder, 'POST', '/api/v1/notify/me/contacts', {
      kind: 'email',
      address: 'nope',
    });
    expect(bad.statusCode).toBe(400);
    const rules = await call(responder, 'PUT', '/api/v1/notify/me/rules', {
      rules: [
        { severity: 'P1', channelId: ding.json().id, delayMinutes: 0 },
        { severity: 'P1', channelId: mail.json().id, delayMinutes: 5 },
        { severity: 'P3', channelId: mail.json().id },
      ],
    });
    expect(rules.statusCode, rules.body).toBe(200);
    const missing = await call(responder, 'PUT', '/api/v1/notify/me/rules', {
      rules: [{ severity: 'P1', channelId: '0190aaaa-0000-7000-8000-000000000000' }],
    });
    expect(missing.statusCode).toBe(400);

    const policy = await call(manager, 'POST', '/api/v1/escalation-policies', {
      name: 'Payments',
      steps: [{ targets: [{ type: 'user', id: responder.userId }], waitMinutes: 30 }],
    });
    expect(policy.statusCode, policy.body).toBe(201);
    const created = await call(manager, 'POST', '/api/v1/incidents', {
      title: '支付失败率升高',
      severity: 'P1',
      escalationPolicyId: policy.json().id,
    });
    expect(created.statusCode, created.body).toBe(201);
    const incident = created.json() as { id: string };
    const before = rx.received.length;
    await runDue();
    await runDue();
    const msgs = (await call(manager, 'GET', `/api/v1/notify/messages?incidentId=${incident.id}`)).json()
      .items as Msg[];
    expect(msgs.map((m) => [m.state, m.recipient]).sort()).toEqual([
      ['pending', 'resp@shop.example'],
      ['sent', ''],
    ]);
    const dingBody = rx.received.slice(before).find((r) => r.url.pathname === '/ding')?.json as {
      markdown: { title: string; text: string };
      at: { atMobiles: string[] };
    };
    expect(dingBody.markdown.title).toMatch(/^\[P1 紧急\] 故障 #\d+ 支付失败率升高$/);
    expect(dingBody.at.atMobiles).toEqual(['+8613800138000']);
    const ack = /\[认领\]\((https:\/\/steady\.shop\.example\/notify\/a\/[^)]+)\)/.exec(
      dingBody.markdown.text,
    )?.[1] as string;
    const resolve = /\[解决\]\((https:\/\/steady\.shop\.example\/notify\/a\/[^)]+)\)/.exec(
      dingBody.markdown.text,
    )?.[1] as string;
    expect(ack).toBeTruthy();

    const timeline = async () =>
      (
        (await call(manager, 'GET', `/api/v1/incidents/${incident.id}/timeline`)).json().items as {
          kind: string;
          data: { status?: string; channel?: string };
        }[]
      ).filter((e) => e.kind.startsWith('notification'));
    expect((await timeline()).map((e) => [e.kind, e.data.status, e.data.channel])).toEqual(
      expect.arrayContaining([
        ['notification', 'queued', 'Oncall DingTalk'],
        ['notification', 'queued', 'Mail'],
        ['notification_delivery', 'sent', 'Oncall DingTalk'],
      ]),
    );

    const path = (u: string) => new URL(u).pathname;
    const state = async () => (await call(manager, 'GET', `/api/v1/incidents/${incident.id}`)).json().state;
    // Forged: one character of the signature changed.
    const forged = path(ack).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const f = await t.app.http.inject({
      method: 'POST',
      url: forged,
      headers: { 'accept-language': 'zh-CN,zh;q=0.9' },
    });
    expect(f.statusCode).toBe(404);
    expect(f.body).toContain('此链接无效');
    // GET only confirms (link scanners fetch with GET).
    const confirm = await t.app.http.inject({ method: 'GET', url: path(ack) });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('确认认领故障');
    expect(await state()).toBe('triggered');
    const done = await t.app.http.inject({
      method: 'POST',
      url: path(ack),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.body).toContain('已认领');
    expect(await state()).toBe('acknowledged');
    const replay = await t.app.http.inject({ method: 'POST', url: path(ack) });
    expect(replay.statusCode).toBe(410);
    expect(replay.body).toContain('已被使用过');
    const ackEvent = (
      (await call(manager, 'GET', `/api/v1/incidents/${incident.id}/timeline`)).json().items as {
        kind: string;
        actorId: string | null;
      }[]
    ).find((e) => e.kind === 'acknowledged');
    expect(ackEvent?.actorId).toBe(responder.userId);

    // The delayed e-mail is not sent once the incident is acknowledged.
    clock.advance(5 * 60_000 + 1000);
    await runDue();
    const email = (await call(manager, 'GET', `/api/v1/notify/messages?incidentId=${incident.id}`))
      .json()
      .items.find((m: Msg) => m.recipient === 'resp@shop.example');
    expect(email.state).toBe('cancelled');
    expect(smtp.mails.filter((m) => m.to.includes('resp@shop.example'))).toEqual([]);

    expiring = { url: path(resolve), incidentId: incident.id };
  });

  it('the same page handed over twice (a retried step, a second instance) queues one message', async () => {
    const ch = await webhookChannel('hook-dedupe', '/dedupe');
    await call(responder, 'PUT', '/api/v1/notify/me/rules', {
      rules: [{ severity: 'P2', channelId: ch.id }],
    });
    const created = await call(manager, 'POST', '/api/v1/incidents', {
      title: 'Slow checkout',
      severity: 'P2',
    });
    const incident = created.json() as { id: string; ref: string };
    const page = {
      incident: { id: incident.id, ref: incident.ref, title: 'Slow checkout', severity: 'P2' },
      target: { userId: responder.userId, name: 'Test responder' },
      step: { index: 0, round: 0 },
      dedupeKey: `esc:${incident.id}:0:0:0:${responder.userId}`,
    };
    const before = await count('notifyMessages');
    await database.db.transaction().execute((trx) => t.app.notify.notifier.page(trx, page));
    await database.db.transaction().execute((trx) => t.app.notify.notifier.page(trx, page));
    expect((await count('notifyMessages')) - before).toBe(1);
  });

  it('team defaults apply to members without rules of their own', async () => {
    const team = (await call(manager, 'POST', '/api/v1/teams', { name: `Notify team ${engine}` })).json();
    const agent = await t.as('agent');
    await call(manager, 'PUT', `/api/v1/teams/${team.id}/members/${agent.userId}`, { role: 'member' });
    const ch = await webhookChannel('hook-team', '/team');
    const put = await call(manager, 'PUT', `/api/v1/notify/teams/${team.id}/rules`, {
      rules: [{ severity: 'P3', channelId: ch.id, delayMinutes: 0 }],
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(
      (await call(agent, 'PUT', `/api/v1/notify/teams/${team.id}/rules`, { rules: [] })).statusCode,
    ).toBe(403);
    const me = (await call(agent, 'GET', '/api/v1/notify/me')).json();
    expect(me).toMatchObject({ rulesFromTeam: team.id, rules: [{ severity: 'P3', channelId: ch.id }] });
  });

  it('the people paged hear when the incident is resolved, through the same channels, once', async () => {
    const channels = (await call(manager, 'GET', '/api/v1/notify/channels')).json().items as {
      id: string;
      name: string;
    }[];
    const byName = (n: string) => channels.find((c) => c.name === n)?.id as string;
    const rules = await call(responder, 'PUT', '/api/v1/notify/me/rules', {
      rules: [
        { severity: 'P1', channelId: byName('Oncall DingTalk'), delayMinutes: 0 },
        { severity: 'P1', channelId: byName('Mail'), delayMinutes: 0 },
      ],
    });
    expect(rules.statusCode, rules.body).toBe(200);
    const policy = await call(manager, 'POST', '/api/v1/escalation-policies', {
      name: `Resolved follow-up ${engine}`,
      steps: [{ targets: [{ type: 'user', id: responder.userId }], waitMinutes: 30 }],
    });
    const incident = (
      await call(manager, 'POST', '/api/v1/incidents', {
        title: '订单服务 5xx',
        severity: 'P1',
        escalationPolicyId: policy.json().id,
      })
    ).json() as { id: string; number: number };
    await runDue();
    await runDue();
    const before = rx.received.length;
    const mailsBefore = smtp.mails.length;
    const resolved = await call(manager, 'POST', `/api/v1/incidents/${incident.id}/resolve`, {});
    expect(resolved.statusCode, resolved.body).toBe(200);
    await runDue();
    await runDue();

    const title = `[已解决] 故障 #${incident.number} 订单服务 5xx`;
    const ding = rx.received.slice(before).filter((r) => r.url.pathname === '/ding');
    expect(ding).toHaveLength(1);
    const body = ding[0]?.json as { markdown: { title: string; text: string } };
    expect(body.markdown.title).toBe(title);
    expect(body.markdown.text).toContain('解决人');
    // No action links in a follow-up: there is nothing left to acknowledge or resolve.
    expect(body.markdown.text).not.toContain('/notify/a/');
    const mails = smtp.mails.slice(mailsBefore);
    expect(mails.map((m) => [m.to, m.subject])).toEqual([[['resp@shop.example'], title]]);

    const msgs = (await call(manager, 'GET', `/api/v1/notify/messages?incidentId=${incident.id}`)).json()
      .items as (Msg & { purpose: string })[];
    expect(msgs.filter((m) => m.purpose === 'resolved').map((m) => m.state)).toEqual(['sent', 'sent']);
    const timeline = (await call(manager, 'GET', `/api/v1/incidents/${incident.id}/timeline`)).json()
      .items as { kind: string; data: { status?: string; purpose?: string } }[];
    expect(timeline.filter((e) => e.kind === 'notification' && e.data.purpose === 'resolved')).toHaveLength(
      2,
    );
  });

  // Last: it moves the clock a day on, past the test sessions' lifetime too.
  it('an expired link is refused with a clear page and changes nothing', async () => {
    if (!expiring) throw new Error('needs the escalation test');
    clock.advance(25 * 3_600_000);
    const expired = await t.app.http.inject({
      method: 'GET',
      url: expiring.url,
      headers: { 'accept-language': 'en' },
    });
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('过期'); // the person's own language (zh-CN), not the browser's
    const posted = await t.app.http.inject({ method: 'POST', url: expiring.url });
    expect(posted.statusCode).toBe(410);
    const row = await database.db
      .selectFrom('incidents')
      .select('state')
      .where('id', '=', expiring.incidentId)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('acknowledged');
  });
});
