import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import type { JobRow, JobsRepo, KindFilter } from './jobs.repo.ts';

export interface JobContext {
  jobId: string;
  attempt: number;
}

/**
 * A handler must be idempotent: it may run again after a crash between its work and the job's removal.
 * It re-reads the state it acts on and returns early when that state has moved on.
 */
export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

/** Thrown by a handler when retrying cannot help (bad payload, target gone): the job is marked dead. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export interface EnqueueOptions {
  /** Epoch ms; default now. */
  runAt?: number;
  /** At most one live job per key: enqueueing the same key again is a no-op. */
  dedupeKey?: string;
  maxAttempts?: number;
}

export interface JobQueue {
  enqueue(kind: string, payload: unknown, options?: EnqueueOptions): Promise<boolean>;
}

export function createJobQueue(
  repo: Pick<JobsRepo, 'insert'>,
  clock: Clock,
  onEnqueue?: () => void,
): JobQueue {
  return {
    async enqueue(kind, payload, options = {}) {
      const now = clock.now();
      const inserted = await repo.insert({
        id: newId(),
        kind,
        payload: JSON.stringify(payload ?? null),
        runAt: options.runAt ?? now,
        attempts: 0,
        maxAttempts: options.maxAttempts ?? 10,
        state: 'queued',
        lockedBy: null,
        lockedUntil: null,
        lastError: null,
        dedupeKey: options.dedupeKey ?? null,
        createdAt: now,
        updatedAt: now,
      });
      if (inserted && (options.runAt ?? now) <= now) onEnqueue?.();
      return inserted;
    },
  };
}

/** Exponential backoff from 1 s doubling to at most 10 min. */
export const defaultBackoff = (attempt: number): number => Math.min(1000 * 2 ** (attempt - 1), 10 * 60_000);

export interface WorkerOptions {
  repo: Pick<JobsRepo, 'claimDue' | 'complete' | 'fail'>;
  clock: Clock;
  logger: Logger;
  handlers: ReadonlyMap<string, JobHandler>;
  pollMs: number;
  concurrency: number;
  leaseMs: number;
  backoff?: (attempt: number) => number;
  workerId?: string;
  onJobDone?: (kind: string, outcome: 'done' | 'retry' | 'dead', seconds: number) => void;
  /**
   * Job kinds run in their own lane with their own concurrency (and poll interval), apart from the rest.
   * I/O-bound work that waits on the network for seconds (probes) gets hundreds of slots there, and can
   * never take the few slots that escalations and notifications need.
   */
  lanes?: readonly WorkerLane[];
}

export interface WorkerLane {
  kinds: readonly string[];
  concurrency: number;
  pollMs?: number;
}

interface Lane {
  filter: KindFilter | undefined;
  concurrency: number;
  pollMs: number;
  inFlight: Set<Promise<void>>;
  timer: NodeJS.Timeout | undefined;
  wakeUp: (() => void) | undefined;
  /** A wake-up that came while the lane was claiming, not sleeping: the next sleep returns at once. */
  woken: boolean;
}

/**
 * Claims due jobs and runs them, up to `concurrency` at once. Polls every `pollMs`, and wakes at once
 * when this process enqueues due work. `stop()` stops claiming and waits for the jobs in flight.
 */
export class JobWorker {
  readonly id: string;
  private readonly opts: WorkerOptions;
  private readonly lanes: Lane[];
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(opts: WorkerOptions) {
    this.opts = opts;
    this.id = opts.workerId ?? `worker-${newId()}`;
    const lane = (filter: KindFilter | undefined, concurrency: number, pollMs: number): Lane => ({
      filter,
      concurrency,
      pollMs,
      inFlight: new Set(),
      timer: undefined,
      wakeUp: undefined,
      woken: false,
    });
    const own = (opts.lanes ?? []).map((l) =>
      lane({ only: l.kinds }, l.concurrency, l.pollMs ?? opts.pollMs),
    );
    const laneKinds = (opts.lanes ?? []).flatMap((l) => l.kinds);
    this.lanes = [
      lane(laneKinds.length ? { except: laneKinds } : undefined, opts.concurrency, opts.pollMs),
      ...own,
    ];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = this.lanes.map((lane) => this.run(lane));
  }

