import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { email } from '../../src/modules/notify/channels/email.ts';
import { dingtalk, feishu, wecom } from '../../src/modules/notify/channels/robots.ts';
import { slack } from '../../src/modules/notify/channels/slack.ts';
import { httpTemplate } from '../../src/modules/notify/channels/sms.ts';
import type { OutgoingMessage } from '../../src/modules/notify/channels/types.ts';
import { webhook } from '../../src/modules/notify/channels/webhook.ts';
import { renderMessage } from '../../src/modules/notify/templates.ts';
import { type Received, startReceiver, startSmtp } from './receivers.ts';

/**
 * Each channel against a local receiver that checks the payload and verifies the signature the way the
 * vendor documents it (written out here, not by calling Steady's signer).
 */
const NOW = Date.UTC(2026, 0, 5, 9, 30, 0);
const ctx = { now: NOW, timeoutMs: 2000 };

function message(locale: 'en' | 'zh-CN' = 'zh-CN', severity = 'P1'): OutgoingMessage {
  const content = renderMessage(
    {
      incident: {
        id: 'inc-1',
        number: 42,
        title: '支付接口错误率升高 payment 5xx',
        severity,
        serviceName: 'payment-api',
        createdAt: NOW - 120_000,
      },
      alerts: [
        {
          name: 'PaymentErrorRate',
          summary: 'error rate above threshold',
          value: '7.2%',
          threshold: '> 5%',
          expected: null,
          since: NOW - 180_000,
          runbookUrl: 'https://wiki.shop.example/runbooks/payment',
          kbUrl: 'https://kb.shop.example/a/17',
        },
      ],
      links: {
        incident: 'https://steady.shop.example/incidents/inc-1',
        acknowledge: 'https://steady.shop.example/notify/a/tok-ack.sig',
        resolve: 'https://steady.shop.example/notify/a/tok-res.sig',
      },
    },
    locale,
    'Asia/Shanghai',
  );
  return {
    id: '0190-msg-1',
    recipient: '',
    content,
    mention: { mobiles: ['13800138000'], userIds: ['wang.oncall'] },
  };
}

const hmacB64 = (key: string, data: string) => createHmac('sha256', key).update(data).digest('base64');
const same = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

describe('DingTalk custom robot', () => {
  const secret = 'SECdingtalk-test-secret-0123456789';
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  // DingTalk's documented check: sign = urlEncode(base64(HmacSHA256(key=secret, data=timestamp+"\n"+secret))),
  // timestamp in milliseconds, at most one hour from the server's time.
  const verify = (r: Received) => {
    const ts = r.url.searchParams.get('timestamp') ?? '';
    const sign = r.url.searchParams.get('sign') ?? '';
    const fresh = Math.abs(NOW - Number(ts)) < 3_600_000;
    return fresh && same(sign, hmacB64(secret, `${ts}\n${secret}`));
  };
  beforeAll(async () => {
    rx = await startReceiver((r) =>
      r.url.searchParams.get('access_token') !== 'tok-1'
        ? { status: 200, body: { errcode: 300001, errmsg: 'token is not exist' } }
        : verify(r)
          ? { status: 200, body: { errcode: 0, errmsg: 'ok' } }
          : { status: 200, body: { errcode: 310000, errmsg: 'sign not match' } },
    );
  });
  afterAll(() => rx.close());

  it('sends a signed markdown message that @mentions the on-call phone for P1', async () => {
    const r = await dingtalk.send(
      { baseUrl: `${rx.url}/robot/send` },
      { accessToken: 'tok-1', signSecret: secret },
      message(),
      ctx,
    );
    expect(r).toEqual({ ok: true, statusCode: 200 });
    const got = rx.received.at(-1) as Received;
    expect(got.url.pathname).toBe('/robot/send');
    expect(got.headers['content-type']).toMatch(/application\/json/);
    const body = got.json as {
      msgtype: string;
      markdown: { title: string; text: string };
      at: { atMobiles: string[] };
    };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toBe('[P1 紧急] 故障 #42 支付接口错误率升高 payment 5xx');
    expect(body.markdown.text).toContain('7.2% (阈值 > 5%)');
    expect(body.markdown.text).toContain(
      '**处置手册**:[https://wiki.shop.example/runbooks/payment](https://wiki.shop.example/runbooks/payment)',
    );
    expect(body.markdown.text).toContain('[认领](https://steady.shop.example/notify/a/tok-ack.sig)');
    expect(body.markdown.text).toContain('2026-01-05 17:27:00'); // since, in Asia/Shanghai
    expect(body.markdown.text).toMatch(/@13800138000$/);
    expect(body.at.atMobiles).toEqual(['13800138000']);
  });

  it('mentions nobody below P1', async () => {
    await dingtalk.send(
      { baseUrl: rx.url },
      { accessToken: 'tok-1', signSecret: secret },
      message('en', 'P3'),
      ctx,
    );
    const body = (rx.received.at(-1) as Received).json as {
      at: { atMobiles: string[] };
      markdown: { text: string };
    };
    expect(body.at.atMobiles).toEqual([]);
    expect(body.markdown.text).not.toContain('@138');
  });

  it('a wrong secret is refused in the body of a 200 and not retried', async () => {
    const r = await dingtalk.send(
      { baseUrl: rx.url },
      { accessToken: 'tok-1', signSecret: 'wrong' },
      message(),
      ctx,
    );
    expect(r).toMatchObject({ ok: false, retry: false, error: 'DingTalk error 310000: sign not match' });
    const bad = await dingtalk.send(
      { baseUrl: rx.url },
      { accessToken: 'nope', signSecret: secret },
      message(),
      ctx,
    );
    expect(bad).toMatchObject({ ok: false, retry: false });
  });

  it('"sending too fast" (130101) and "busy" (-1) are retried after a minute', async () => {
    const busy = await startReceiver(() => ({
      status: 200,
      body: { errcode: 130101, errmsg: 'send too fast' },
    }));
    const r = await dingtalk.send({ baseUrl: busy.url }, { accessToken: 't' }, message(), ctx);
    expect(r).toMatchObject({ ok: false, retry: true, retryAfterMs: 60_000 });
    await busy.close();
  });
});

describe('WeCom group robot', () => {
  it('sends markdown to the robot key, mentioning the WeCom user id for P1', async () => {
    const rx = await startReceiver((r) =>
      r.url.searchParams.get('key') === 'key-1'
        ? { status: 200, body: { errcode: 0, errmsg: 'ok' } }
        : { status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } },
    );
    const r = await wecom.send(
      { baseUrl: `${rx.url}/cgi-bin/webhook/send` },
      { key: 'key-1' },
      message(),
      ctx,
    );
    expect(r.ok).toBe(true);
    const got = rx.received[0] as Received;
    expect(got.url.pathname).toBe('/cgi-bin/webhook/send');
    const body = got.json as { msgtype: string; markdown: { content: string } };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.content).toContain('### [P1 紧急] 故障 #42');
    expect(body.markdown.content).toContain('<@wang.oncall>');
    const wrong = await wecom.send({ baseUrl: rx.url }, { key: 'other' }, message(), ctx);
    expect(wrong).toMatchObject({ ok: false, retry: false, error: 'WeCom error 93000: invalid webhook url' });
    await rx.close();
    const limited = await startReceiver(() => ({
      status: 200,
      body: { errcode: 45009, errmsg: 'api freq out of limit' },
    }));
    expect(await wecom.send({ baseUrl: limited.url }, { key: 'k' }, message(), ctx)).toMatchObject({
      retry: true,
      retryAfterMs: 60_000,
    });
    await limited.close();
  });
});

