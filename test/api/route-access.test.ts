import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthService } from '../../src/platform/auth/auth.service.ts';
import { access, ROLES, type Role } from '../../src/platform/auth/roles.ts';
import { installAccessControl, type RouteAccess } from '../../src/platform/http/access.ts';
import { ADMIN_PASSWORD, type Client, startTestApp, type TestApp, USER_PASSWORD } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';

/** A concrete URL for a route pattern: path parameters become random UUIDs, wildcards a plain name. */
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, () => randomUUID()).replace(/\*/g, 'x');
const label = (r: RouteAccess) => `${r.method} ${r.url}`;

describeEachEngine('route access walk', (engine) => {
  let t: TestApp;
  let webDist: string;
  let apiRoutes: RouteAccess[];
  /** Fresh sessions per role, re-made when a route (logout, password change) ends one. */
  const sessions = new Map<Role, Client>();

  const session = async (role: Role): Promise<Client> => {
    let client = sessions.get(role);
    if (client) {
      const check = await client.request({ method: 'GET', url: '/api/v1/session' });
      if (check.statusCode === 200) return client;
    }
    client =
      role === 'admin'
        ? await t.login('admin', ADMIN_PASSWORD)
        : await t.login(`test-${role}`, USER_PASSWORD);
    sessions.set(role, client);
    return client;
  };

  beforeAll(async () => {
    // A built console, so its routes (static files and the client-side fallback) are walked too.
    webDist = mkdtempSync(join(tmpdir(), 'steady-web-'));
    writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>Steady</title>');
    t = await startTestApp(engine, { webDist });
    for (const role of ROLES) await t.as(role);
    apiRoutes = t.app.routes.filter((r) => r.url.startsWith('/api/'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(webDist, { recursive: true, force: true });
  });

  it('records every route, including the ones the walk must cover', () => {
    const seen = new Set(t.app.routes.map(label));
    for (const expected of [
      'POST /api/v1/session',
      'GET /api/v1/services',
      'DELETE /api/v1/teams/:id/members/:userId',
      'GET /api/v1/audit',
      'GET /api/docs/json',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      'GET /*',
    ]) {
      expect(seen, expected).toContain(expected);
    }
    expect(apiRoutes.length).toBeGreaterThan(25);
  });

  it('every /api route declares an access rule; every other route is public', () => {
    for (const r of t.app.routes) {
      if (r.url.startsWith('/api/')) {
        expect(r.access, label(r)).toBeDefined();
        if (r.access && 'roles' in r.access) expect(r.access.roles.length, label(r)).toBeGreaterThan(0);
      } else {
        // No rule off /api means nobody is asked to log in; a rule there must say public.
        if (r.access) expect(r.access, label(r)).toEqual({ public: true });
      }
    }
    for (const r of t.app.routes.filter((x) => x.url.startsWith('/api/docs'))) {
      expect(r.access, label(r)).toEqual({ public: true });
    }
  });

  it('non-API routes answer without a session', async () => {
    for (const r of t.app.routes.filter((x) => !x.url.startsWith('/api/'))) {
      const res = await t.app.http.inject({ method: r.method as 'GET', url: concrete(r.url) });
      expect([401, 403], label(r)).not.toContain(res.statusCode);
      expect(res.statusCode, label(r)).toBeLessThan(500);
    }
  });

  it('without a session: 401 unless public, and never a 500', async () => {
    for (const r of apiRoutes) {
      const opts: InjectOptions = { method: r.method as 'GET', url: concrete(r.url) };
      if (!['GET', 'HEAD', 'DELETE'].includes(r.method)) opts.payload = {};
      const res = await t.app.http.inject(opts);
      if (r.access && 'public' in r.access) {
        // A route with a secret of its own refuses a caller without it; other public routes never do.
        if (!r.access.ownSecret) expect([401, 403], label(r)).not.toContain(res.statusCode);
      } else {
        expect(res.statusCode, `${label(r)}: ${res.body}`).toBe(401);
      }
      expect(res.statusCode, `${label(r)}: ${res.body}`).toBeLessThan(500);
    }
  });

  it('every role: 403 when the rule leaves it out, otherwise neither 401, 403 nor 500', async () => {
    const failures: string[] = [];
    for (const r of apiRoutes) {
      for (const role of ROLES) {
        const client = await session(role);
        const opts: InjectOptions = { method: r.method as 'GET', url: concrete(r.url) };
        if (!['GET', 'HEAD', 'DELETE'].includes(r.method)) opts.payload = {};
        const res: LightMyRequestResponse = await client.request(opts);
        const allowed = !r.access || 'public' in r.access || r.access.roles.includes(role);
        const ownSecret = r.access && 'public' in r.access && r.access.ownSecret;
        const ok = ownSecret
          ? res.statusCode === 401
          : allowed
            ? ![401, 403].includes(res.statusCode)
            : res.statusCode === 403;
        if (!ok || res.statusCode >= 500) {
          failures.push(`${role} ${label(r)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('token scopes: read passes reads and is refused writes; ingest cannot read', async () => {
    const read = await t.token('manager', ['read']);
    const ingest = await t.token('manager', ['ingest']);
    const write = await t.token('manager', ['write']);
    const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

    const list = await t.app.http.inject({ method: 'GET', url: '/api/v1/services', headers: bearer(read) });
    expect(list.statusCode).toBe(200);
    const create = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: bearer(read),
      payload: { name: 'read-only' },
    });
    expect(create.statusCode).toBe(403);
    expect(create.json().error.code).toBe('insufficient_scope');
    expect(create.json().error.message).toContain('write');

    const ingestRead = await t.app.http.inject({
      method: 'GET',
      url: '/api/v1/services',
      headers: bearer(ingest),
    });
    expect(ingestRead.statusCode).toBe(403);
    expect(ingestRead.json().error.message).toContain('read');

    const written = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: bearer(write),
      payload: { name: 'by-token' },
    });
    expect(written.statusCode).toBe(201);
    // A write token cannot read: scopes are not a ladder.
    const writeRead = await t.app.http.inject({
      method: 'GET',
      url: '/api/v1/teams',
      headers: bearer(write),
    });
    expect(writeRead.statusCode).toBe(403);
  });

  it('a token never gets more than its owner role allows', async () => {
    const viewerToken = await t.token('viewer', ['read', 'write']);
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: { authorization: `Bearer ${viewerToken}` },
      payload: { name: 'viewer-team' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });
});

describe('access control start-up check', () => {
  const auth = {} as AuthService;

  it('refuses an /api route that declares no access rule', async () => {
    const app = Fastify();
    installAccessControl(app, auth);
    expect(() => app.get('/api/v1/forgotten', async () => ({}))).toThrow(
      /GET \/api\/v1\/forgotten declares no access rule/,
    );
    await app.close();
  });

  it('records routes with their rules, and allows rule-less routes outside /api', async () => {
    const app = Fastify();
    const routes = installAccessControl(app, auth);
    app.get('/api/v1/thing', { config: { access: access.roles('admin') } }, async () => ({}));
    app.get('/elsewhere', async () => ({}));
    await app.ready();
    expect(routes).toContainEqual({ method: 'GET', url: '/api/v1/thing', access: { roles: ['admin'] } });
    expect(routes).toContainEqual({ method: 'HEAD', url: '/elsewhere', access: undefined });
    await app.close();
  });
});