  wake(): void {
    for (const lane of this.lanes) this.nudge(lane);
  }

  /**
   * Work committed while the lane is in a claim may be missed by that claim; without remembering the
   * wake-up, the lane would then sleep a whole poll interval with that work due.
   */
  private nudge(lane: Lane): void {
    if (lane.wakeUp) lane.wakeUp();
    else lane.woken = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await Promise.all(this.loops);
    await Promise.allSettled(this.lanes.flatMap((lane) => [...lane.inFlight]));
  }

  /** Claims and runs every job due now, waiting for all of them; for tests that drive a fake clock. */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      let round = 0;
      for (const lane of this.lanes) {
        const jobs = await this.claim(lane, lane.concurrency);
        round += jobs.length;
        await Promise.all(jobs.map((job) => this.execute(job)));
      }
      if (round === 0) return total;
      total += round;
    }
  }

  private async run(lane: Lane): Promise<void> {
    while (this.running) {
      const free = lane.concurrency - lane.inFlight.size;
      let claimed = 0;
      if (free > 0) {
        lane.woken = false;
        try {
          const jobs = await this.claim(lane, free);
          claimed = jobs.length;
          for (const job of jobs) {
            const p = this.execute(job).finally(() => {
              lane.inFlight.delete(p);
              this.nudge(lane);
            });
            lane.inFlight.add(p);
          }
        } catch (err) {
          this.opts.logger.error({ err }, 'job claim failed');
        }
      }
      if (claimed === 0 || lane.inFlight.size >= lane.concurrency) await this.sleep(lane);
    }
  }

  private sleep(lane: Lane): Promise<void> {
    // Stopped while claiming: leave at once rather than wait out a poll interval.
    if (!this.running) return Promise.resolve();
    if (lane.woken && lane.inFlight.size < lane.concurrency) {
      lane.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      lane.wakeUp = () => {
        clearTimeout(lane.timer);
        lane.wakeUp = undefined;
        resolve();
      };
      lane.timer = setTimeout(() => lane.wakeUp?.(), lane.pollMs);
    });
  }

  private claim(lane: Lane, limit: number): Promise<JobRow[]> {
    const now = this.opts.clock.now();
    return this.opts.repo.claimDue(this.id, now, now + this.opts.leaseMs, limit, lane.filter);
  }

  private async execute(job: JobRow): Promise<void> {
    const { repo, clock, logger, handlers } = this.opts;
    const started = performance.now();
    const log = logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
    const handler = handlers.get(job.kind);
    const report = (outcome: 'done' | 'retry' | 'dead') =>
      this.opts.onJobDone?.(job.kind, outcome, (performance.now() - started) / 1000);
    try {
      if (!handler) throw new PermanentJobError(`no handler for job kind "${job.kind}"`);
      await handler(JSON.parse(job.payload), { jobId: job.id, attempt: job.attempts });
      await repo.complete(job.id, this.id);
      report('done');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const permanent = err instanceof PermanentJobError || job.attempts >= job.maxAttempts;
      const now = clock.now();
      const retryAt = permanent ? null : now + (this.opts.backoff ?? defaultBackoff)(job.attempts);
      try {
        await repo.fail(job.id, this.id, message, now, retryAt);
      } catch (failErr) {
        // The lease will run out and another claim will retry it; nothing is lost.
        log.error({ err: failErr }, 'could not record job failure');
      }
      log.warn({ err, retryAt }, permanent ? 'job failed permanently' : 'job failed, will retry');
      report(permanent ? 'dead' : 'retry');
    }
  }
}
