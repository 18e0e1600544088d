import type { Clock } from '../../../platform/clock.ts';
import type { JobHandler, JobQueue } from '../../../platform/jobs/worker.ts';
import type { Maintenance } from './rollups.ts';

export const METRICS_ROLLUP_JOB = 'metrics.rollup';
export const METRICS_RETENTION_JOB = 'metrics.retention';
const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
 * The metric store's durable jobs: rollups every minute, retention every hour. Each run schedules the next
 * one keyed by its time, so several instances schedule it once; both are idempotent (rollups recompute
 * their window, retention deletes what is expired), so a run repeated after a crash does no harm.
 */
export function metricStoreJobs(
  store: Pick<Maintenance, 'runRollups' | 'runRetention'>,
  jobs: JobQueue,
  clock: Clock,
): Map<string, JobHandler> {
  const next = (kind: string, every: number) => {
    const at = Math.floor(clock.now() / every + 1) * every;
    return jobs.enqueue(kind, null, { runAt: at, dedupeKey: `${kind}:${at}` });
  };
  return new Map<string, JobHandler>([
    [
      METRICS_ROLLUP_JOB,
      async () => {
        await store.runRollups();
        await next(METRICS_ROLLUP_JOB, MINUTE);
      },
    ],
    [
      METRICS_RETENTION_JOB,
      async () => {
        await store.runRetention();
        await next(METRICS_RETENTION_JOB, HOUR);
      },
    ],
  ]);
}

/**
 * The same job kinds when samples live in a remote TSDB, whose downsampling and retention are its own
 * business: runs left queued by an earlier embedded set-up on this database complete as no-ops and
 * schedule nothing, so none stays queued or ends dead for want of a handler.
 */
export function remoteStoreJobs(): Map<string, JobHandler> {
  const done: JobHandler = async () => {};
  return new Map<string, JobHandler>([
    [METRICS_ROLLUP_JOB, done],
    [METRICS_RETENTION_JOB, done],
  ]);
}

/** Starts the recurring jobs (idempotent across instances and restarts). */
export async function scheduleMetricStoreJobs(jobs: JobQueue, clock: Clock): Promise<void> {
  const now = clock.now();
  await jobs.enqueue(METRICS_ROLLUP_JOB, null, {
    runAt: now,
    dedupeKey: `${METRICS_ROLLUP_JOB}:${Math.floor(now / MINUTE) * MINUTE}`,
  });
  await jobs.enqueue(METRICS_RETENTION_JOB, null, {
    runAt: now,
    dedupeKey: `${METRICS_RETENTION_JOB}:${Math.floor(now / HOUR) * HOUR}`,
  });
}
