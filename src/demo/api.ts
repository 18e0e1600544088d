/** A client of Steady's own HTTP API, as an administrator: how the demo and the benchmark configure it. */

export type ApiCall = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

/** Logs in and returns a caller that sends the session cookie and CSRF token and throws on non-2xx. */
export async function loginAs(base: string, username: string, password: string): Promise<ApiCall> {
  const res = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login as ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return async <T>(method: string, path: string, body?: unknown) => {
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
}
