/** Talking to a Steady server from a benchmark: an admin session whose calls throw on any non-2xx. */

export type ApiCall = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

export interface AdminSession {
  userId: string;
  call: ApiCall;
}

/** Logs in as `username` and returns a caller that sends the session cookie and CSRF token. */
export async function adminSession(base: string, username: string, password: string): Promise<AdminSession> {
  const res = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken, user } = (await res.json()) as { csrfToken: string; user: { id: string } };
  const call: ApiCall = async <T>(method: string, path: string, body?: unknown) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        cookie,
        'x-csrf-token': csrfToken,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return (r.status === 204 ? null : await r.json()) as T;
  };
  return { userId: user.id, call };
}

const rank = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

/** Nearest-rank percentiles of a list of milliseconds, rounded to 0.1 ms. */
export function latencySummary(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  if (s.length === 0) return { runs: 0, p50: null, p99: null, min: null, max: null };
  return {
    runs: s.length,
    p50: r(rank(s, 50)),
    p99: r(rank(s, 99)),
    min: r(s[0] ?? 0),
    max: r(s.at(-1) ?? 0),
  };
}