describe('Feishu / Lark custom bot', () => {
  const secret = 'feishu-test-secret';
  // Feishu's documented check: sign = base64(HmacSHA256(key = timestamp + "\n" + secret, data = "")),
  // timestamp in seconds, within one hour; both in the JSON body.
  const verify = (body: { timestamp?: string; sign?: string }) => {
    const ts = body.timestamp ?? '';
    return Math.abs(NOW / 1000 - Number(ts)) < 3600 && same(body.sign ?? '', hmacB64(`${ts}\n${secret}`, ''));
  };
  it('sends a signed interactive card with acknowledge / resolve / open buttons', async () => {
    const rx = await startReceiver((r) =>
      verify(r.json as never)
        ? { status: 200, body: { code: 0, msg: 'success', data: {} } }
        : { status: 200, body: { code: 19021, msg: 'sign match fail or timestamp is not within one hour' } },
    );
    const r = await feishu.send(
      { baseUrl: `${rx.url}/open-apis/bot/v2/hook` },
      { hookId: 'hook-1', signSecret: secret },
      message('en'),
      ctx,
    );
    expect(r.ok).toBe(true);
    const got = rx.received[0] as Received;
    expect(got.url.pathname).toBe('/open-apis/bot/v2/hook/hook-1');
    const body = got.json as {
      timestamp: string;
      msg_type: string;
      card: {
        header: { title: { content: string }; template: string };
        elements: { tag: string; actions?: { url: string; text: { content: string } }[]; content?: string }[];
      };
    };
    expect(body.timestamp).toBe(String(NOW / 1000));
    expect(body.msg_type).toBe('interactive');
    expect(body.card.header).toMatchObject({
      title: { content: '[P1 urgent] Incident #42 支付接口错误率升高 payment 5xx' },
      template: 'red',
    });
    expect(body.card.elements[0]?.content).toContain('**Value**: 7.2% (threshold > 5%)');
    expect(body.card.elements[0]?.content).toContain('<at id=wang.oncall></at>');
    expect(body.card.elements[1]?.actions?.map((a) => [a.text.content, a.url])).toEqual([
      ['Acknowledge', 'https://steady.shop.example/notify/a/tok-ack.sig'],
      ['Resolve', 'https://steady.shop.example/notify/a/tok-res.sig'],
      ['Open incident', 'https://steady.shop.example/incidents/inc-1'],
    ]);
    const bad = await feishu.send({ baseUrl: rx.url }, { hookId: 'h', signSecret: 'wrong' }, message(), ctx);
    expect(bad).toMatchObject({ ok: false, retry: false });
    expect(bad.ok || bad.error).toMatch(/Feishu error 19021/);
    await rx.close();
  });
});

describe('Slack incoming webhook', () => {
  it('posts Block Kit: header, mrkdwn section, link buttons, and a text fallback', async () => {
    const rx = await startReceiver((r) =>
      Array.isArray((r.json as { blocks?: unknown }).blocks)
        ? { status: 200, body: 'ok' }
        : { status: 400, body: 'invalid_payload' },
    );
    const r = await slack.send({}, { webhookUrl: `${rx.url}/services/T0/B0/X` }, message('en'), ctx);
    expect(r.ok).toBe(true);
    const body = (rx.received[0] as Received).json as {
      text: string;
      blocks: {
        type: string;
        text?: { type: string; text: string };
        elements?: { url: string; action_id: string }[];
      }[];
    };
    expect(body.text).toContain('#42');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'actions']);
    expect(body.blocks[0]?.text).toMatchObject({
      type: 'plain_text',
      text: ':red_circle: [P1 urgent] Incident #42 支付接口错误率升高 payment 5xx',
    });
    expect(body.blocks[1]?.text?.type).toBe('mrkdwn');
    expect(body.blocks[1]?.text?.text).toContain(
      '<https://wiki.shop.example/runbooks/payment|https://wiki.shop.example/runbooks/payment>',
    );
    expect(body.blocks[2]?.elements?.map((e) => e.action_id)).toEqual(['ack', 'resolve', 'open']);
    await rx.close();
    const gone = await startReceiver(() => ({ status: 404, body: 'no_service' }));
    expect(await slack.send({}, { webhookUrl: gone.url }, message(), ctx)).toMatchObject({
      ok: false,
      retry: false,
      statusCode: 404,
    });
    await gone.close();
  });
});

