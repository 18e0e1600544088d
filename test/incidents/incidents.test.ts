import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.ts';
import { type Client, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';

const MIN = 60_000;

interface Event {
  kind: string;
  actorName: string;
  at: number;
  data: Record<string, unknown>;
}

describeEachEngine('incidents', (engine) => {
  let t: TestApp;
  let clock: FakeClock;
  let manager: Client;
  let responder: Client;
  let serviceId: string;
  let teamId: string;
  let policyId: string;
  let scheduleId: string;

  const req = async (c: Client, method: InjectOptions['method'], url: string, payload?: object) => {
    const res = await c.request({ method, url, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.body ? res.json() : null };
  };
  const ok = async (c: Client, method: InjectOptions['method'], url: string, payload?: object) => {
    const r = await req(c, method, url, payload);
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const timeline = async (id: string): Promise<Event[]> =>
    (await ok(manager, 'GET', `/api/v1/incidents/${id}/timeline`)).items;
  const kinds = async (id: string) => (await timeline(id)).map((e) => e.kind);
  const pages = async (id: string) =>
    (await timeline(id)).filter((e) => e.kind === 'notification').map((e) => e.data.userName);
  const runDue = () => t.app.worker.runDue();

  beforeAll(async () => {
    clock = new FakeClock(Date.UTC(2026, 2, 2, 1, 0)); // Monday 09:00 in Shanghai
    t = await startTestApp(engine, { clock });
    manager = await t.as('manager');
    responder = await t.as('responder');
    const team = await ok(manager, 'POST', '/api/v1/teams', { name: 'Payments' });
    teamId = team.id;
    await ok(manager, 'PUT', `/api/v1/teams/${teamId}/members/${responder.userId}`, {});
    serviceId = (
      await ok(manager, 'POST', '/api/v1/services', { name: 'payment-gateway', ownerTeamId: teamId })
    ).id;
    scheduleId = (
      await ok(manager, 'POST', '/api/v1/schedules', {
        name: 'Payments primary',
        timeZone: 'Asia/Shanghai',
        layers: [
          {
            name: 'weekly',
            rotation: 'weekly',
            handoffTime: '09:00',
            startDate: '2026-03-02',
            participants: [responder.userId, manager.userId],
          },
        ],
      })
    ).id;
    policyId = (
      await ok(manager, 'POST', '/api/v1/escalation-policies', {
        name: 'Payments',
        steps: [
          { targets: [{ type: 'schedule', id: scheduleId }], waitMinutes: 10 },
          { targets: [{ type: 'user', id: manager.userId }], waitMinutes: 10 },
        ],
        repeat: 1,
      })
    ).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('opens by API with a human number and the policy copied on; steps page on time; acknowledging stops them', async () => {
    const opened = clock.now();
    const inc = await ok(responder, 'POST', '/api/v1/incidents', {
      title: 'Checkout payments failing',
      severity: 'P2',
      serviceId,
      escalationPolicyId: policyId,
    });
    expect(inc).toMatchObject({
      ref: expect.stringMatching(/^INC-\d+$/),
      state: 'triggered',
      source: 'manual',
      teamId,
      teamName: 'Payments',
      serviceName: 'payment-gateway',
      ackDueAt: opened + 15 * MIN,
      resolveDueAt: opened + 240 * MIN,
      escalation: { policyName: 'Payments', repeat: 1 },
    });
    expect((await ok(manager, 'GET', `/api/v1/incidents/${inc.ref}`)).id).toBe(inc.id);

    // Editing the policy later does not change the escalation under way (it was copied at opening).
    await ok(manager, 'PATCH', `/api/v1/escalation-policies/${policyId}`, {
      steps: [{ targets: [{ type: 'team', id: teamId }], waitMinutes: 1 }],
    });

    await runDue();
    expect(await pages(inc.id)).toEqual(['Test responder']); // the schedule's on-call
    clock.advance(9 * MIN);
    await runDue();
    expect(await pages(inc.id)).toHaveLength(1);
    clock.advance(1 * MIN);
    await runDue();
    expect(await pages(inc.id)).toEqual(['Test responder', 'Test manager']);

    const acked = await ok(responder, 'POST', `/api/v1/incidents/${inc.id}/acknowledge`, {});
    expect(acked).toMatchObject({
      state: 'acknowledged',
      acknowledgedAt: clock.now(),
      assigneeId: responder.userId,
    });
    clock.advance(60 * MIN);
    await runDue();
    expect(await pages(inc.id)).toHaveLength(2);
    const events = await kinds(inc.id);
    expect(events).toEqual([
      'opened',
      'escalated',
      'notification',
      'escalated',
      'notification',
      'acknowledged',
    ]);
    const first = (await timeline(inc.id)).find((e) => e.kind === 'notification');
    expect(first?.data).toMatchObject({ userName: 'Test responder', step: 1, round: 1 });
    // …and after P2's re-trigger time (120 min) without resolution, it re-triggers and pages from the top.
    clock.advance(60 * MIN);
    await runDue();
    expect((await ok(manager, 'GET', `/api/v1/incidents/${inc.id}`)).state).toBe('triggered');
    expect((await kinds(inc.id)).slice(6)).toEqual(['re_triggered', 'escalated', 'notification']);
    await ok(responder, 'POST', `/api/v1/incidents/${inc.id}/resolve`, { note: 'rolled back' });
    await ok(manager, 'PATCH', `/api/v1/escalation-policies/${policyId}`, {
      steps: [
        { targets: [{ type: 'schedule', id: scheduleId }], waitMinutes: 10 },
        { targets: [{ type: 'user', id: manager.userId }], waitMinutes: 10 },
      ],
    });
  });

  it('a missed acknowledge deadline is recorded, shown and escalates; the resolve target too', async () => {
    const inc = await ok(manager, 'POST', '/api/v1/incidents', {
      title: 'Orders stuck',
      severity: 'P1',
      escalationPolicyId: policyId,
    });
    await runDue(); // step 1 at 0
    clock.advance(5 * MIN); // P1: acknowledge within 5 minutes
    await runDue();
    const after = await ok(manager, 'GET', `/api/v1/incidents/${inc.id}`);
    expect(after.ackBreachedAt).toBe(clock.now());
    const events = await timeline(inc.id);
    expect(events.map((e) => e.kind)).toEqual([
      'opened',
      'escalated',
      'notification',
      'sla_breached',
      'escalation_requested',
      'escalated',
      'notification',
    ]);
    expect(events[3]).toMatchObject({ actorName: 'sla', data: { target: 'acknowledge', severity: 'P1' } });
    // The step the breach pulled forward is not paged again when its original time comes.
    clock.advance(5 * MIN);
    await runDue();
    expect(await pages(inc.id)).toEqual(['Test responder', 'Test manager']);
    clock.advance(60 * MIN);
    await ok(manager, 'POST', `/api/v1/incidents/${inc.id}/acknowledge`, {});
    await runDue();
    const late = await ok(manager, 'GET', `/api/v1/incidents/${inc.id}`);
    expect(late.resolveBreachedAt).toBe(clock.now());
    expect(
      (await timeline(inc.id)).filter((e) => e.kind === 'sla_breached').map((e) => e.data.target),
    ).toEqual(['acknowledge', 'resolve']);
    await ok(manager, 'POST', `/api/v1/incidents/${inc.id}/resolve`, {});
  });

  it('P1/P2 cannot close without a completed review (409); with one, they close', async () => {
    const inc = await ok(manager, 'POST', '/api/v1/incidents', {
      title: 'Coupon service down',
      severity: 'P1',
    });
    expect((await req(manager, 'POST', `/api/v1/incidents/${inc.id}/close`, {})).status).toBe(409);
    await ok(manager, 'POST', `/api/v1/incidents/${inc.id}/resolve`, {});
    const refused = await req(manager, 'POST', `/api/v1/incidents/${inc.id}/close`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/P1: complete its post-incident review/);

    const incomplete = await req(manager, 'PUT', `/api/v1/incidents/${inc.id}/review`, {
      summary: 'Coupons failed for 12 minutes',
      completed: true,
    });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error.message).toMatch(/customerImpact, rootCause/);

    let review = await ok(manager, 'PUT', `/api/v1/incidents/${inc.id}/review`, {
      summary: 'Coupons failed for 12 minutes',
      customerImpact: '3% of orders paid full price',
      rootCause: 'connection pool exhausted after a config change',
      wentWell: 'fast rollback',
      completed: true,
    });
    expect(review).toMatchObject({ required: true, completedAt: clock.now() });
    review = await ok(manager, 'POST', `/api/v1/incidents/${inc.id}/review/action-items`, {
      title: 'Alert on pool saturation',
      ownerId: responder.userId,
      dueAt: clock.now() + 7 * 24 * 60 * MIN,
    });
    const item = review.actionItems[0];
    expect(item).toMatchObject({ state: 'open', ownerName: 'Test responder' });
    review = await ok(responder, 'PATCH', `/api/v1/incidents/${inc.id}/review/action-items/${item.id}`, {
      state: 'done',
    });
    expect(review.actionItems[0]).toMatchObject({ state: 'done', doneAt: clock.now() });

    const closed = await ok(manager, 'POST', `/api/v1/incidents/${inc.id}/close`, {});
    expect(closed).toMatchObject({ state: 'closed', closedAt: clock.now() });
    expect(await kinds(inc.id)).toEqual([
      'opened',
      'resolved',
      'review_completed',
      'action_item',
      'action_item',
      'closed',
    ]);
    // P3 closes without a review.
    const p3 = await ok(manager, 'POST', '/api/v1/incidents', { title: 'Typo on banner', severity: 'P3' });
    await ok(manager, 'POST', `/api/v1/incidents/${p3.id}/resolve`, {});
    expect((await ok(manager, 'POST', `/api/v1/incidents/${p3.id}/close`, {})).state).toBe('closed');
  });

  it('notes, severity change (new deadlines), assignment, commander and service, each on the timeline', async () => {
    const inc = await ok(manager, 'POST', '/api/v1/incidents', { title: 'Search slow', severity: 'P3' });
    await ok(responder, 'POST', `/api/v1/incidents/${inc.id}/notes`, { text: 'p99 at 2 s' });
    const raised = await ok(responder, 'PUT', `/api/v1/incidents/${inc.id}/severity`, { severity: 'P2' });
    expect(raised.ackDueAt).toBe(inc.createdAt + 15 * MIN);
    const assigned = await ok(manager, 'PUT', `/api/v1/incidents/${inc.id}/assignment`, {
      assigneeId: responder.userId,
      commanderId: manager.userId,
    });
    expect(assigned).toMatchObject({ assigneeName: 'Test responder', commanderName: 'Test manager' });
    await ok(manager, 'PUT', `/api/v1/incidents/${inc.id}/service`, { serviceId });
    const events = await timeline(inc.id);
    expect(events.map((e) => e.kind)).toEqual([
      'opened',
      'note',
      'severity_changed',
      'assigned',
      'commander_set',
      'service_changed',
    ]);
    expect(events[1]).toMatchObject({ actorName: 'test-responder', data: { text: 'p99 at 2 s' } });
    expect(events[2]?.data).toMatchObject({ from: 'P3', to: 'P2' });
    const list = await ok(
      manager,
      'GET',
      `/api/v1/incidents?severity=P2&state=triggered&serviceId=${serviceId}`,
    );
    expect(list.items.map((i: { id: string }) => i.id)).toContain(inc.id);
    expect((await ok(manager, 'GET', '/api/v1/incidents?severity=P1&state=triggered')).items).toEqual([]);
    await ok(manager, 'POST', `/api/v1/incidents/${inc.id}/resolve`, {});
  });

  it('alert intake: one incident per group, idempotent, merge moves alerts, all resolved resolves it', async () => {
    const intake = t.app.response.intake;
    const alert = (id: string, status: 'firing' | 'resolved') => ({
      alertId: id,
      fingerprint: `fp-${id}`,
      status,
      labels: { alertname: 'HighErrorRate', instance: id },
      annotations: {},
      startsAt: clock.now(),
      endsAt: status === 'resolved' ? clock.now() : null,
    });
    const signal = (key: string, alerts: ReturnType<typeof alert>[]) => ({
      groupKey: key,
      title: `HighErrorRate ${key}`,
      severity: 'P2' as const,
      serviceId,
      teamId: null,
      escalationPolicyId: null,
      alerts,
    });
    const a = await intake.onAlertGroup(signal('g1', [alert('a1', 'firing')]));
    expect(a.created).toBe(true);
    expect(await intake.onAlertGroup(signal('g1', [alert('a1', 'firing')]))).toEqual({
      incidentId: a.incidentId,
      created: false,
    });
    await intake.onAlertGroup(signal('g1', [alert('a2', 'firing')]));
    expect(await kinds(a.incidentId as string)).toEqual(['opened', 'alert_attached', 'alert_attached']);
    const inc = await ok(manager, 'GET', `/api/v1/incidents/${a.incidentId}`);
    expect(inc).toMatchObject({ source: 'alert', groupKey: 'g1', teamId });

    const b = await intake.onAlertGroup(signal('g2', [alert('b1', 'firing')]));
    expect(b.created).toBe(true);
    const merged = await ok(manager, 'POST', `/api/v1/incidents/${a.incidentId}/merge`, {
      childIds: [b.incidentId],
    });
    expect(merged.id).toBe(a.incidentId);
    const child = await ok(manager, 'GET', `/api/v1/incidents/${b.incidentId}`);
    expect(child).toMatchObject({ parentId: a.incidentId, state: 'resolved' });
    expect((await ok(manager, 'GET', `/api/v1/incidents/${a.incidentId}/alerts`)).items).toHaveLength(3);
    // The merged group's later changes go to the parent.
    expect((await intake.onAlertGroup(signal('g2', [alert('b1', 'resolved')]))).incidentId).toBe(
      a.incidentId,
    );

    await intake.onAlertGroup(signal('g1', [alert('a1', 'resolved'), alert('a2', 'resolved')]));
    const resolved = await ok(manager, 'GET', `/api/v1/incidents/${a.incidentId}`);
    expect(resolved).toMatchObject({ state: 'resolved', acknowledgedAt: null });
    const events = await timeline(a.incidentId as string);
    expect(events.at(-1)).toMatchObject({ kind: 'resolved', actorName: 'alerts', data: { auto: true } });
    // Only resolutions with nothing open never open an incident.
    expect(await intake.onAlertGroup(signal('g9', [alert('z', 'resolved')]))).toEqual({
      incidentId: null,
      created: false,
    });
    // A new firing alert after resolution opens a new incident for the group.
    const again = await intake.onAlertGroup(signal('g1', [alert('a3', 'firing')]));
    expect(again.created).toBe(true);
    expect(again.incidentId).not.toBe(a.incidentId);
    await ok(manager, 'POST', `/api/v1/incidents/${again.incidentId}/resolve`, {});
  });

  it('figures: MTTA, MTTR and acknowledge compliance per severity, service and team', async () => {
    clock.advance(MIN); // a period of its own
    const from = clock.now();
    const mk = async (severity: string, ackAfter: number, resolveAfter: number) => {
      const inc = await ok(manager, 'POST', '/api/v1/incidents', {
        title: `fig ${severity}`,
        severity,
        serviceId,
      });
      clock.advance(ackAfter * MIN);
      await ok(manager, 'POST', `/api/v1/incidents/${inc.id}/acknowledge`, {});
      clock.advance((resolveAfter - ackAfter) * MIN);
      await ok(manager, 'POST', `/api/v1/incidents/${inc.id}/resolve`, {});
    };
    await mk('P1', 2, 30); // within 5 min
    await mk('P1', 10, 40); // late
    await mk('P3', 20, 60); // within 30
    const q = `from=${from}&to=${clock.now() + 1}`;
    const all = await ok(manager, 'GET', `/api/v1/incident-figures?${q}&groupBy=severity`);
    expect(all.total).toMatchObject({
      incidents: 3,
      acknowledged: 3,
      resolved: 3,
      mttaMs: ((2 + 10 + 20) / 3) * MIN,
      mttrMs: ((30 + 40 + 60) / 3) * MIN,
      ackSlaDue: 3,
      ackSlaMet: 2,
    });
    expect(
      all.rows.map((r: { key: string; ackCompliance: number; mttaMs: number }) => [
        r.key,
        r.ackCompliance,
        r.mttaMs,
      ]),
    ).toEqual([
      ['P1', 0.5, 6 * MIN],
      ['P3', 1, 20 * MIN],
    ]);
    const byService = await ok(manager, 'GET', `/api/v1/incident-figures?${q}&groupBy=service`);
    expect(byService.rows).toEqual([
      expect.objectContaining({ key: serviceId, label: 'payment-gateway', incidents: 3 }),
    ]);
    const byTeam = await ok(manager, 'GET', `/api/v1/incident-figures?${q}&groupBy=team&severity=P3`);
    expect(byTeam.rows).toEqual([expect.objectContaining({ key: teamId, label: 'Payments', incidents: 1 })]);
  });

  it('response targets per severity are configurable and audited', async () => {
    const res = await ok(manager, 'PUT', '/api/v1/incident-severities/P3', {
      ackMinutes: 20,
      resolveMinutes: 600,
      retriggerMinutes: null,
    });
    expect(res).toMatchObject({ severity: 'P3', ackMinutes: 20 });
    const inc = await ok(manager, 'POST', '/api/v1/incidents', { title: 'new targets', severity: 'P3' });
    expect(inc.ackDueAt - inc.createdAt).toBe(20 * MIN);
    const audit = await ok(t.admin, 'GET', '/api/v1/audit?entityType=incident_severity');
    expect(audit.items[0]).toMatchObject({
      action: 'incident_severity.update',
      before: { ackMinutes: 30 },
      after: { ackMinutes: 20 },
    });
    await ok(manager, 'PUT', '/api/v1/incident-severities/P3', {
      ackMinutes: 30,
      resolveMinutes: 1440,
      retriggerMinutes: null,
    });
  });

  it('bad input gets a 4xx that says what was wrong, and writes nothing', async () => {
    const before = (await ok(manager, 'GET', '/api/v1/incidents?limit=200')).items.length;
    const cases: [string, string, object, RegExp, number][] = [
      ['POST', '/api/v1/incidents', { title: '' }, /title/, 400],
      ['POST', '/api/v1/incidents', { title: 'x', severity: 'P0' }, /severity/, 400],
      [
        'POST',
        '/api/v1/incidents',
        { title: 'x', serviceId: '0196a0a0-0000-7000-8000-000000000000' },
        /Service .* does not exist/,
        400,
      ],
      [
        'POST',
        '/api/v1/incidents',
        { title: 'x', escalationPolicyId: '0196a0a0-0000-7000-8000-000000000000' },
        /Escalation policy .* does not exist/,
        400,
      ],
      ['POST', '/api/v1/incidents', { title: 'x', colour: 'red' }, /colour/, 400],
    ];
    for (const [method, url, payload, message, status] of cases) {
      const r = await req(manager, method as InjectOptions['method'], url, payload);
      expect(r.status, JSON.stringify(payload)).toBe(status);
      expect(JSON.stringify(r.body.error), JSON.stringify(payload)).toMatch(message);
    }
    expect((await ok(manager, 'GET', '/api/v1/incidents?limit=200')).items.length).toBe(before);
    expect((await req(manager, 'GET', '/api/v1/incidents/INC-999999')).status).toBe(404);
    expect((await req(manager, 'GET', '/api/v1/incidents/not-an-id')).status).toBe(400);
    const viewer = await t.as('viewer');
    expect((await req(viewer, 'POST', '/api/v1/incidents', { title: 'x' })).status).toBe(403);
    const inc = await ok(manager, 'POST', '/api/v1/incidents', { title: 'state checks', severity: 'P3' });
    await ok(manager, 'POST', `/api/v1/incidents/${inc.id}/resolve`, {});
    const again = await req(manager, 'POST', `/api/v1/incidents/${inc.id}/acknowledge`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/is resolved; it cannot be acknowledged/);
    expect((await req(manager, 'POST', `/api/v1/incidents/${inc.id}/escalate`, {})).status).toBe(409);
    expect((await req(manager, 'POST', `/api/v1/incidents/${inc.id}/notes`, { text: ' ' })).status).toBe(400);
  });
});
