import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { type App, buildApp } from '../../src/app.ts';
import { type Config, loadConfig, type SettingKey } from '../../src/config.ts';
import type { Role } from '../../src/platform/auth/roles.ts';
import { type Clock, systemClock } from '../../src/platform/clock.ts';
import type { Engine } from '../../src/platform/db/engine.ts';
import { createTestDatabase, type TestDatabase } from './engines.ts';

export const ADMIN_PASSWORD = 'admin-password-1';
export const USER_PASSWORD = 'user-password-1';

/** A logged-in console user: sends its session cookie and CSRF token with every request. */
export interface Client {
  userId: string;
  role: Role;
  request(opts: InjectOptions): Promise<LightMyRequestResponse>;
}

export interface TestApp {
  app: App;
  config: Config;
  testDb: TestDatabase;
  clock: Clock;
  admin: Client;
  /** Logs in (creating the user first if needed) as a user of the given role. */
  as(role: Role): Promise<Client>;
  login(username: string, password: string): Promise<Client>;
  /** A bearer token with the given scopes, owned by a user of the given role. */
  token(role: Role, scopes: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startTestApp(
  engine: Engine,
  options: { clock?: Clock; config?: Partial<Record<SettingKey, unknown>>; webDist?: string } = {},
): Promise<TestApp> {
  const testDb = await createTestDatabase(engine);
  const config = loadConfig({}, undefined, {
    ...testDb.settings,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    adminPassword: ADMIN_PASSWORD,
    ...options.config,
  });
  const clock = options.clock ?? systemClock;
  const app = await buildApp({
    config,
    database: testDb.open(),
    clock,
    logger: pino({ level: 'silent' }),
    webDist: options.webDist ?? '/nonexistent',
  });
  await app.auth.ensureAdmin('admin', ADMIN_PASSWORD, false);

  async function login(username: string, password: string): Promise<Client> {
    const res = await app.http.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username, password },
    });
    if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
    const cookie = res.cookies.find((c) => c.name === 'steady_session');
    const body = res.json() as { user: { id: string; role: Role }; csrfToken: string };
    return {
      userId: body.user.id,
      role: body.user.role,
      request: (opts) =>
        app.http.inject({
          ...opts,
          cookies: { ...(opts.cookies ?? {}), steady_session: cookie?.value ?? '' },
          headers: { 'x-csrf-token': body.csrfToken, ...(opts.headers ?? {}) },
        }),
    };
  }
  const admin = await login('admin', ADMIN_PASSWORD);
  const clients = new Map<Role, Client>([['admin', admin]]);

  async function as(role: Role): Promise<Client> {
    const known = clients.get(role);
    if (known) return known;
    const username = `test-${role}`;
    const res = await admin.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username, displayName: `Test ${role}`, role, password: USER_PASSWORD },
    });
    if (res.statusCode !== 201) throw new Error(`create ${role} failed: ${res.body}`);
    const client = await login(username, USER_PASSWORD);
    clients.set(role, client);
    return client;
  }

  return {
    app,
    config,
    testDb,
    clock,
    admin,
    as,
    login,
    async token(role, scopes) {
      const client = await as(role);
      const res = await client.request({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { name: 'test', scopes },
      });
      if (res.statusCode !== 201) throw new Error(`token failed: ${res.body}`);
      return (res.json() as { secret: string }).secret;
    },
    async close() {
      await app.close();
      await testDb.drop();
    },
  };
}
