import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { alertsRepo } from '../../src/modules/alerts/index.ts';
import type { AlertGroupSignal } from '../../src/modules/incidents/intake.ts';
import { describeEachEngine } from '../helpers/engines.ts';
import { firing, resolved, SOURCE, startHarness } from './harness.ts';

type Harness = Awaited<ReturnType<typeof startHarness>>;
const S = 1000;

describeEachEngine('alerts stage: hand-over in the intake commit, shared commits', (engine) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(engine);
    await h.pipeline.alertConfig.putRouting(h.actor, {
      route: {
        id: 'default',
        matchers: [],
        groupBy: ['alertname'],
        groupWaitSeconds: 0,
        groupIntervalSeconds: 60,
        continue: false,
        routes: [],
      },
      inhibitRules: [],
    });
  });
  afterEach(async () => {
    await h.close();
  });
  const receive = (...alerts: Parameters<Harness['pipeline']['receiveAlerts']>[1]) =>
    h.pipeline.receiveAlerts(SOURCE, alerts);
  const flushJobs = () => h.db.selectFrom('jobs').select('kind').where('kind', '=', 'alerts.flush').execute();

  it('with no group_wait, a new group is handed over in the intake commit, without a job', async () => {
    await receive(firing({ alertname: 'Down', pod: 'a' }), firing({ alertname: 'Down', pod: 'b' }));
    expect(h.intake.signals).toHaveLength(1);
    expect(h.intake.signals[0]?.alerts.map((a) => a.labels.pod).sort()).toEqual(['a', 'b']);
    expect(await flushJobs()).toEqual([]);
    const [group] = await h.db.selectFrom('alertGroups').selectAll().execute();
    expect(group).toMatchObject({ lastFlushAt: h.clock.now(), nextFlushAt: null });

    // Within group_interval: the next member waits for its flush job, as before.
    h.clock.advance(10 * S);
    await receive(firing({ alertname: 'Down', pod: 'c' }));
    expect(h.intake.signals).toHaveLength(1);
    expect(await flushJobs()).toHaveLength(1);
    await h.tick(50 * S);
    expect(h.intake.signals.map((s) => s.alerts.map((a) => a.labels.pod))).toEqual([['a', 'b'], ['c']]);

    // A quiet group whose interval has passed flushes a change at once, here a resolution.
    h.clock.advance(120 * S);
    await receive(resolved({ alertname: 'Down', pod: 'a' }));
    expect(h.intake.signals.at(-1)?.alerts).toMatchObject([{ status: 'resolved', labels: { pod: 'a' } }]);
    const detail = await h.pipeline.alerts.get(
      (await h.pipeline.alerts.list({ limit: 10 })).items[2]?.id ?? '',
    );
    expect(detail.history.map((e) => e.kind)).toEqual([
      'fired',
      'routed',
      'handed_over',
      'resolved',
      'handed_over',
    ]);
  });

  it('calls that arrive together are each committed; a hand-over that fails leaves its group to the job', async () => {
    const original = h.intake.onAlertGroup.bind(h.intake);
    let failing = true;
    h.intake.onAlertGroup = async (signal: AlertGroupSignal) => {
      if (failing && signal.alerts.some((a) => a.labels.alertname === 'Broken'))
        throw new Error('incidents stage unavailable');
      return original(signal);
    };
    const results = await Promise.all(
      ['A', 'Broken', 'B', 'C'].map((name) => receive(firing({ alertname: name }))),
    );
    // Every call is accepted and stored, the failing group included.
    expect(results.map((r) => r.created)).toEqual([1, 1, 1, 1]);
    expect(await h.db.selectFrom('alerts').select('id').execute()).toHaveLength(4);
    expect(h.intake.signals.map((s) => s.alerts[0]?.labels.alertname).sort()).toEqual(['A', 'B', 'C']);
    // Its flush is still planned, with a job that retries it.
    const broken = await h.db
      .selectFrom('alertGroups')
      .innerJoin('alertGroupMembers', 'alertGroupMembers.groupKey', 'alertGroups.groupKey')
      .innerJoin('alerts', 'alerts.id', 'alertGroupMembers.alertId')
      .select(['alertGroups.lastFlushAt', 'alertGroups.nextFlushAt'])
      .where('alerts.title', '=', 'Broken')
      .executeTakeFirstOrThrow();
    expect(broken).toMatchObject({ lastFlushAt: null, nextFlushAt: h.clock.now() });
    expect(await flushJobs()).toHaveLength(1);
    failing = false;
    await h.tick(0);
    expect(h.intake.signals.map((s) => s.alerts[0]?.labels.alertname).sort()).toEqual([
      'A',
      'B',
      'Broken',
      'C',
    ]);
    expect(await flushJobs()).toEqual([]);
  });

  it('a call whose write fails is refused alone; the calls sharing its commit are stored', async () => {
    // Fault injection: the store refuses one call's alerts, as a constraint or disk error would.
    const insertMany = alertsRepo.insertMany;
    alertsRepo.insertMany = async (ex, rows) => {
      if (rows.some((r) => r.title === 'Poison')) throw new Error('disk I/O error');
      return insertMany(ex, rows);
    };
    try {
      const results = await Promise.allSettled(
        ['A', 'Poison', 'B'].map((name) => receive(firing({ alertname: name }))),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    } finally {
      alertsRepo.insertMany = insertMany;
    }
    const stored = await h.db.selectFrom('alerts').select('title').orderBy('title').execute();
    expect(stored.map((a) => a.title)).toEqual(['A', 'B']);
    // Nothing of the refused call remains: no group, no member, no event.
    expect(await h.db.selectFrom('alertGroups').select('groupKey').execute()).toHaveLength(2);
    expect(h.intake.signals.map((s) => s.alerts[0]?.labels.alertname).sort()).toEqual(['A', 'B']);
  });

  it('migration 0011: the expiry sweep and the pending-member read use their indexes', async () => {
    const names =
      engine === 'sqlite'
        ? await sql<{ name: string }>`select name from sqlite_master where type = 'index'`.execute(h.db)
        : await sql<{ name: string }>`select indexname as name from pg_indexes`.execute(h.db);
    expect(names.rows.map((r) => r.name)).toEqual(
      expect.arrayContaining(['alerts_status_ends_at', 'alert_group_members_pending']),
    );
    if (engine !== 'sqlite') return;
    const plan = async (query: string) =>
      (await sql.raw<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`).execute(h.db)).rows
        .map((r) => r.detail)
        .join('\n');
    expect(
      await plan(
        "select * from alerts where status = 'firing' and ends_at is not null and ends_at <= 1 limit 500",
      ),
    ).toContain('alerts_status_ends_at');
    expect(
      await plan(
        "select * from alert_group_members where group_key = 'g' and version > flushed_version limit 5000",
      ),
    ).toContain('alert_group_members_pending');
  });
});
