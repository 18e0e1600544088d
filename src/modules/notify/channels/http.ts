import { permanent, type SendResult, transient } from './types.ts';

export interface HttpReply {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * One HTTP request with a deadline. Network failures and timeouts come back as a transient SendResult:
 * the request may not have reached the server, and a later attempt can succeed.
 */
export async function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  timeoutMs: number,
): Promise<HttpReply | SendResult> {
  try {
    const res = await fetch(url, {
      method: init.method ?? 'POST',
      headers: init.headers ?? {},
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    const body = await res.text();
    return { status: res.status, headers: res.headers, body };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      return transient(`no answer within ${timeoutMs} ms`);
    }
    if (e instanceof TypeError && /invalid url|unsupported protocol/i.test(e.message)) {
      return permanent(`bad URL: ${e.message}`);
    }
    const cause = e.cause?.code ?? e.cause?.message ?? e.message;
    return transient(`request failed: ${cause}`);
  }
}

export const isReply = (r: HttpReply | SendResult): r is HttpReply => 'status' in r && 'body' in r;

/** Retry-After as seconds or an HTTP date, in ms from `now`; capped at one hour. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, 3_600_000);
}

/**
 * The HTTP status alone: 2xx is delivered; 408, 429 and 5xx may pass later (429 honours Retry-After);
 * any other 4xx means the request itself is wrong (bad token, URL gone) and repeating it cannot help.
 */
export function classifyStatus(reply: HttpReply, now: number): SendResult {
  const { status } = reply;
  if (status >= 200 && status < 300) return { ok: true, statusCode: status };
  const detail = `HTTP ${status}${reply.body ? `: ${reply.body.slice(0, 300)}` : ''}`;
  if (status === 429 || status === 408 || status >= 500) {
    return transient(detail, status, retryAfterMs(reply.headers.get('retry-after'), now));
  }
  if (status >= 300 && status < 400) return permanent(`${detail} (redirects are not followed)`, status);
  return permanent(detail, status);
}

export function parseJson(body: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };
