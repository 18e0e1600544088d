import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines.ts';
import { firing, resolved, SOURCE, startHarness } from './harness.ts';

type Harness = Awaited<ReturnType<typeof startHarness>>;
const S = 1000;

describeEachEngine('alerts stage: dedupe, grouping, noise control', (engine) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(engine);
  });
  afterEach(async () => {
    await h.close();
  });
  const receive = (...alerts: Parameters<Harness['pipeline']['receiveAlerts']>[1]) =>
    h.pipeline.receiveAlerts(SOURCE, alerts);
  const list = async () => (await h.pipeline.alerts.list({ limit: 100 })).items;

  it('dedupes by fingerprint: the same alert again updates it; after resolution a refire is a new alert', async () => {
    expect(await receive(firing({ alertname: 'A', pod: '1' }))).toMatchObject({ created: 1 });
    h.clock.advance(5 * S);
    expect(await receive(firing({ pod: '1', alertname: 'A' }))).toMatchObject({ created: 0, updated: 1 });
    let [a] = await list();
    expect(a).toMatchObject({ status: 'firing', receiveCount: 2, lastSeenAt: h.clock.now() });
    expect(await receive(resolved({ alertname: 'A', pod: '1' }))).toMatchObject({ resolved: 1 });
    expect(await receive(resolved({ alertname: 'A', pod: '1' }))).toMatchObject({ resolved: 0, ignored: 1 });
    await receive(firing({ alertname: 'A', pod: '1' }));
    const all = await list();
    expect(all.map((x) => x.status)).toEqual(['firing', 'resolved']);
    [a] = all;
    const detail = await h.pipeline.alerts.get(all[1]?.id ?? '');
    expect(detail.history.map((e) => e.kind)).toEqual(['fired', 'routed', 'resolved']);
  });

  it('group_wait collects alerts into one hand-over; group_interval paces the next ones', async () => {
    await receive(firing({ alertname: 'HighLatency', pod: 'a', severity: 'warning' }));
    h.clock.advance(10 * S);
    await receive(
      firing({ alertname: 'HighLatency', pod: 'b', severity: 'critical' }),
      firing({ alertname: 'Other' }),
    );
    expect(await h.tick(19 * S)).toBe(0); // 29 s after the first alert: still waiting
    expect(h.intake.signals).toHaveLength(0);
    await h.tick(1 * S);
    expect(h.intake.signals).toHaveLength(1);
    const [first] = h.intake.signals;
    expect(first?.alerts.map((a) => a.labels.pod)).toEqual(['a', 'b']);
    expect(first?.severity).toBe('P1'); // the most severe of the group
    expect(first?.title).toBe('HighLatency (+1)');
    await h.tick(10 * S);
    expect(h.intake.signals.map((s) => s.title)).toEqual(['HighLatency (+1)', 'Other']);

    // A third alert joins the flushed group: it waits for group_interval (5 min) after the last flush.
    await receive(firing({ alertname: 'HighLatency', pod: 'c' }));
    await h.tick(60 * S);
    expect(h.intake.signals).toHaveLength(2);
    await h.tick(300 * S);
    expect(h.intake.signals).toHaveLength(3);
    expect(h.intake.signals[2]?.alerts.map((a) => a.labels.pod)).toEqual(['c']);
    expect(h.intake.signals[2]?.groupKey).toBe(first?.groupKey);

    // Repeats of firing alerts are not changes: nothing is handed over for them.
    await receive(firing({ alertname: 'HighLatency', pod: 'a', severity: 'warning' }));
    await h.tick(600 * S);
    expect(h.intake.signals).toHaveLength(3);

    // A resolution is a change.
    await receive(resolved({ alertname: 'HighLatency', pod: 'a', severity: 'warning' }));
    await h.tick(1 * S);
    expect(h.intake.signals).toHaveLength(4);
    expect(h.intake.signals[3]?.alerts).toMatchObject([{ status: 'resolved', labels: { pod: 'a' } }]);
  });

  it('an alert that fires and resolves within group_wait is never handed over', async () => {
    await receive(firing({ alertname: 'Blip' }));
    h.clock.advance(5 * S);
    await receive(resolved({ alertname: 'Blip' }));
    await h.tick(60 * S);
    expect(h.intake.signals).toHaveLength(0);
  });

  it('endsAt passing resolves the alert (like resolve_timeout)', async () => {
    const now = h.clock.now();
    await receive(firing({ alertname: 'Short' }, { endsAt: now + 120 * S }));
    await h.tick(30 * S);
    expect(h.intake.signals).toHaveLength(1);
    await h.tick(60 * S);
    expect((await list())[0]?.status).toBe('firing');
    await h.tick(35 * S);
    const [a] = await list();
    expect(a).toMatchObject({ status: 'resolved', resolvedAt: now + 120 * S });
    await h.tick(300 * S);
    expect(h.intake.signals.at(-1)?.alerts[0]?.status).toBe('resolved');
  });

  it('routing: service, team, escalation policy, severity override and continue', async () => {
    const team = '0194a0e0-0000-7000-8000-0000000000aa';
    const policy = '0194a0e0-0000-7000-8000-0000000000bb';
    await h.pipeline.alertConfig.putRouting(h.actor, {
      route: {
        id: 'default',
        matchers: [],
        groupBy: ['alertname'],
        groupWaitSeconds: 0,
        continue: false,
        routes: [
          {
            id: 'pay',
            matchers: [{ name: 'service', op: '=', value: 'payments' }],
            teamId: team,
            escalationPolicyId: policy,
            severity: 'P1',
            groupBy: ['service'],
            continue: true,
            routes: [],
          },
          { id: 'all', matchers: [], continue: false, routes: [] },
        ],
      },
      inhibitRules: [],
    });
    await receive(firing({ alertname: 'X', service: 'payments', severity: 'info' }));
    await h.tick(0);
    const byRoute = h.intake.signals.map((s) => [
      s.groupKey.split(':')[0],
      s.teamId,
      s.escalationPolicyId,
      s.severity,
    ]);
    expect(byRoute.sort()).toEqual([
      ['all', null, null, 'P3'],
      ['pay', team, policy, 'P1'],
    ]);
    expect((await list())[0]?.teamId).toBe(team);
  });

  it('an alert whose `service` label names a catalog service belongs to it when its route names none', async () => {
    const id = '0194a0e0-0000-7000-8000-0000000000cc';
    await h.db
      .insertInto('services')
      .values({
        id,
        name: 'payment',
        description: '',
        ownerTeamId: null,
        tier: 1,
        tags: '[]',
        links: '[]',
        createdAt: 0,
        updatedAt: 0,
      })
      .execute();
    await receive(
      firing({ alertname: 'X', service: 'payment' }),
      firing({ alertname: 'Y', service: 'nowhere' }),
    );
    await h.tick(60 * S);
    const byName = new Map((await list()).map((a) => [a.labels.alertname, a.serviceId]));
    expect(byName).toEqual(
      new Map([
        ['X', id],
        ['Y', null],
      ]),
    );
    expect(h.intake.signals.find((s) => s.title.startsWith('X'))?.serviceId).toBe(id);
  });

  it('silences: matching alerts are stored as silenced and page nobody; expiry lets new ones through', async () => {
    const silence = await h.pipeline.noise.createSilence(h.actor, {
      matchers: [{ name: 'service', op: '=~', value: 'pay.*' }],
      endsAt: h.clock.now() + 3600 * S,
      comment: 'gateway upgrade',
    });
    await receive(
      firing({ alertname: 'Down', service: 'payments' }),
      firing({ alertname: 'Down', service: 'cart' }),
    );
    await h.tick(60 * S);
    expect(h.intake.signals.flatMap((s) => s.alerts.map((a) => a.labels.service))).toEqual(['cart']);
    const silenced = (await h.pipeline.alerts.list({ state: 'suppressed', limit: 10 })).items;
    expect(silenced).toMatchObject([
      { suppressed: 'silenced', suppressedBy: { id: silence.id, name: 'test: gateway upgrade' } },
    ]);

    await h.pipeline.noise.expireSilence(h.actor, silence.id);
    await receive(firing({ alertname: 'Down', service: 'payments' })); // the source reports it again
    await h.tick(300 * S);
    expect(h.intake.signals.at(-1)?.alerts.map((a) => a.labels.service)).toEqual(['payments']);
    const detail = await h.pipeline.alerts.get(silenced[0]?.id ?? '');
    expect(detail.history.map((e) => e.kind)).toEqual([
      'fired',
      'silenced',
      'unsuppressed',
      'routed',
      'handed_over',
    ]);
  });

  it('maintenance windows: alerts are marked "in maintenance" during the window only', async () => {
    // 2026-01-06 is a Tuesday; 02:00 Asia/Shanghai is 18:00 UTC on Monday.
    await h.pipeline.noise.createWindow(h.actor, {
      name: 'DB patching',
      matchers: [{ name: 'service', op: '=', value: 'db' }],
      timeZone: 'Asia/Shanghai',
      start: '2026-01-06T02:00',
      durationMinutes: 120,
      recurrence: 'weekly',
      weekdays: [2],
      until: null,
      comment: '',
    });
    h.clock.set(Date.UTC(2026, 0, 12, 18, 30)); // Tuesday 02:30 Shanghai, a week later
    await receive(firing({ alertname: 'Slow', service: 'db' }));
    h.clock.set(Date.UTC(2026, 0, 12, 20, 30)); // 04:30: the window is over
    await receive(firing({ alertname: 'Slow2', service: 'db' }));
    await h.tick(60 * S);
    expect(h.intake.signals.map((s) => s.alerts[0]?.labels.alertname)).toEqual(['Slow2']);
    const [, inMaintenance] = await list();
    expect(inMaintenance).toMatchObject({
      title: 'Slow',
      suppressed: 'maintenance',
      suppressedBy: { name: 'DB patching' },
    });
  });

  it('inhibition: a firing source mutes targets sharing the equal labels, also when it arrives during group_wait', async () => {
    await h.pipeline.alertConfig.putRouting(h.actor, {
      route: {
        id: 'default',
        matchers: [],
        groupBy: ['alertname'],
        groupWaitSeconds: 30,
        continue: false,
        routes: [],
      },
      inhibitRules: [
        {
          sourceMatchers: [{ name: 'alertname', op: '=', value: 'ClusterDown' }],
          targetMatchers: [{ name: 'severity', op: '=', value: 'warning' }],
          equal: ['cluster'],
        },
      ],
    });
    // The target first, then its source within group_wait: the flush re-checks, as Alertmanager does.
    await receive(firing({ alertname: 'PodRestarts', severity: 'warning', cluster: 'sh' }));
    h.clock.advance(5 * S);
    await receive(firing({ alertname: 'ClusterDown', severity: 'critical', cluster: 'sh' }));
    // Source already firing: muted on arrival. Other cluster: not muted.
    await receive(
      firing({ alertname: 'DiskSlow', severity: 'warning', cluster: 'sh' }),
      firing({ alertname: 'DiskSlow', severity: 'warning', cluster: 'bj' }),
    );
    await h.tick(60 * S);
    const handed = h.intake.signals
      .flatMap((s) => s.alerts.map((a) => `${a.labels.alertname}/${a.labels.cluster}`))
      .sort();
    expect(handed).toEqual(['ClusterDown/sh', 'DiskSlow/bj']);
    const muted = (await h.pipeline.alerts.list({ state: 'suppressed', limit: 10 })).items;
    expect(muted.map((a) => [a.title, a.suppressed, a.suppressedBy?.name])).toEqual([
      ['DiskSlow', 'inhibited', 'ClusterDown'],
      ['PodRestarts', 'inhibited', 'ClusterDown'],
    ]);
  });

  it('a planned flush is handed over once even when its job runs twice', async () => {
    await receive(firing({ alertname: 'Once' }));
    const [group] = await h.db.selectFrom('alertGroups').selectAll().execute();
    h.clock.advance(30 * S);
    const flush = h.pipeline.jobHandlers['alerts.flush'];
    if (!group || !flush) throw new Error('no group');
    const payload = { groupKey: group.groupKey, at: group.nextFlushAt };
    await flush(payload, { jobId: 'x', attempt: 1 });
    await flush(payload, { jobId: 'y', attempt: 2 });
    expect(h.intake.signals).toHaveLength(1);
  });
});
