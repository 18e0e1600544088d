import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDns } from '../../src/modules/signals/probes/checks/dns.ts';
import { checkHttp } from '../../src/modules/signals/probes/checks/http.ts';
import { checkTcp } from '../../src/modules/signals/probes/checks/tcp.ts';
import { dnsSettings, httpSettings, tcpSettings } from '../../src/modules/signals/probes/probes.schemas.ts';
import {
  close,
  closedPort,
  dnsServer,
  httpServer,
  httpsServer,
  listen,
  selfSignedCert,
} from './probe-servers.ts';

const DAY = 86_400_000;

describe('probe checks against real loopback servers', () => {
  let web: Server;
  let base: string;
  let tlsServer: Server;
  let tlsBase: string;
  let cert: ReturnType<typeof selfSignedCert>;
  let dns: Awaited<ReturnType<typeof dnsServer>>;

  beforeAll(async () => {
    web = httpServer();
    base = `http://127.0.0.1:${await listen(web)}`;
    cert = selfSignedCert(30);
    tlsServer = httpsServer(cert);
    tlsBase = `https://127.0.0.1:${await listen(tlsServer)}`;
    dns = await dnsServer({ 'shop.test': { A: ['10.0.0.7', '10.0.0.8'], TXT: ['v=spf1 -all'] } });
  });
  afterAll(async () => {
    await close(web);
    await close(tlsServer);
    await dns.close();
    cert.cleanup();
  });

  const http = (s: Record<string, unknown>, timeoutMs = 3000, now = Date.now()) =>
    checkHttp(httpSettings.parse(s), timeoutMs, now);

  it('HTTP: status, keyword, regex and JSON path pass on a healthy page', async () => {
    const home = await http({
      url: `${base}/`,
      bodyContains: 'Welcome',
      bodyMatches: 'order \\d{5}',
      bodyNotContains: 'error',
    });
    expect(home).toMatchObject({ ok: true, degraded: null, reason: null, statusCode: 200 });
    expect(home.durationMs).toBeGreaterThan(0);
    const api = await http({
      url: `${base}/api/health`,
      json: [
        { path: '$.status', value: 'ok' },
        { path: '$.checks[0].ok', value: true },
        { path: '$.checks[0].ms', op: '<', value: 100 },
      ],
    });
    expect(api).toMatchObject({ ok: true, statusCode: 200 });
  });

  it('HTTP: each failed assertion says why', async () => {
    expect(await http({ url: `${base}/broken` })).toMatchObject({
      ok: false,
      statusCode: 503,
      reason: 'status 503, expected 200-299',
    });
    expect((await http({ url: `${base}/broken`, expectStatus: ['5xx'] })).ok).toBe(true);
    expect((await http({ url: `${base}/`, bodyContains: 'Sold out' })).reason).toBe(
      'body does not contain "Sold out"',
    );
    expect((await http({ url: `${base}/`, bodyNotMatches: 'order \\d+' })).reason).toBe(
      'body matches /order \\d+/',
    );
    expect(
      (await http({ url: `${base}/api/health`, json: [{ path: '$.version', value: '2.0.0' }] })).reason,
    ).toBe('JSON $.version is "1.2.0", expected "2.0.0"');
    expect((await http({ url: `${base}/`, json: [{ path: '$.a', op: 'exists' }] })).reason).toMatch(
      /^body is not JSON/,
    );
  });

  it('HTTP: redirects are followed unless told not to; method, headers and body are sent', async () => {
    expect(await http({ url: `${base}/moved`, bodyContains: 'Welcome' })).toMatchObject({
      ok: true,
      statusCode: 200,
    });
    expect(await http({ url: `${base}/moved`, followRedirects: false })).toMatchObject({
      ok: false,
      statusCode: 302,
    });
    const echo = await http({
      url: `${base}/echo`,
      method: 'POST',
      headers: { authorization: 'Bearer s3cret' },
      body: '{"sku":1}',
      json: [
        { path: '$.method', value: 'POST' },
        { path: '$.auth', value: 'Bearer s3cret' },
        { path: '$.body', value: '{"sku":1}' },
      ],
    });
    expect(echo.reason).toBeNull();
  });

  it('HTTP: slow answers are degraded or down by threshold, and cut off at the timeout', async () => {
    const degraded = await http({ url: `${base}/slow?ms=300`, degradedAboveMs: 100 });
    expect(degraded.ok).toBe(true);
    expect(degraded.degraded).toMatch(/^slow: \d+ ms, over the 100 ms threshold$/);
    const down = await http({ url: `${base}/slow?ms=300`, downAboveMs: 100 });
    expect(down).toMatchObject({ ok: false });
    expect(down.reason).toMatch(/over the 100 ms limit/);
    const cut = await http({ url: `${base}/slow?ms=3000` }, 300);
    expect(cut).toMatchObject({ ok: false, reason: 'timed out after 300 ms' });
    expect(cut.durationMs).toBeLessThan(1500);
  });

  it('HTTP: connection refused is a failure with the reason', async () => {
    const port = await closedPort();
    expect(await http({ url: `http://127.0.0.1:${port}/` })).toMatchObject({
      ok: false,
      reason: `connection refused by 127.0.0.1:${port}`,
    });
  });

  it('HTTPS: days to expiry come from the real certificate; a self-signed one is refused when verifying', async () => {
    const now = Date.now();
    const ok = await http({ url: `${tlsBase}/`, tlsVerify: false }, 3000, now);
    expect(ok).toMatchObject({ ok: true, degraded: null, statusCode: 200 });
    expect(ok.tlsDaysLeft).toBeCloseTo((cert.notAfter - now) / DAY, 1);
    expect(ok.tlsDaysLeft).toBeGreaterThan(29);

    const warn = await http({ url: `${tlsBase}/`, tlsVerify: false, tlsWarningDays: 60 }, 3000, now);
    expect(warn.ok).toBe(true);
    expect(warn.degraded).toMatch(/^TLS certificate expires in 30\.0 days \(warning below 60\)$/);

    // Seen from 40 days on, the certificate has expired.
    const later = await http({ url: `${tlsBase}/`, tlsVerify: false }, 3000, now + 40 * DAY);
    expect(later.ok).toBe(false);
    expect(later.reason).toMatch(/^TLS certificate expired 10\.\d days ago$/);

    const verified = await http({ url: `${tlsBase}/` });
    expect(verified.ok).toBe(false);
    expect(verified.reason).toMatch(/TLS certificate of 127\.0\.0\.1:\d+ rejected: .*self[- ]signed/i);
  });

  it('TCP: connect, connect with TLS (days left), refused, and timeout', async () => {
    const webPort = Number(new URL(base).port);
    expect(
      await checkTcp(tcpSettings.parse({ host: '127.0.0.1', port: webPort }), 2000, Date.now()),
    ).toMatchObject({ ok: true });
    const tls = await checkTcp(
      tcpSettings.parse({
        host: '127.0.0.1',
        port: Number(new URL(tlsBase).port),
        tls: true,
        tlsVerify: false,
      }),
      2000,
      Date.now(),
    );
    expect(tls.ok).toBe(true);
    expect(tls.tlsDaysLeft).toBeGreaterThan(29);
    const port = await closedPort();
    expect(await checkTcp(tcpSettings.parse({ host: '127.0.0.1', port }), 2000, Date.now())).toMatchObject({
      ok: false,
      reason: `connection refused by 127.0.0.1:${port}`,
    });
    // A listener that accepts but never speaks TLS: the handshake hangs until the timeout.
    const held: import('node:net').Socket[] = [];
    const mute = (await import('node:net')).createServer((sock) => {
      held.push(sock);
    });
    const mutePort = await listen(mute);
    const timedOut = await checkTcp(
      tcpSettings.parse({ host: '127.0.0.1', port: mutePort, tls: true }),
      200,
      Date.now(),
    );
    expect(timedOut).toMatchObject({
      ok: false,
      reason: `connecting to 127.0.0.1:${mutePort} timed out after 200 ms`,
    });
    for (const sock of held) sock.destroy();
    await close(mute);
  });

  it('DNS: answers from a loopback server, expected answer, NXDOMAIN and silence', async () => {
    const server = `127.0.0.1:${dns.port}`;
    const a = await checkDns(dnsSettings.parse({ name: 'shop.test', server, expect: '10.0.0.8' }), 2000);
    expect(a.ok).toBe(true);
    expect(a.dnsLookupMs).toBeGreaterThan(0);
    expect(
      (
        await checkDns(
          dnsSettings.parse({ name: 'shop.test', recordType: 'TXT', server, expect: 'spf1' }),
          2000,
        )
      ).ok,
    ).toBe(true);
    const wrong = await checkDns(dnsSettings.parse({ name: 'shop.test', server, expect: '10.9.9.9' }), 2000);
    expect(wrong.reason).toBe(
      `A shop.test @${server} answered 10.0.0.7, 10.0.0.8; expected one containing "10.9.9.9"`,
    );
    expect((await checkDns(dnsSettings.parse({ name: 'nope.test', server }), 2000)).reason).toBe(
      `A nope.test @${server} failed: ENOTFOUND`,
    );
    const silent = await closedPort();
    const none = await checkDns(dnsSettings.parse({ name: 'shop.test', server: `127.0.0.1:${silent}` }), 300);
    expect(none.ok).toBe(false);
  });
});
