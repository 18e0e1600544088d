import { afterEach, expect, it } from 'vitest';
import { METRICS_RETENTION_JOB, METRICS_ROLLUP_JOB } from '../../src/modules/signals/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';

/**
 * A database that ran on the embedded store keeps its scheduled rollup and retention runs when the
 * installation moves to a remote TSDB; they must end, not wait forever or die for want of a handler.
 */
describeEachEngine('metric store jobs on a remote TSDB', (engine) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('queued rollup and retention runs complete as no-ops and schedule nothing', async () => {
    // Nothing listens there: a handler that wrote to or read from the TSDB would fail the job.
    t = await startTestApp(engine, {
      config: {
        metricsRemoteWriteUrl: 'http://127.0.0.1:9/api/v1/write',
        metricsRemoteQueryUrl: 'http://127.0.0.1:9',
      },
    });
    expect(t.app.embeddedMetrics).toBe(false);
    const now = Date.now();
    for (const kind of [METRICS_ROLLUP_JOB, METRICS_RETENTION_JOB]) {
      await t.app.jobs.enqueue(kind, null, { runAt: now - 1000, dedupeKey: `${kind}:${now}` });
    }
    expect(await t.app.worker.runDue()).toBeGreaterThanOrEqual(2);

    const database = t.testDb.open();
    try {
      const left = await database.db
        .selectFrom('jobs')
        .select(['kind', 'state', 'lastError'])
        .where('kind', 'in', [METRICS_ROLLUP_JOB, METRICS_RETENTION_JOB])
        .execute();
      expect(left).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
