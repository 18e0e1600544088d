import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { type Client, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';

interface Entry {
  id: string;
  at: number;
  actorId: string | null;
  actorName: string;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
}
interface Page {
  items: Entry[];
  nextBefore: string | null;
}

const MINUTE = 60_000;

describeEachEngine('audit log', (engine) => {
  let t: TestApp;
  let clock: FakeClock;
  let database: Database;
  let manager: Client;
  let start: number;
  const teamIds: string[] = [];
  let serviceId: string;

  beforeAll(async () => {
    clock = new FakeClock();
    t = await startTestApp(engine, { clock });
    database = t.testDb.open();
    manager = await t.as('manager');
    start = clock.now();
    // Ten teams by the administrator, one a minute, then a service by the manager.
    for (let i = 0; i < 10; i++) {
      clock.advance(MINUTE);
      const res = await t.admin.request({
        method: 'POST',
        url: '/api/v1/teams',
        payload: { name: `team-${i}` },
      });
      teamIds.push(res.json().id);
    }
    clock.advance(MINUTE);
    serviceId = (
      await manager.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'svc' } })
    ).json().id;
    clock.advance(MINUTE);
    await manager.request({ method: 'PATCH', url: `/api/v1/services/${serviceId}`, payload: { tier: 1 } });
  });
  afterAll(async () => {
    await database?.close();
    await t?.close();
  });

  const query = async (qs: string, c: Client = t.admin): Promise<Page> => {
    const res = await c.request({ method: 'GET', url: `/api/v1/audit?${qs}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Page;
  };

  it('lists newest first, with who, what, when, before and after', async () => {
    const { items } = await query('');
    const [last, previous] = items;
    expect(last).toMatchObject({
      action: 'service.update',
      entityType: 'service',
      entityId: serviceId,
      actorId: manager.userId,
      actorName: 'test-manager',
      at: clock.now(),
      before: { tier: 2 },
      after: { tier: 1 },
    });
    expect(previous).toMatchObject({ action: 'service.create', before: null, after: { name: 'svc' } });
    const ids = items.map((x) => x.id);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it('filters by actor, entity type, entity id and action', async () => {
    const byManager = await query(`actorId=${manager.userId}`);
    expect(byManager.items.map((x) => x.action)).toEqual(['service.update', 'service.create']);

    const teams = await query('entityType=team');
    expect(teams.items).toHaveLength(10);
    expect(teams.items.every((x) => x.entityType === 'team' && x.actorId === t.admin.userId)).toBe(true);

    const one = await query(`entityId=${teamIds[3]}`);
    expect(one.items.map((x) => x.after)).toEqual([expect.objectContaining({ name: 'team-3' })]);

    const creates = await query(`action=service.create&entityId=${serviceId}`);
    expect(creates.items).toHaveLength(1);
    expect((await query(`entityType=service&actorId=${t.admin.userId}`)).items).toEqual([]);
  });

  it('filters by time range: from inclusive, to exclusive', async () => {
    // Team i was created at start + (i + 1) minutes.
    const from = start + 3 * MINUTE;
    const to = start + 6 * MINUTE;
    const range = await query(`entityType=team&from=${from}&to=${to}`);
    expect(range.items.map((x) => (x.after as { name: string }).name)).toEqual([
      'team-4',
      'team-3',
      'team-2',
    ]);
    expect(range.items.every((x) => x.at >= from && x.at < to)).toBe(true);
    expect((await query(`from=${clock.now() + 1}`)).items).toEqual([]);
    expect((await query(`to=${start}`)).items.filter((x) => x.entityType === 'team')).toEqual([]);
  });

  it('pages with the keyset cursor: every entry once, in order, and the last page says so', async () => {
    const all = (await query('limit=500')).items;
    expect(all.length).toBeGreaterThan(12);
    const seen: Entry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await query(`limit=5${cursor ? `&before=${cursor}` : ''}`);
      seen.push(...page.items);
      if (page.nextBefore) expect(page.nextBefore).toBe(page.items.at(-1)?.id);
      cursor = page.nextBefore;
      pages++;
    } while (cursor && pages < 100);
    expect(seen.map((x) => x.id)).toEqual(all.map((x) => x.id));

    // The cursor combines with filters; a short page ends the walk.
    const first = await query('entityType=team&limit=4');
    const second = await query(`entityType=team&limit=4&before=${first.nextBefore}`);
    const third = await query(`entityType=team&limit=4&before=${second.nextBefore}`);
    expect(third.items).toHaveLength(2);
    expect(third.nextBefore).toBeNull();
    expect([...first.items, ...second.items, ...third.items].map((x) => x.entityId)).toEqual(
      [...teamIds].reverse(),
    );
  });

  it('writes in the same transaction as the change: nothing for a change that failed', async () => {
    const before = (await query('limit=500')).items.length;
    const dup = await t.admin.request({ method: 'POST', url: '/api/v1/teams', payload: { name: 'team-0' } });
    expect(dup.statusCode).toBe(409);
    expect((await query('limit=500')).items.length).toBe(before);
  });

  it('is append-only in the database itself: UPDATE and DELETE fail on both engines', async () => {
    const { db } = database;
    const row = await db.selectFrom('auditLog').selectAll().orderBy('id').limit(1).executeTakeFirstOrThrow();
    await expect(
      db.updateTable('auditLog').set({ actorName: 'mallory' }).where('id', '=', row.id).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('auditLog').where('id', '=', row.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('auditLog').execute()).rejects.toThrow(/append-only/);
    if (engine === 'postgres') {
      await expect(sql`TRUNCATE audit_log`.execute(db)).rejects.toThrow(/append-only/);
    }
    const after = await db
      .selectFrom('auditLog')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(row);
    // Adding still works.
    const res = await t.admin.request({
      method: 'POST',
      url: '/api/v1/teams',
      payload: { name: 'after-attempts' },
    });
    expect(res.statusCode).toBe(201);
  });
});
