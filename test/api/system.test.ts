import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { type Database, migrate } from '../../src/platform/db/database.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDatabase, describeEachEngine } from '../helpers/engines.ts';

const appOn = (database: Database): Promise<App> =>
  buildApp({
    config: loadConfig({}, undefined, { logLevel: 'silent' }),
    database,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    webDist: '/nonexistent',
  });

describeEachEngine('system endpoints', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t?.close());

  it('/healthz answers without a session', async () => {
    const res = await t.app.http.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is ready once migrations are applied, and names the engine', async () => {
    const res = await t.app.http.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', engine });
  });

  it('/readyz is 503 on a database whose migrations are not applied, and ready after they are', async () => {
    const empty = await createTestDatabase(engine, { migrated: false });
    const database = empty.open();
    const app = await appOn(database);
    try {
      const res = await app.http.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'not ready', reason: 'migrations pending' });
      // /healthz says the process lives even so.
      expect((await app.http.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      await migrate(database);
      expect((await app.http.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    } finally {
      await app.close();
      await empty.drop();
    }
  });

  it('/readyz is 503 when the database is closed', async () => {
    const empty = await createTestDatabase(engine, { migrated: false });
    const database = empty.open();
    await migrate(database);
    let closed = false;
    const app = await appOn({
      ...database,
      close: async () => {
        if (!closed) await database.close();
        closed = true;
      },
    });
    try {
      expect((await app.http.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      await database.close();
      closed = true;
      const res = await app.http.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json().reason).toMatch(/^database unreachable: /);
    } finally {
      await app.close();
      await empty.drop();
    }
  });

  it('/metrics exposes request latency, job queue depth and database pool connections', async () => {
    await t.admin.request({ method: 'GET', url: '/api/v1/services' });
    await t.app.jobs.enqueue('nothing', null, { runAt: Date.now() + 3_600_000 });
    const res = await t.app.http.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toContain('# TYPE steady_http_request_duration_seconds histogram');
    expect(text).toMatch(
      /steady_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/services"[^}]*\} [1-9]/,
    );
    expect(text).toContain('# TYPE steady_job_queue_depth gauge');
    expect(text).toMatch(/steady_job_queue_depth\{state="scheduled"\} [1-9]/);
    expect(text).toMatch(/steady_job_queue_depth\{state="dead"\} 0/);
    expect(text).toContain('# TYPE steady_db_pool_connections gauge');
    expect(text).toMatch(/steady_db_pool_connections\{state="total"\} [0-9]/);
    // Unknown paths are one label, not one series each.
    await t.app.http.inject({ method: 'GET', url: '/no/such/path/123' });
    const again = (await t.app.http.inject({ method: 'GET', url: '/metrics' })).body;
    expect(again).not.toContain('/no/such/path/123');
  });

  it('/api/docs/json is an OpenAPI document listing the API', async () => {
    const res = await t.app.http.inject({ method: 'GET', url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/services', '/api/v1/services/{id}']),
    );
    expect(Object.keys(doc.paths['/api/v1/services'] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
    // System endpoints are hidden from the API document.
    expect(Object.keys(doc.paths)).not.toContain('/healthz');
    const ui = await t.app.http.inject({ method: 'GET', url: '/api/docs' });
    expect(ui.statusCode).toBeLessThan(400);
  });

  it('echoes x-request-id, makes one when absent, and records it in the audit log', async () => {
    const given = await t.app.http.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'req-abc-123' },
    });
    expect(given.headers['x-request-id']).toBe('req-abc-123');
    const made = await t.app.http.inject({ method: 'GET', url: '/healthz' });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const err = await t.app.http.inject({
      method: 'GET',
      url: '/api/v1/services/nope',
      headers: { 'x-request-id': 'req-err' },
    });
    expect(err.statusCode).toBe(401);
    expect(err.headers['x-request-id']).toBe('req-err');

    const created = await t.admin.request({
      method: 'POST',
      url: '/api/v1/teams',
      payload: { name: 'traced' },
      headers: { 'x-request-id': 'req-traced' },
    });
    const audit = await t.admin.request({
      method: 'GET',
      url: `/api/v1/audit?entityId=${created.json().id}`,
    });
    expect(audit.json().items[0].requestId).toBe('req-traced');
  });

  it('/api/v1/config/public is public', async () => {
    const res = await t.app.http.inject({ method: 'GET', url: '/api/v1/config/public' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ publicUrl: t.config.publicUrl });
  });
});
