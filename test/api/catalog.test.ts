import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/database.ts';
import { type Client, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';

interface Team {
  id: string;
  name: string;
  description: string;
  members: { userId: string; username: string; role: string }[];
  updatedAt: number;
}
interface Service {
  id: string;
  name: string;
  description: string;
  ownerTeamId: string | null;
  ownerTeamName: string | null;
  tier: number;
  tags: string[];
}
interface AuditItem {
  action: string;
  entityType: string;
  entityId: string;
  actorId: string | null;
  actorName: string;
  requestId: string | null;
  before: unknown;
  after: unknown;
}

describeEachEngine('catalog', (engine) => {
  let t: TestApp;
  let admin: Client;
  let manager: Client;
  let database: Database;

  beforeAll(async () => {
    t = await startTestApp(engine);
    admin = t.admin;
    manager = await t.as('manager');
    database = t.testDb.open();
  });
  afterAll(async () => {
    await database?.close();
    await t?.close();
  });

  const post = (url: string, payload: InjectOptions['payload'], c = manager) =>
    c.request({ method: 'POST', url, payload });
  const patch = (url: string, payload: InjectOptions['payload'], c = manager) =>
    c.request({ method: 'PATCH', url, payload });
  const get = (url: string, c = manager) => c.request({ method: 'GET', url });
  const del = (url: string, c = manager) => c.request({ method: 'DELETE', url });
  const auditOf = async (entityId: string): Promise<AuditItem[]> =>
    (await get(`/api/v1/audit?entityId=${entityId}`, admin)).json().items;
  const count = async (table: 'teams' | 'services' | 'auditLog' | 'teamMembers') =>
    Number(
      (
        await database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('teams: create, read, list, rename, delete — each change audited with before and after', async () => {
    const created = await post('/api/v1/teams', { name: '  Payments SRE  ', description: 'money' });
    expect(created.statusCode).toBe(201);
    const team = created.json() as Team;
    expect(team).toMatchObject({ name: 'Payments SRE', description: 'money', members: [] });

    expect((await get(`/api/v1/teams/${team.id}`)).json()).toEqual(team);
    expect((await get('/api/v1/teams')).json().items).toContainEqual(team);

    const renamed = await patch(`/api/v1/teams/${team.id}`, { name: 'Payments' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: team.id, name: 'Payments', description: 'money' });

    expect((await del(`/api/v1/teams/${team.id}`)).statusCode).toBe(204);
    expect((await get(`/api/v1/teams/${team.id}`)).statusCode).toBe(404);

    const audit = await auditOf(team.id);
    expect(audit.map((a) => a.action)).toEqual(['team.delete', 'team.update', 'team.create']);
    const [deleted, updated, createdEntry] = audit;
    expect(createdEntry).toMatchObject({ entityType: 'team', before: null, after: { name: 'Payments SRE' } });
    expect(updated).toMatchObject({ before: { name: 'Payments SRE' }, after: { name: 'Payments' } });
    expect(deleted).toMatchObject({ before: { name: 'Payments' }, after: null });
    expect(createdEntry?.actorId).toBe(manager.userId);
    expect(createdEntry?.actorName).toBe('test-manager');
    expect(createdEntry?.requestId).toEqual(expect.any(String));
  });

  it('teams: members are added, re-roled and removed, with the user checked', async () => {
    const team = (await post('/api/v1/teams', { name: 'Checkout' })).json() as Team;
    const responder = await t.as('responder');
    const url = `/api/v1/teams/${team.id}/members/${responder.userId}`;

    const added = await manager.request({ method: 'PUT', url, payload: {} });
    expect(added.statusCode).toBe(200);
    expect(added.json().members).toEqual([
      { userId: responder.userId, username: 'test-responder', displayName: 'Test responder', role: 'member' },
    ]);
    const lead = await manager.request({ method: 'PUT', url, payload: { role: 'lead' } });
    expect(lead.json().members).toHaveLength(1);
    expect(lead.json().members[0].role).toBe('lead');
    expect(
      (await get('/api/v1/teams')).json().items.find((x: Team) => x.id === team.id).members,
    ).toHaveLength(1);

    const unknownUser = await manager.request({
      method: 'PUT',
      url: `/api/v1/teams/${team.id}/members/${randomUUID()}`,
      payload: {},
    });
    expect(unknownUser.statusCode).toBe(404);
    expect(unknownUser.json().error.message).toMatch(/^User /);
    const unknownTeam = await manager.request({
      method: 'PUT',
      url: `/api/v1/teams/${randomUUID()}/members/${responder.userId}`,
      payload: {},
    });
    expect(unknownTeam.statusCode).toBe(404);
    expect(unknownTeam.json().error.message).toMatch(/^Team /);

    const removed = await del(url);
    expect(removed.statusCode).toBe(200);
    expect(removed.json().members).toEqual([]);
    expect((await del(url)).statusCode).toBe(404);

    const actions = (await auditOf(team.id)).map((a) => a.action);
    expect(actions).toEqual(['team.member_remove', 'team.member_set', 'team.member_set', 'team.create']);
    const [remove] = await auditOf(team.id);
    expect(remove?.before).toMatchObject({ members: [{ userId: responder.userId, role: 'lead' }] });
    expect(remove?.after).toMatchObject({ members: [] });
  });

  it('services: create, read, update, delete — each change audited with before and after', async () => {
    const team = (await post('/api/v1/teams', { name: 'Storefront' })).json() as Team;
    const created = await post('/api/v1/services', {
      name: 'web-shop',
      ownerTeamId: team.id,
      tier: 1,
      tags: ['frontend'],
      links: [{ title: 'Runbook', url: 'https://wiki.example.com/web-shop' }],
    });
    expect(created.statusCode).toBe(201);
    const svc = created.json() as Service;
    expect(svc).toMatchObject({
      name: 'web-shop',
      description: '',
      ownerTeamId: team.id,
      ownerTeamName: 'Storefront',
      tier: 1,
      tags: ['frontend'],
    });
    expect((await get(`/api/v1/services/${svc.id}`)).json()).toEqual(svc);

    const updated = await patch(`/api/v1/services/${svc.id}`, { tier: 2, ownerTeamId: null, tags: [] });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ tier: 2, ownerTeamId: null, ownerTeamName: null, tags: [] });
    // Fields left out of a patch keep their values.
    expect(updated.json().links).toEqual([{ title: 'Runbook', url: 'https://wiki.example.com/web-shop' }]);

    expect((await del(`/api/v1/services/${svc.id}`)).statusCode).toBe(204);
    expect((await get(`/api/v1/services/${svc.id}`)).statusCode).toBe(404);

    const audit = await auditOf(svc.id);
    expect(audit.map((a) => a.action)).toEqual(['service.delete', 'service.update', 'service.create']);
    expect(audit[2]).toMatchObject({ before: null, after: { name: 'web-shop', tier: 1 } });
    expect(audit[1]).toMatchObject({ before: { tier: 1, tags: ['frontend'] }, after: { tier: 2, tags: [] } });
    expect(audit[0]).toMatchObject({ before: { name: 'web-shop', tier: 2 }, after: null });
  });

  it('a renamed team shows under its new name on the services it owns', async () => {
    const team = (await post('/api/v1/teams', { name: 'Search' })).json() as Team;
    const svc = (
      await post('/api/v1/services', { name: 'search-api', ownerTeamId: team.id })
    ).json() as Service;
    await patch(`/api/v1/teams/${team.id}`, { name: 'Search & Discovery' });
    expect((await get(`/api/v1/services/${svc.id}`)).json().ownerTeamName).toBe('Search & Discovery');
  });

  it('404 for every unknown team or service, and for an unknown owner team', async () => {
    const id = randomUUID();
    for (const [method, url, payload] of [
      ['GET', `/api/v1/teams/${id}`, undefined],
      ['PATCH', `/api/v1/teams/${id}`, { name: 'x' }],
      ['DELETE', `/api/v1/teams/${id}`, undefined],
      ['DELETE', `/api/v1/teams/${id}/members/${randomUUID()}`, undefined],
      ['GET', `/api/v1/services/${id}`, undefined],
      ['PATCH', `/api/v1/services/${id}`, { tier: 3 }],
      ['DELETE', `/api/v1/services/${id}`, undefined],
    ] as const) {
      const res = await manager.request({ method, url, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.message, `${method} ${url}`).toContain(id);
    }
    const before = await count('services');
    const orphan = await post('/api/v1/services', { name: 'orphan', ownerTeamId: id });
    expect(orphan.statusCode).toBe(404);
    expect(orphan.json().error.message).toBe(`Owner team ${id} does not exist`);
    expect(await count('services')).toBe(before);
  });

  it('duplicate names are a 409, on create and on rename, and nothing is written', async () => {
    await post('/api/v1/teams', { name: 'Dup team' });
    const other = (await post('/api/v1/teams', { name: 'Other team' })).json() as Team;
    await post('/api/v1/services', { name: 'dup-svc' });
    const otherSvc = (await post('/api/v1/services', { name: 'other-svc' })).json() as Service;
    const audits = await count('auditLog');

    for (const res of [
      await post('/api/v1/teams', { name: 'Dup team' }),
      await post('/api/v1/teams', { name: ' Dup team ' }),
      await patch(`/api/v1/teams/${other.id}`, { name: 'Dup team' }),
      await post('/api/v1/services', { name: 'dup-svc' }),
      await patch(`/api/v1/services/${otherSvc.id}`, { name: 'dup-svc' }),
    ]) {
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().error.code).toBe('conflict');
      // On both engines the reply names the clashing field, so the console can mark that input.
      expect(res.json().error.details.fields).toEqual(['name']);
      expect(res.json().error.message).toBe('A record with the same name already exists');
    }
    expect(await count('auditLog')).toBe(audits);
    expect((await get(`/api/v1/teams/${other.id}`)).json().name).toBe('Other team');
    expect((await get(`/api/v1/services/${otherSvc.id}`)).json().name).toBe('other-svc');
  });

  it('a team that owns services cannot be deleted (409), and nothing changes', async () => {
    const team = (await post('/api/v1/teams', { name: 'Owners' })).json() as Team;
    await manager.request({
      method: 'PUT',
      url: `/api/v1/teams/${team.id}/members/${manager.userId}`,
      payload: { role: 'lead' },
    });
    const svc = (
      await post('/api/v1/services', { name: 'owned-svc', ownerTeamId: team.id })
    ).json() as Service;
    const [teams, services, members, audits] = await Promise.all([
      count('teams'),
      count('services'),
      count('teamMembers'),
      count('auditLog'),
    ]);

    const res = await del(`/api/v1/teams/${team.id}`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toContain('1 service');
    expect(await count('teams')).toBe(teams);
    expect(await count('services')).toBe(services);
    expect(await count('teamMembers')).toBe(members);
    expect(await count('auditLog')).toBe(audits);
    expect((await get(`/api/v1/services/${svc.id}`)).json().ownerTeamId).toBe(team.id);

    // Moved away, the team can go; its memberships go with it.
    await patch(`/api/v1/services/${svc.id}`, { ownerTeamId: null });
    expect((await del(`/api/v1/teams/${team.id}`)).statusCode).toBe(204);
    expect(await count('teamMembers')).toBe(members - 1);
  });

  it('filters services by text, team, tier and tag; % and _ in the text are literal', async () => {
    const a = (await post('/api/v1/teams', { name: 'Filter A' })).json() as Team;
    const b = (await post('/api/v1/teams', { name: 'Filter B' })).json() as Team;
    const mk = async (name: string, extra: Record<string, unknown>) =>
      expect((await post('/api/v1/services', { name, ...extra })).statusCode).toBe(201);
    await mk('f-pay', {
      description: 'Takes 100% of payments',
      ownerTeamId: a.id,
      tier: 1,
      tags: ['payments', 'pci'],
    });
    await mk('f-cart', { description: 'Cart at 100 items', ownerTeamId: a.id, tier: 2, tags: ['checkout'] });
    await mk('f-snake', {
      description: 'uses snake_case keys',
      ownerTeamId: b.id,
      tier: 3,
      tags: ['Legacy'],
    });
    await mk('f-plain', { description: 'uses snakeXcase keys', ownerTeamId: b.id, tier: 3, tags: ['pay'] });
    await mk('f-slash', { description: 'path a\\b', tags: ['a"b'] });

    const names = async (query: string) =>
      ((await get(`/api/v1/services?${query}`)).json().items as Service[])
        .map((s) => s.name)
        .filter((n) => n.startsWith('f-'));

    expect(await names('q=F-PA')).toEqual(['f-pay']);
    expect(await names('q=100')).toEqual(['f-cart', 'f-pay']);
    expect(await names(`q=${encodeURIComponent('100%')}`)).toEqual(['f-pay']);
    expect(await names(`q=${encodeURIComponent('%')}`)).toEqual(['f-pay']);
    expect(await names('q=snake_case')).toEqual(['f-snake']);
    expect(await names('q=_')).toEqual(['f-snake']);
    expect(await names(`q=${encodeURIComponent('a\\b')}`)).toEqual(['f-slash']);
    expect(await names('q=nothing-like-this')).toEqual([]);

    expect(await names(`teamId=${a.id}`)).toEqual(['f-cart', 'f-pay']);
    expect(await names(`teamId=${randomUUID()}`)).toEqual([]);
    expect(await names('tier=3')).toEqual(['f-plain', 'f-snake']);
    expect(await names(`tier=3&teamId=${b.id}&q=snake_`)).toEqual(['f-snake']);

    // A tag matches a whole tag, not part of one, the same on both engines.
    expect(await names('tag=pay')).toEqual(['f-plain']);
    expect(await names('tag=payments')).toEqual(['f-pay']);
    expect(await names('tag=pci&tier=1')).toEqual(['f-pay']);
    expect(await names(`tag=${encodeURIComponent('a"b')}`)).toEqual(['f-slash']);
    expect(await names('tag=legacy')).toEqual(['f-snake']);
    expect(await names('tag=LEGACY')).toEqual(['f-snake']);
    expect(await names(`tag=${encodeURIComponent('%')}`)).toEqual([]);
  });

  it('no password hash, password or token secret ever lands in the audit log', async () => {
    const res = await admin.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'audited', displayName: 'Audited', role: 'viewer', password: 'secret-password-9' },
    });
    expect(res.statusCode).toBe(201);
    const id = res.json().id as string;
    await admin.request({
      method: 'POST',
      url: `/api/v1/users/${id}/password`,
      payload: { newPassword: 'other-secret-9' },
    });
    await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${id}`,
      payload: { displayName: 'Audited 2' },
    });
    const user = await t.login('audited', 'other-secret-9');
    await user.request({
      method: 'POST',
      url: '/api/v1/me/password',
      payload: { currentPassword: 'other-secret-9', newPassword: 'third-secret-9' },
    });
    const tok = await user.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 't', scopes: ['read'] },
    });
    const secret = tok.json().secret as string;
    await user.request({ method: 'DELETE', url: `/api/v1/tokens/${tok.json().token.id}` });

    const rows = await database.db.selectFrom('auditLog').selectAll().execute();
    const text = JSON.stringify(rows);
    for (const needle of [
      'secret-password-9',
      'other-secret-9',
      'third-secret-9',
      secret,
      '$argon2',
      'passwordHash',
      'tokenHash',
      'csrfToken',
    ]) {
      expect(text).not.toContain(needle);
    }
    const actions = rows.filter((r) => r.entityId === id).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(['user.create', 'user.password_reset', 'user.update', 'user.password_change']),
    );
    expect(
      rows
        .filter((r) => r.entityType === 'api_token')
        .map((r) => r.action)
        .sort(),
    ).toEqual(expect.arrayContaining(['token.create', 'token.revoke']));
  });

  it('responders, agents and viewers read the catalog but cannot change it', async () => {
    for (const role of ['responder', 'agent', 'viewer'] as const) {
      const c = await t.as(role);
      expect((await get('/api/v1/services', c)).statusCode).toBe(200);
      expect((await post('/api/v1/teams', { name: `by-${role}` }, c)).statusCode).toBe(403);
      expect((await post('/api/v1/services', { name: `by-${role}` }, c)).statusCode).toBe(403);
    }
  });
});
