import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/database.ts';
import { type Client, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';

const TABLES = ['users', 'teams', 'teamMembers', 'services', 'apiTokens', 'auditLog'] as const;

describeEachEngine('bad input', (engine) => {
  let t: TestApp;
  let admin: Client;
  let database: Database;
  let teamId: string;
  let serviceId: string;

  beforeAll(async () => {
    t = await startTestApp(engine, { config: { bodyLimitBytes: 1024 } });
    admin = t.admin;
    database = t.testDb.open();
    teamId = (await admin.request({ method: 'POST', url: '/api/v1/teams', payload: { name: 'Base' } })).json()
      .id;
    serviceId = (
      await admin.request({
        method: 'POST',
        url: '/api/v1/services',
        payload: { name: 'base', ownerTeamId: teamId },
      })
    ).json().id;
  });
  afterAll(async () => {
    await database?.close();
    await t?.close();
  });

  async function counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of TABLES) {
      const r = await database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      out[table] = Number(r.n);
    }
    return out;
  }

  const json = (payload: string): Partial<InjectOptions> => ({
    payload,
    headers: { 'content-type': 'application/json' },
  });

  /** Each case: the request, the status it must get, and what its message must name. */
  const cases: [string, () => InjectOptions, number, RegExp][] = [
    [
      'malformed JSON',
      () => ({ method: 'POST', url: '/api/v1/teams', ...json('{"name":') }),
      400,
      /not valid JSON/,
    ],
    [
      'empty JSON body',
      () => ({ method: 'POST', url: '/api/v1/teams', ...json('') }),
      400,
      /cannot be empty/,
    ],
    ['no body at all', () => ({ method: 'POST', url: '/api/v1/teams' }), 400, /body: .*expected object/],
    [
      'a JSON array body',
      () => ({ method: 'POST', url: '/api/v1/teams', ...json('[]') }),
      400,
      /body: .*array/,
    ],
    [
      'a prototype-poisoning body',
      () => ({ method: 'POST', url: '/api/v1/teams', ...json('{"__proto__":{"admin":true},"name":"p"}') }),
      400,
      /JSON/,
    ],
    [
      'wrong type',
      () => ({ method: 'POST', url: '/api/v1/teams', payload: { name: 123 } }),
      400,
      /body\.name: .*string/,
    ],
    [
      'unknown field',
      () => ({ method: 'POST', url: '/api/v1/teams', payload: { name: 'x', colour: 'red' } }),
      400,
      /body: Unrecognized key: "colour"/,
    ],
    ['missing field', () => ({ method: 'POST', url: '/api/v1/services', payload: {} }), 400, /body\.name: /],
    [
      'empty name after trimming',
      () => ({ method: 'POST', url: '/api/v1/teams', payload: { name: '   ' } }),
      400,
      /body\.name: /,
    ],
    [
      'service name not a DNS label',
      () => ({ method: 'POST', url: '/api/v1/services', payload: { name: 'Web Shop' } }),
      400,
      /body\.name: must be 1-63 characters/,
    ],
    [
      'nested field',
      () => ({
        method: 'POST',
        url: '/api/v1/services',
        payload: { name: 'linked', links: [{ title: 'x', url: 'ftp://files.example.com' }] },
      }),
      400,
      /body\.links\.0\.url: /,
    ],
    [
      'tier out of range',
      () => ({ method: 'POST', url: '/api/v1/services', payload: { name: 'tiered', tier: 7 } }),
      400,
      /body\.tier: tier is 1 \(most critical\) to 3/,
    ],
    [
      'several fields at once',
      () => ({
        method: 'POST',
        url: '/api/v1/users',
        payload: { username: 'A B', displayName: 'x', role: 'god', password: 'short' },
      }),
      400,
      /body\.username: .*body\.role: .*body\.password: must be at least 8/,
    ],
    [
      'unknown token scope',
      () => ({ method: 'POST', url: '/api/v1/tokens', payload: { name: 'x', scopes: ['root'] } }),
      400,
      /body\.scopes\.0: /,
    ],
    [
      'no token scope',
      () => ({ method: 'POST', url: '/api/v1/tokens', payload: { name: 'x', scopes: [] } }),
      400,
      /body\.scopes: choose at least one scope/,
    ],
    [
      'a NUL character in a body string',
      () => ({ method: 'POST', url: '/api/v1/teams', payload: { name: 'nul\u0000byte' } }),
      400,
      /body\.name: must not contain the NUL character/,
    ],
    [
      'a NUL character deep in the body',
      () => ({ method: 'POST', url: '/api/v1/services', payload: { name: 'nul', tags: ['ok', 'a\u0000'] } }),
      400,
      /body\.tags\.1: must not contain the NUL/,
    ],
    [
      'a NUL character in a query parameter',
      () => ({ method: 'GET', url: '/api/v1/services?q=%00' }),
      400,
      /querystring\.q: must not contain the NUL/,
    ],
    [
      'a NUL character in a login',
      () => ({ method: 'POST', url: '/api/v1/session', payload: { username: 'ad\u0000min', password: 'x' } }),
      400,
      /body\.username: must not contain the NUL/,
    ],
    [
      'oversized body',
      () => ({ method: 'POST', url: '/api/v1/teams', payload: { name: 'x', description: 'y'.repeat(2000) } }),
      413,
      /too large \(the limit is 1024 bytes\)/,
    ],
    [
      'form-encoded body',
      () => ({
        method: 'POST',
        url: '/api/v1/teams',
        payload: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      /application\/x-www-form-urlencoded.*application\/json/,
    ],
    [
      'plain-text body',
      () => ({
        method: 'POST',
        url: '/api/v1/teams',
        payload: '{"name":"x"}',
        headers: { 'content-type': 'text/plain' },
      }),
      400,
      /body: .*expected object, received string/,
    ],
    [
      'bad UUID in the path',
      () => ({ method: 'GET', url: '/api/v1/teams/not-a-uuid' }),
      400,
      /params\.id: Invalid UUID/,
    ],
    [
      'bad UUIDs in a two-parameter path',
      () => ({ method: 'PUT', url: '/api/v1/teams/nope/members/12', payload: {} }),
      400,
      /params\.id: Invalid UUID; params\.userId: Invalid UUID/,
    ],
    [
      'bad UUID on a write',
      () => ({ method: 'PATCH', url: '/api/v1/services/123', payload: { tier: 1 } }),
      400,
      /params\.id: /,
    ],
    [
      'query number out of range',
      () => ({ method: 'GET', url: '/api/v1/services?tier=9' }),
      400,
      /querystring\.tier: /,
    ],
    [
      'query not a number',
      () => ({ method: 'GET', url: '/api/v1/services?tier=abc' }),
      400,
      /querystring\.tier: /,
    ],
    [
      'unknown query parameter',
      () => ({ method: 'GET', url: '/api/v1/services?colour=red' }),
      400,
      /querystring: Unrecognized key: "colour"/,
    ],
    [
      'repeated query parameter',
      () => ({ method: 'GET', url: '/api/v1/services?q=a&q=b' }),
      400,
      /querystring\.q: /,
    ],
    [
      'bad team filter',
      () => ({ method: 'GET', url: '/api/v1/services?teamId=x' }),
      400,
      /querystring\.teamId: /,
    ],
    [
      'bad audit cursor',
      () => ({ method: 'GET', url: '/api/v1/audit?before=xyz' }),
      400,
      /querystring\.before: /,
    ],
    [
      'bad audit limit',
      () => ({ method: 'GET', url: '/api/v1/audit?limit=501' }),
      400,
      /querystring\.limit: /,
    ],
    [
      'audit time beyond any date',
      () => ({ method: 'GET', url: '/api/v1/audit?from=99999999999999999999' }),
      400,
      /querystring\.from: /,
    ],
    ['bad tokens flag', () => ({ method: 'GET', url: '/api/v1/tokens?all=yes' }), 400, /querystring\.all: /],
  ];

  for (const [name, request, status, message] of cases) {
    it(`${name} → ${status}, saying what was wrong, and nothing written`, async () => {
      const before = await counts();
      const res = await admin.request(request());
      expect(res.statusCode, res.body).toBe(status);
      const body = res.json() as { error: { code: string; message: string } };
      expect(body.error.message).toMatch(message);
      expect(body.error.code).not.toBe('internal');
      expect(await counts()).toEqual(before);
    });
  }

  it('a failure after validation (unknown owner team on update) changes nothing', async () => {
    const before = await counts();
    const res = await admin.request({
      method: 'PATCH',
      url: `/api/v1/services/${serviceId}`,
      payload: { tier: 3, ownerTeamId: randomUUID() },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toMatch(/^Owner team /);
    expect(await counts()).toEqual(before);
    const svc = (await admin.request({ method: 'GET', url: `/api/v1/services/${serviceId}` })).json();
    expect(svc).toMatchObject({ tier: 2, ownerTeamId: teamId });
  });

  it('an unknown /api path is a 404 that names it', async () => {
    const res = await admin.request({ method: 'GET', url: '/api/v1/nothing-here?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('No route GET /api/v1/nothing-here');
  });
});