describe('generic webhook', () => {
  const secret = 'whsec-0123456789abcdef';
  it('signs <timestamp>.<raw body> with HMAC-SHA256 as documented for receivers', async () => {
    const rx = await startReceiver((r) => {
      const ts = String(r.headers['x-steady-timestamp']);
      const expected = `v1=${createHmac('sha256', secret).update(`${ts}.${r.raw}`).digest('hex')}`;
      const fresh = Math.abs(NOW / 1000 - Number(ts)) <= 300; // the documented 5-minute replay window
      return fresh && same(String(r.headers['x-steady-signature']), expected)
        ? { status: 204 }
        : { status: 401 };
    });
    const r = await webhook.send({ url: `${rx.url}/hook` }, { signingSecret: secret }, message('en'), ctx);
    expect(r).toEqual({ ok: true, statusCode: 204 });
    const got = rx.received[0] as Received;
    expect(got.headers['x-steady-message-id']).toBe('0190-msg-1');
    expect(got.json).toMatchObject({
      id: '0190-msg-1',
      type: 'steady.notification',
      severity: 'P1',
      subject: '[P1 urgent] Incident #42 支付接口错误率升高 payment 5xx',
      facts: {
        incident: 42,
        alert: 'PaymentErrorRate',
        value: '7.2%',
        threshold: '> 5%',
        service: 'payment-api',
      },
      links: { acknowledge: 'https://steady.shop.example/notify/a/tok-ack.sig' },
    });
    const forged = await webhook.send(
      { url: rx.url },
      { signingSecret: 'another-secret-12345' },
      message(),
      ctx,
    );
    expect(forged).toMatchObject({ ok: false, retry: false, statusCode: 401 });
    await rx.close();
  });

  it('classifies failures: 5xx and timeouts retry, 429 honours Retry-After, 4xx gives up', async () => {
    const rx = await startReceiver((r) => {
      const mode = r.url.pathname.slice(1);
      if (mode === '503') return { status: 503 };
      if (mode === '429') return { status: 429, headers: { 'retry-after': '7' } };
      if (mode === 'slow') return { status: 200, delayMs: 1500 };
      return { status: 422, body: { error: 'bad' } };
    });
    const send = (path: string, timeoutMs = 2000) =>
      webhook.send({ url: `${rx.url}/${path}` }, { signingSecret: secret }, message(), {
        now: NOW,
        timeoutMs,
      });
    expect(await send('503')).toMatchObject({ ok: false, retry: true, statusCode: 503 });
    expect(await send('429')).toMatchObject({ ok: false, retry: true, statusCode: 429, retryAfterMs: 7000 });
    expect(await send('422')).toMatchObject({ ok: false, retry: false, statusCode: 422 });
    expect(await send('slow', 200)).toMatchObject({
      ok: false,
      retry: true,
      error: 'no answer within 200 ms',
    });
    await rx.close();
    const refused = await webhook.send({ url: rx.url }, { signingSecret: secret }, message(), ctx);
    expect(refused).toMatchObject({ ok: false, retry: true });
    expect(refused.ok || refused.error).toMatch(/ECONNREFUSED/);
  });
});

