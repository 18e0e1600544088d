import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { HttpSettings } from '../probes.schemas.ts';
import { checkJsonAssertion } from './json-path.ts';
import { type CheckOutcome, daysLeft, describeNetworkError, latencyVerdict, tlsVerdict } from './types.ts';

/** Enough of a page to find a keyword or parse an API answer; the rest is read and thrown away. */
const BODY_LIMIT = 1024 * 1024;
const MAX_REDIRECTS = 5;

interface Exchange {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  certValidTo?: string;
  lookupMs?: number;
}

/**
 * One request on a fresh connection (no pooling: a probe measures what a new customer's browser goes
 * through, connection set-up included). node:https rather than fetch because the probe needs the peer
 * certificate, which fetch does not expose.
 */
function exchange(url: URL, s: HttpSettings, deadline: number, timeoutMs: number): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let lookupMs: number | undefined;
    let certValidTo: string | undefined;
    let timedOut: Error | undefined;
    // A timeout that cuts a response short surfaces as an abort of the response; report the timeout.
    const fail = (err: unknown) => {
      clearTimeout(timer);
      reject(timedOut ?? err);
    };
    const options: https.RequestOptions = {
      method: s.method,
      headers: { 'user-agent': 'Steady-Probe/1', ...s.headers },
      agent: false,
      rejectUnauthorized: s.tlsVerify,
    };
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < BODY_LIMIT) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks).subarray(0, BODY_LIMIT);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          ...(certValidTo ? { certValidTo } : {}),
          ...(lookupMs !== undefined ? { lookupMs } : {}),
        });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(
      () => {
        timedOut = new Error(`timed out after ${timeoutMs} ms`);
        req.destroy(timedOut);
      },
      Math.max(0, deadline - performance.now()),
    );
    req.on('socket', (socket) => {
      socket.once('lookup', () => {
        lookupMs = performance.now() - started;
      });
      socket.once('secureConnect', () => {
        const cert = (socket as TLSSocket).getPeerCertificate();
        if (cert?.valid_to) certValidTo = cert.valid_to;
      });
    });
    req.on('error', fail);
    if (s.body !== undefined && s.method !== 'GET' && s.method !== 'HEAD') req.end(s.body);
    else req.end();
  });
}

export function statusMatches(status: number, specs: readonly string[]): boolean {
  return specs.some((spec) => {
    if (spec.endsWith('xx')) return Math.floor(status / 100) === Number(spec[0]);
    const [lo, hi] = spec.split('-').map(Number);
    return hi === undefined ? status === lo : status >= (lo ?? 0) && status <= hi;
  });
}

/** Runs an HTTP(S) check; `now` (epoch ms, from the injected clock) dates the certificate. */
export async function checkHttp(s: HttpSettings, timeoutMs: number, now: number): Promise<CheckOutcome> {
  const started = performance.now();
  const deadline = started + timeoutMs;
  let url = new URL(s.url);
  let res: Exchange | undefined;
  let certValidTo: string | undefined;
  let lookupMs: number | undefined;
  const failed = (reason: string, extra: Partial<CheckOutcome> = {}): CheckOutcome => ({
    ok: false,
    degraded: null,
    reason,
    durationMs: performance.now() - started,
    ...(lookupMs !== undefined ? { dnsLookupMs: lookupMs } : {}),
    ...extra,
  });
  try {
    for (let hop = 0; ; hop++) {
      res = await exchange(url, s, deadline, timeoutMs);
      if (res.certValidTo) certValidTo = res.certValidTo;
      if (hop === 0 && res.lookupMs !== undefined) lookupMs = res.lookupMs;
      const location = res.headers.location;
      if (!s.followRedirects || res.status < 300 || res.status > 399 || !location) break;
      if (hop >= MAX_REDIRECTS) return failed(`more than ${MAX_REDIRECTS} redirects (last to ${location})`);
      url = new URL(location, url);
    }
  } catch (err) {
    return failed(describeNetworkError(err, url.host));
  }
  const durationMs = performance.now() - started;
  const tlsDaysLeft = certValidTo ? daysLeft(certValidTo, now) : undefined;
  const measured = {
    durationMs,
    statusCode: res.status,
    ...(tlsDaysLeft !== undefined ? { tlsDaysLeft } : {}),
    ...(lookupMs !== undefined ? { dnsLookupMs: lookupMs } : {}),
  };
  const fail = (reason: string): CheckOutcome => ({ ok: false, degraded: null, reason, ...measured });

  if (!statusMatches(res.status, s.expectStatus)) {
    return fail(`status ${res.status}, expected ${s.expectStatus.join(', ')}`);
  }
  const latency = latencyVerdict(durationMs, s);
  if (latency.fail) return fail(latency.fail);
  const tls = tlsVerdict(tlsDaysLeft, s.tlsWarningDays);
  if (tls.fail) return fail(tls.fail);

  const body = res.body.toString('utf8');
  if (s.bodyContains !== undefined && !body.includes(s.bodyContains)) {
    return fail(`body does not contain "${s.bodyContains}"`);
  }
  if (s.bodyNotContains !== undefined && body.includes(s.bodyNotContains)) {
    return fail(`body contains "${s.bodyNotContains}"`);
  }
  if (s.bodyMatches !== undefined && !new RegExp(s.bodyMatches).test(body)) {
    return fail(`body does not match /${s.bodyMatches}/`);
  }
  if (s.bodyNotMatches !== undefined && new RegExp(s.bodyNotMatches).test(body)) {
    return fail(`body matches /${s.bodyNotMatches}/`);
  }
  if (s.json.length > 0) {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch (err) {
      return fail(`body is not JSON: ${(err as Error).message}`);
    }
    for (const assertion of s.json) {
      const why = checkJsonAssertion(doc, assertion);
      if (why) return fail(why);
    }
  }
  return { ok: true, degraded: latency.degraded ?? tls.degraded, reason: null, ...measured };
}
