import type { InjectOptions } from 'fastify';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.ts';
import { type Client, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';

const ZONE = 'Asia/Shanghai';
const at = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();

describeEachEngine('on-call schedules and escalation policies', (engine) => {
  let t: TestApp;
  let manager: Client;
  let responder: Client;
  let viewer: Client;
  const clock = new FakeClock(at('2026-03-04T12:00'));

  const req = async (c: Client, method: InjectOptions['method'], url: string, payload?: object) => {
    const res = await c.request({ method, url, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.body, json: () => res.json(), headers: res.headers };
  };
  const ok = async (c: Client, method: InjectOptions['method'], url: string, payload?: object) => {
    const r = await req(c, method, url, payload);
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${r.body}`);
    return r.status === 204 ? null : r.json();
  };

  beforeAll(async () => {
    t = await startTestApp(engine, { clock });
    manager = await t.as('manager');
    responder = await t.as('responder');
    viewer = await t.as('viewer');
  });
  afterAll(async () => {
    await t?.close();
  });

  const layer = () => ({
    name: 'primary',
    rotation: 'daily',
    handoffTime: '09:00',
    startDate: '2026-03-01',
    participants: [responder.userId, manager.userId],
  });

  it('schedules: create, who is on call now and at T, shifts with gaps, overrides and swaps, iCal, audit', async () => {
    const s = await ok(manager, 'POST', '/api/v1/schedules', {
      name: 'Shop SRE',
      timeZone: ZONE,
      layers: [{ ...layer(), restrictions: [{ from: '08:00', to: '22:00' }] }],
    });
    expect(s).toMatchObject({ name: 'Shop SRE', timeZone: ZONE, layers: [{ handoffTime: '09:00' }] });

    // 1 March: responder; 4 March (day 3 of the rotation): manager.
    const now = await ok(viewer, 'GET', `/api/v1/schedules/${s.id}/oncall`);
    expect(now.shift).toMatchObject({ userId: manager.userId, userName: 'Test manager' });
    const night = await ok(viewer, 'GET', `/api/v1/schedules/${s.id}/oncall?at=${at('2026-03-04T23:00')}`);
    expect(night.shift).toBeNull();
    const all = await ok(viewer, 'GET', '/api/v1/oncall');
    expect(all.items).toEqual([
      expect.objectContaining({
        scheduleId: s.id,
        shift: expect.objectContaining({ userId: manager.userId }),
      }),
    ]);

    const range = `from=${at('2026-03-04T00:00')}&to=${at('2026-03-05T00:00')}`;
    const shifts = await ok(viewer, 'GET', `/api/v1/schedules/${s.id}/shifts?${range}`);
    expect(shifts.gaps).toEqual([
      { start: at('2026-03-04T00:00'), end: at('2026-03-04T08:00') },
      { start: at('2026-03-04T22:00'), end: at('2026-03-05T00:00') },
    ]);
    expect(
      shifts.shifts
        .filter((x: { userId: string | null }) => x.userId)
        .map((x: { userName: string }) => x.userName),
    ).toEqual(['Test responder', 'Test manager']);

    // An override (responder covers 13:00–14:00), then a swap (viewer-less: admin covers manager's shifts).
    const o = await ok(responder, 'POST', `/api/v1/schedules/${s.id}/overrides`, {
      userId: responder.userId,
      startsAt: at('2026-03-04T13:00'),
      endsAt: at('2026-03-04T14:00'),
      note: 'dentist swap',
    });
    await ok(manager, 'POST', `/api/v1/schedules/${s.id}/overrides`, {
      userId: t.admin.userId,
      replacesUserId: manager.userId,
      startsAt: at('2026-03-04T15:00'),
      endsAt: at('2026-03-05T15:00'),
    });
    const covered = await ok(viewer, 'GET', `/api/v1/schedules/${s.id}/shifts?${range}`);
    expect(
      covered.shifts
        .filter((x: { userId: string | null }) => x.userId)
        .map((x: { start: number; userId: string; source: { kind: string } }) => [
          DateTime.fromMillis(x.start, { zone: ZONE }).toFormat('HH:mm'),
          x.userId,
          x.source.kind,
        ]),
    ).toEqual([
      ['08:00', responder.userId, 'layer'],
      ['09:00', manager.userId, 'layer'],
      ['13:00', responder.userId, 'override'],
      ['14:00', manager.userId, 'layer'],
      ['15:00', t.admin.userId, 'swap'],
    ]);
    expect(
      (await ok(viewer, 'GET', `/api/v1/schedules/${s.id}/oncall?at=${at('2026-03-04T13:30')}`)).shift.userId,
    ).toBe(responder.userId);

    const ics = await req(viewer, 'GET', `/api/v1/schedules/${s.id}/calendar.ics?days=2`);
    expect(ics.status).toBe(200);
    expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
    expect(ics.body).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(ics.body).toContain('SUMMARY:On call: Test manager (Shop SRE)');
    expect(ics.body).toMatch(/DTSTART:20260304T010000Z/); // 09:00 in Shanghai

    await ok(manager, 'DELETE', `/api/v1/schedules/${s.id}/overrides/${o.id}`);
    const audit = await ok(t.admin, 'GET', `/api/v1/audit?entityId=${s.id}`);
    expect(audit.items.map((a: { action: string }) => a.action)).toEqual([
      'schedule.override_remove',
      'schedule.override_add',
      'schedule.override_add',
      'schedule.create',
    ]);
  });

  it('escalation policies: create, update and delete, audited; a schedule in use cannot be deleted', async () => {
    const s = await ok(manager, 'POST', '/api/v1/schedules', {
      name: 'Backup',
      timeZone: 'Europe/Berlin',
      layers: [layer()],
    });
    const team = await ok(manager, 'POST', '/api/v1/teams', { name: 'DBA' });
    const p = await ok(manager, 'POST', '/api/v1/escalation-policies', {
      name: 'Database',
      steps: [
        { targets: [{ type: 'schedule', id: s.id }], waitMinutes: 5 },
        {
          targets: [
            { type: 'team', id: team.id },
            { type: 'user', id: manager.userId },
          ],
          waitMinutes: 15,
        },
      ],
      repeat: 2,
    });
    expect(p).toMatchObject({
      name: 'Database',
      repeat: 2,
      steps: [{ waitMinutes: 5 }, { waitMinutes: 15 }],
    });
    const updated = await ok(manager, 'PATCH', `/api/v1/escalation-policies/${p.id}`, { repeat: 0 });
    expect(updated.repeat).toBe(0);
    const inUse = await req(manager, 'DELETE', `/api/v1/schedules/${s.id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.json().error.message).toMatch(/used by 1 escalation policy/);
    await ok(manager, 'DELETE', `/api/v1/escalation-policies/${p.id}`);
    await ok(manager, 'DELETE', `/api/v1/schedules/${s.id}`);
    const audit = await ok(t.admin, 'GET', `/api/v1/audit?entityId=${p.id}`);
    expect(audit.items.map((a: { action: string }) => a.action)).toEqual([
      'escalation_policy.delete',
      'escalation_policy.update',
      'escalation_policy.create',
    ]);
  });

  it('bad input gets a 4xx that says what was wrong, and writes nothing', async () => {
    const before = (await ok(manager, 'GET', '/api/v1/schedules')).items.length;
    const bad: [object, RegExp][] = [
      [{ name: 'x', timeZone: 'Mars/Olympus', layers: [] }, /not a known IANA time zone/],
      [{ name: 'x', timeZone: ZONE, layers: [{ ...layer(), participants: [] }] }, /at least one participant/],
      [{ name: 'x', timeZone: ZONE, layers: [{ ...layer(), handoffTime: '25:00' }] }, /HH:mm/],
      [
        { name: 'x', timeZone: ZONE, layers: [{ ...layer(), rotation: 'custom' }] },
        /custom rotation needs shiftHours/,
      ],
      [{ name: 'x', timeZone: ZONE, layers: [{ ...layer(), startDate: '2026-02-30' }] }, /YYYY-MM-DD/],
      [
        {
          name: 'x',
          timeZone: ZONE,
          layers: [{ ...layer(), participants: ['0196a0a0-0000-7000-8000-000000000000'] }],
        },
        /layer 1 \(primary\): unknown or disabled user/,
      ],
    ];
    for (const [payload, message] of bad) {
      const r = await req(manager, 'POST', '/api/v1/schedules', payload);
      expect(r.status, JSON.stringify(payload)).toBe(400);
      expect(r.body).toMatch(message);
    }
    expect((await ok(manager, 'GET', '/api/v1/schedules')).items.length).toBe(before);

    const policyBad: [object, RegExp][] = [
      [{ name: 'p', steps: [] }, /at least one step/],
      [{ name: 'p', steps: [{ targets: [], waitMinutes: 5 }] }, /at least one target/],
      [
        {
          name: 'p',
          steps: [
            { targets: [{ type: 'schedule', id: '0196a0a0-0000-7000-8000-000000000000' }], waitMinutes: 5 },
          ],
        },
        /step 1: schedule .* does not exist/,
      ],
      [
        {
          name: 'p',
          steps: [
            { targets: [{ type: 'robot', id: '0196a0a0-0000-7000-8000-000000000000' }], waitMinutes: 5 },
          ],
        },
        /type/,
      ],
    ];
    for (const [payload, message] of policyBad) {
      const r = await req(manager, 'POST', '/api/v1/escalation-policies', payload);
      expect(r.status, JSON.stringify(payload)).toBe(400);
      expect(r.body).toMatch(message);
    }
    const s = (await ok(manager, 'POST', '/api/v1/schedules', { name: 'Ranges', timeZone: ZONE })).id;
    expect((await req(viewer, 'GET', `/api/v1/schedules/${s}/shifts?from=10&to=5`)).body).toMatch(
      /to must be after from/,
    );
    expect(
      (await req(viewer, 'GET', `/api/v1/schedules/${s}/shifts?from=0&to=${400 * 86_400_000}`)).body,
    ).toMatch(/at most 92 days/);
    const swapSelf = await req(manager, 'POST', `/api/v1/schedules/${s}/overrides`, {
      userId: manager.userId,
      replacesUserId: manager.userId,
      startsAt: 1,
      endsAt: 2,
    });
    expect(swapSelf.body).toMatch(/cannot swap with themselves/);
    expect(
      (
        await req(manager, 'POST', `/api/v1/schedules/${s}/overrides`, {
          userId: manager.userId,
          startsAt: 5,
          endsAt: 5,
        })
      ).body,
    ).toMatch(/endsAt must be after startsAt/);
    expect((await req(viewer, 'POST', '/api/v1/schedules', { name: 'v', timeZone: ZONE })).status).toBe(403);
  });
});
