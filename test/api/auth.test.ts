import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { ADMIN_PASSWORD, type Client, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';

const HOUR = 3_600_000;
const PASSWORD = 'correct-horse-1';

describeEachEngine('auth', (engine) => {
  let t: TestApp;
  let clock: FakeClock;
  let database: Database;
  let n = 0;

  beforeAll(async () => {
    clock = new FakeClock();
    t = await startTestApp(engine, {
      clock,
      config: { loginMaxFailures: 3, loginWindowMinutes: 15, sessionTtlHours: 12 },
    });
    database = t.testDb.open();
  });
  afterAll(async () => {
    await database?.close();
    await t?.close();
  });

  /** A fresh admin session (the clock moves in these tests, so cached sessions may have ended). */
  const admin = () => t.login('admin', ADMIN_PASSWORD);

  async function createUser(role = 'responder'): Promise<{ id: string; username: string }> {
    const username = `user${++n}-${engine}`;
    const res = await (await admin()).request({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username, displayName: `User ${n}`, role, password: PASSWORD },
    });
    expect(res.statusCode, res.body).toBe(201);
    return { id: res.json().id, username };
  }

  const postLogin = (username: string, password: string, headers: Record<string, string> = {}) =>
    t.app.http.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password }, headers });

  const whoami = (client: Client) => client.request({ method: 'GET', url: '/api/v1/session' });
  const bearer = (secret: string, url = '/api/v1/session') =>
    t.app.http.inject({ method: 'GET', url, headers: { authorization: `Bearer ${secret}` } });
  const sessionCookie = (res: LightMyRequestResponse) => res.cookies.find((c) => c.name === 'steady_session');

  it('logs in, knows the caller, logs out, and the old cookie no longer works', async () => {
    const u = await createUser();
    const login = await postLogin(u.username, PASSWORD);
    expect(login.statusCode).toBe(200);
    expect(login.json().user.username).toBe(u.username);
    expect(login.json().user).not.toHaveProperty('passwordHash');
    expect(login.json().csrfToken).toEqual(expect.any(String));

    const client = await t.login(u.username, PASSWORD);
    expect((await whoami(client)).json().user.id).toBe(u.id);
    const out = await client.request({ method: 'DELETE', url: '/api/v1/session' });
    expect(out.statusCode).toBe(204);
    const cleared = sessionCookie(out);
    expect(cleared?.value).toBe('');
    expect((await whoami(client)).statusCode).toBe(401);
    // The other session of the same user is untouched.
    const other = { cookies: { steady_session: sessionCookie(login)?.value ?? '' } };
    expect((await t.app.http.inject({ method: 'GET', url: '/api/v1/session', ...other })).statusCode).toBe(
      200,
    );
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const u = await createUser();
    const wrong = await postLogin(u.username, 'not-the-password');
    const unknown = await postLogin(`nobody-${engine}`, 'not-the-password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.cookies).toEqual([]);
  });

  it('a disabled user cannot log in, and their sessions and tokens stop working', async () => {
    const u = await createUser();
    const client = await t.login(u.username, PASSWORD);
    const tok = await client.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'ci', scopes: ['read'] },
    });
    const secret = tok.json().secret as string;
    expect((await bearer(secret, '/api/v1/teams')).statusCode).toBe(200);

    const adm = await admin();
    const off = await adm.request({ method: 'POST', url: `/api/v1/users/${u.id}/disable` });
    expect(off.statusCode).toBe(200);
    expect(off.json().disabledAt).toBe(clock.now());

    expect((await whoami(client)).statusCode).toBe(401);
    expect((await bearer(secret, '/api/v1/teams')).statusCode).toBe(401);
    const denied = await postLogin(u.username, PASSWORD);
    expect(denied.statusCode).toBe(401);
    expect(denied.json()).toEqual((await postLogin(`nobody2-${engine}`, 'x')).json());

    // Enabled again: logging in works, the token (not revoked) works again.
    expect((await adm.request({ method: 'POST', url: `/api/v1/users/${u.id}/enable` })).statusCode).toBe(200);
    expect((await postLogin(u.username, PASSWORD)).statusCode).toBe(200);
    expect((await bearer(secret, '/api/v1/teams')).statusCode).toBe(200);
  });

  it('limits failed logins per user name and address, with Retry-After, and forgets after the window', async () => {
    const u = await createUser();
    for (let i = 0; i < 3; i++) {
      expect((await postLogin(u.username, 'wrong-password')).statusCode).toBe(401);
      clock.advance(60_000);
    }
    // Even the right password is refused now; the oldest failure leaves the window in 12 minutes.
    const limited = await postLogin(u.username, PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe(String(12 * 60));
    expect(limited.json().error.message).toContain('720 seconds');
    expect(limited.json().error.details.retryAfterSeconds).toBe(720);

    // X-Forwarded-For is not trusted by default (trustProxy off), so it cannot dodge the limit…
    expect((await postLogin(u.username, PASSWORD, { 'x-forwarded-for': '10.0.0.9' })).statusCode).toBe(429);
    const elsewhere = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username: u.username, password: PASSWORD },
      remoteAddress: '10.0.0.9',
    });
    // …while a real other address is not affected (the key is user name and address).
    expect(elsewhere.statusCode).toBe(200);

    // Once the oldest failure is out of the window, one more attempt is allowed.
    clock.advance(12 * 60_000 - 1);
    expect((await postLogin(u.username, PASSWORD)).statusCode).toBe(429);
    clock.advance(1);
    expect((await postLogin(u.username, PASSWORD)).statusCode).toBe(200);
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, Path=/, not Secure over plain http', async () => {
    const res = await postLogin('admin', ADMIN_PASSWORD);
    const cookie = sessionCookie(res);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 12 * 3600 });
    expect(cookie?.secure).toBeFalsy();
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly/);
  });

  it('marks the cookie Secure when the public URL is https', async () => {
    const https = await startTestApp(engine, { config: { publicUrl: 'https://steady.example.com' } });
    try {
      const res = await https.app.http.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { username: 'admin', password: ADMIN_PASSWORD },
      });
      expect(sessionCookie(res)).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax', path: '/' });
      const out = await https.app.http.inject({
        method: 'DELETE',
        url: '/api/v1/session',
        cookies: { steady_session: sessionCookie(res)?.value ?? '' },
        headers: { 'x-csrf-token': res.json().csrfToken },
      });
      expect(out.statusCode).toBe(204);
      expect(sessionCookie(out)).toMatchObject({ secure: true, httpOnly: true, path: '/' });
    } finally {
      await https.close();
    }
  });

  it('requires the CSRF token for cookie writes, not for bearer writes', async () => {
    const login = await postLogin('admin', ADMIN_PASSWORD);
    const cookies = { steady_session: sessionCookie(login)?.value ?? '' };
    const csrf = login.json().csrfToken as string;
    const write = (headers: Record<string, string>, name: string) =>
      t.app.http.inject({ method: 'POST', url: '/api/v1/teams', cookies, headers, payload: { name } });

    const none = await write({}, `csrf-none-${engine}`);
    expect(none.statusCode).toBe(403);
    expect(none.json().error.code).toBe('csrf');
    const wrong = await write({ 'x-csrf-token': `${csrf}x` }, `csrf-wrong-${engine}`);
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('csrf');
    // Reads need no token; the GET of the session hands the token back to a reloaded page.
    const read = await t.app.http.inject({ method: 'GET', url: '/api/v1/session', cookies });
    expect(read.json().csrfToken).toBe(csrf);
    expect((await write({ 'x-csrf-token': csrf }, `csrf-ok-${engine}`)).statusCode).toBe(201);

    const teams = (await (await admin()).request({ method: 'GET', url: '/api/v1/teams' })).json().items as {
      name: string;
    }[];
    expect(teams.map((x) => x.name)).not.toContain(`csrf-none-${engine}`);
    expect(teams.map((x) => x.name)).not.toContain(`csrf-wrong-${engine}`);

    const secret = await t.token('manager', ['write']);
    const byToken = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: { authorization: `Bearer ${secret}` },
      payload: { name: `csrf-token-${engine}` },
    });
    expect(byToken.statusCode).toBe(201);
  });

  it('changing one’s password ends the other sessions, not this one; a wrong current password is 400', async () => {
    const u = await createUser();
    const a = await t.login(u.username, PASSWORD);
    const b = await t.login(u.username, PASSWORD);

    const wrong = await a.request({
      method: 'POST',
      url: '/api/v1/me/password',
      payload: { currentPassword: 'nope-nope', newPassword: 'new-password-2' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.details.field).toBe('currentPassword');
    expect((await whoami(b)).statusCode).toBe(200);

    const ok = await a.request({
      method: 'POST',
      url: '/api/v1/me/password',
      payload: { currentPassword: PASSWORD, newPassword: 'new-password-2' },
    });
    expect(ok.statusCode).toBe(204);
    expect((await whoami(a)).statusCode).toBe(200);
    expect((await whoami(b)).statusCode).toBe(401);
    expect((await postLogin(u.username, PASSWORD)).statusCode).toBe(401);
    expect((await postLogin(u.username, 'new-password-2')).statusCode).toBe(200);
  });

  it('an administrator resets a password: the user’s sessions end and the new password works', async () => {
    const u = await createUser();
    const client = await t.login(u.username, PASSWORD);
    const res = await (await admin()).request({
      method: 'POST',
      url: `/api/v1/users/${u.id}/password`,
      payload: { newPassword: 'reset-password-3' },
    });
    expect(res.statusCode).toBe(204);
    expect((await whoami(client)).statusCode).toBe(401);
    expect((await postLogin(u.username, PASSWORD)).statusCode).toBe(401);
    expect((await postLogin(u.username, 'reset-password-3')).statusCode).toBe(200);
  });

  it('keeps one enabled administrator: the last cannot be demoted or disabled (409)', async () => {
    const adm = await admin();
    const adminId = adm.userId;
    const demote = await adm.request({
      method: 'PATCH',
      url: `/api/v1/users/${adminId}`,
      payload: { role: 'manager' },
    });
    expect(demote.statusCode).toBe(409);
    const self = await adm.request({ method: 'POST', url: `/api/v1/users/${adminId}/disable` });
    expect(self.statusCode).toBe(409);

    // With a second administrator, the first may be demoted; the second then is the last one.
    const second = await createUser('admin');
    const other = await t.login(second.username, PASSWORD);
    const disableSecondBy = await other.request({ method: 'POST', url: `/api/v1/users/${adminId}/disable` });
    expect(disableSecondBy.statusCode).toBe(200);
    const lastDemote = await other.request({
      method: 'PATCH',
      url: `/api/v1/users/${second.id}`,
      payload: { role: 'viewer' },
    });
    expect(lastDemote.statusCode).toBe(409);
    // …and the disabled first administrator is not counted: re-enable it and demote the second.
    expect((await other.request({ method: 'POST', url: `/api/v1/users/${adminId}/enable` })).statusCode).toBe(
      200,
    );
    const demoteSecond = await (await admin()).request({
      method: 'PATCH',
      url: `/api/v1/users/${second.id}`,
      payload: { role: 'viewer' },
    });
    expect(demoteSecond.statusCode).toBe(200);
    expect(demoteSecond.json().role).toBe('viewer');
    // A role change ends the user's sessions (the new role takes effect at the next login).
    expect((await whoami(other)).statusCode).toBe(401);
  });

  it('API tokens: the secret is shown once and stored hashed; last use is recorded; revoke ends it', async () => {
    const owner = await createUser('manager');
    const client = await t.login(owner.username, PASSWORD);
    const created = await client.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'deploy', scopes: ['write', 'read', 'read'] },
    });
    expect(created.statusCode).toBe(201);
    const { token, secret } = created.json() as { token: { id: string; prefix: string }; secret: string };
    expect(secret).toMatch(/^stdy_/);
    expect(secret.startsWith(token.prefix)).toBe(true);
    expect(created.json().token.scopes).toEqual(['read', 'write']);
    expect(created.json().token.lastUsedAt).toBeNull();

    const listed = await client.request({ method: 'GET', url: '/api/v1/tokens' });
    expect(listed.body).not.toContain(secret);
    expect(listed.json().items.map((x: { id: string }) => x.id)).toEqual([token.id]);

    const row = await database.db
      .selectFrom('apiTokens')
      .selectAll()
      .where('id', '=', token.id)
      .executeTakeFirst();
    expect(row).toBeDefined();
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    const audit = await database.db.selectFrom('auditLog').selectAll().execute();
    expect(JSON.stringify(audit)).not.toContain(secret);

    clock.advance(5_000);
    expect((await bearer(secret, '/api/v1/teams')).statusCode).toBe(200);
    const used = await client.request({ method: 'GET', url: '/api/v1/tokens' });
    expect(used.json().items[0].lastUsedAt).toBe(clock.now());

    // Another user (not an administrator) cannot revoke it; the owner can, once.
    const stranger = await t.login((await createUser('manager')).username, PASSWORD);
    expect((await stranger.request({ method: 'DELETE', url: `/api/v1/tokens/${token.id}` })).statusCode).toBe(
      403,
    );
    expect((await client.request({ method: 'DELETE', url: `/api/v1/tokens/${token.id}` })).statusCode).toBe(
      204,
    );
    expect((await client.request({ method: 'DELETE', url: `/api/v1/tokens/${token.id}` })).statusCode).toBe(
      409,
    );
    const revoked = await bearer(secret, '/api/v1/teams');
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().error.message).toMatch(/revoked/);
  });

  it('API tokens expire', async () => {
    const owner = await createUser('viewer');
    const client = await t.login(owner.username, PASSWORD);
    const created = await client.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'short', scopes: ['read'], expiresInDays: 1 },
    });
    const { secret, token } = created.json() as { secret: string; token: { expiresAt: number } };
    expect(token.expiresAt).toBe(clock.now() + 24 * HOUR);
    clock.advance(24 * HOUR - 1);
    expect((await bearer(secret, '/api/v1/teams')).statusCode).toBe(200);
    clock.advance(1);
    expect((await bearer(secret, '/api/v1/teams')).statusCode).toBe(401);
  });

  it('rejects malformed Authorization headers and unknown tokens with 401', async () => {
    for (const header of ['Basic abc', 'Bearer', 'stdy_abc', 'Bearer stdy_unknown']) {
      const res = await t.app.http.inject({
        method: 'GET',
        url: '/api/v1/teams',
        headers: { authorization: header },
      });
      expect(res.statusCode, header).toBe(401);
    }
  });

  it('sessions expire after the TTL without use, and use keeps them alive', async () => {
    const u = await createUser();
    const idle = await t.login(u.username, PASSWORD);
    const busy = await t.login(u.username, PASSWORD);
    // The busy session is used every 6 hours, so it outlives the 12 h TTL; the idle one does not.
    clock.advance(6 * HOUR);
    expect((await whoami(busy)).statusCode).toBe(200);
    clock.advance(6 * HOUR - 1);
    expect((await whoami(busy)).statusCode).toBe(200);
    clock.advance(1);
    expect((await whoami(idle)).statusCode).toBe(401);
    clock.advance(6 * HOUR);
    expect((await whoami(busy)).statusCode).toBe(200);
    clock.advance(12 * HOUR);
    expect((await whoami(busy)).statusCode).toBe(401);
  });

  it('housekeeping removes expired sessions and old login attempts', async () => {
    const u = await createUser();
    await t.login(u.username, PASSWORD);
    await postLogin(u.username, 'wrong-password');
    clock.advance(25 * HOUR);
    await t.app.auth.prune();
    const sessions = await database.db
      .selectFrom('sessions')
      .select('id')
      .where('expiresAt', '<=', clock.now())
      .execute();
    expect(sessions).toEqual([]);
    const attempts = await database.db
      .selectFrom('loginAttempts')
      .select('id')
      .where('username', '=', u.username)
      .execute();
    expect(attempts).toEqual([]);
  });
});