describe('SMS / voice HTTP template', () => {
  it('fills a Twilio-style form request with escaped placeholders and checks the success text', async () => {
    const rx = await startReceiver((r) =>
      r.headers.authorization === `Basic ${Buffer.from('AC1:tok').toString('base64')}`
        ? { status: 201, body: { sid: 'SM1', status: 'queued' } }
        : { status: 401, body: { code: 20003 } },
    );
    const settings = {
      purpose: 'sms' as const,
      method: 'POST' as const,
      url: `${rx.url}/2010-04-01/Accounts/{{secret.sid}}/Messages.json`,
      headers: { authorization: 'Basic {{secret.basic}}' },
      contentType: 'form' as const,
      body: 'To={{phone}}&From=%2B15005550006&Body={{text}}',
      successBodyIncludes: '"status":"queued"',
    };
    const secrets = { values: { sid: 'AC1', basic: Buffer.from('AC1:tok').toString('base64') } };
    const msg = { ...message('zh-CN'), recipient: '+8613800138000' };
    const r = await httpTemplate.send(settings, secrets, msg, ctx);
    expect(r).toEqual({ ok: true, statusCode: 201 });
    const got = rx.received[0] as Received;
    expect(got.url.pathname).toBe('/2010-04-01/Accounts/AC1/Messages.json');
    expect(got.headers['content-type']).toMatch(/x-www-form-urlencoded/);
    const form = new URLSearchParams(got.raw);
    expect(form.get('To')).toBe('+8613800138000');
    expect(form.get('Body')).toMatch(
      /^\[Steady P1 紧急\] #42 支付接口错误率升高 payment 5xx 当前值:7\.2%\/> 5% https:/,
    );
    const bad = await httpTemplate.send(settings, { values: { sid: 'AC1', basic: 'x' } }, msg, ctx);
    expect(bad).toMatchObject({ ok: false, retry: false, statusCode: 401 });
    const typo = await httpTemplate.send({ ...settings, body: 'To={{phon}}' }, secrets, msg, ctx);
    expect(typo).toMatchObject({ ok: false, retry: false, error: 'template: unknown placeholder {{phon}}' });
    await rx.close();
  });

  it('JSON bodies get JSON-escaped values', async () => {
    const rx = await startReceiver(() => ({ status: 200, body: { Code: 'OK' } }));
    const r = await httpTemplate.send(
      {
        purpose: 'voice',
        method: 'POST',
        url: `${rx.url}/call`,
        headers: {},
        contentType: 'json',
        body: '{"to":"{{phone}}","tts":"{{text}}"}',
        successBodyIncludes: '"Code":"OK"',
      },
      { values: {} },
      { ...message(), recipient: '13800138000', content: { ...message().content, short: 'say "hi"\n' } },
      ctx,
    );
    expect(r.ok).toBe(true);
    expect((rx.received[0] as Received).json).toEqual({ to: '13800138000', tts: 'say "hi"\n' });
    await rx.close();
  });
});

describe('e-mail over SMTP', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(() => smtp.close());
  const settings = () => ({
    host: '127.0.0.1',
    port: smtp.port,
    secure: false,
    from: 'Steady <steady@shop.example>',
    username: '',
  });

  it('delivers HTML and plain-text parts with a UTF-8 subject, read back from a real SMTP server', async () => {
    const msg = { ...message('zh-CN'), recipient: 'wang@shop.example' };
    const r = await email.send(settings(), {}, msg, ctx);
    expect(r.ok).toBe(true);
    const mail = smtp.mails.at(-1);
    expect(mail?.to).toEqual(['wang@shop.example']);
    expect(mail?.subject).toBe('[P1 紧急] 故障 #42 支付接口错误率升高 payment 5xx');
    expect(mail?.raw).toMatch(/^Subject: =\?UTF-8\?/m); // encoded-word, as RFC 2047 requires
    expect(mail?.text).toContain('当前值:7.2% (阈值 > 5%)');
    expect(mail?.text).toContain('认领:https://steady.shop.example/notify/a/tok-ack.sig');
    expect(mail?.html).toContain('<a href="https://steady.shop.example/notify/a/tok-ack.sig"');
    expect(mail?.html).toContain('lang="zh-CN"');
    expect(mail?.messageId).toBe('<0190-msg-1@shop.example>');
  });

  it('4xx SMTP replies are retried, 5xx are final, an unreachable server is retried', async () => {
    const msg = { ...message(), recipient: 'wang@shop.example' };
    smtp.reject = { code: 451, message: 'try later' };
    expect(await email.send(settings(), {}, msg, ctx)).toMatchObject({
      ok: false,
      retry: true,
      statusCode: 451,
    });
    smtp.reject = { code: 550, message: 'no such user' };
    expect(await email.send(settings(), {}, msg, ctx)).toMatchObject({
      ok: false,
      retry: false,
      statusCode: 550,
    });
    smtp.reject = null;
    const down = await email.send({ ...settings(), port: 1 }, {}, msg, ctx);
    expect(down).toMatchObject({ ok: false, retry: true });
  });
});
