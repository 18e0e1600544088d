import pino from 'pino';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { createTestDatabase, describeEachEngine, type TestDatabase } from '../../../test/helpers/engines.ts';
import { FakeClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { createJobsRepo, type JobsRepo } from './jobs.repo.ts';
import {
  createJobQueue,
  defaultBackoff,
  type JobContext,
  type JobHandler,
  type JobQueue,
  JobWorker,
  PermanentJobError,
} from './worker.ts';

const LEASE = 60_000;

it('backs off exponentially from 1 s, capped at 10 minutes', () => {
  expect([1, 2, 3, 4, 5].map(defaultBackoff)).toEqual([1000, 2000, 4000, 8000, 16_000]);
  expect(defaultBackoff(10)).toBe(512_000);
  expect(defaultBackoff(11)).toBe(600_000);
  expect(defaultBackoff(50)).toBe(600_000);
});

describeEachEngine('JobWorker', (engine) => {
  let testDb: TestDatabase;
  let database: Database;
  let repo: JobsRepo;
  let clock: FakeClock;
  let queue: JobQueue;
  let handlers: Map<string, JobHandler>;
  let outcomes: string[];
  const workers: JobWorker[] = [];

  const newWorker = (opts: { concurrency?: number; workerId?: string } = {}) => {
    const w = new JobWorker({
      repo,
      clock,
      logger: pino({ level: 'silent' }),
      handlers,
      pollMs: 20,
      concurrency: opts.concurrency ?? 4,
      leaseMs: LEASE,
      workerId: opts.workerId,
      onJobDone: (kind, outcome) => outcomes.push(`${kind}:${outcome}`),
    });
    workers.push(w);
    return w;
  };
  const rows = () => database.db.selectFrom('jobs').selectAll().orderBy('createdAt').orderBy('id').execute();

  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
    database = testDb.open();
    repo = createJobsRepo(database.db, engine);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await database.db.deleteFrom('jobs').execute();
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });
  // Fresh clock, queue and handlers for every test.
  const setup = () => {
    clock = new FakeClock();
    handlers = new Map();
    outcomes = [];
    queue = createJobQueue(repo, clock);
  };

  it('runs a job at its run_at, not a millisecond before, and removes it when done', async () => {
    setup();
    const seen: [unknown, JobContext][] = [];
    handlers.set('greet', async (payload, ctx) => {
      seen.push([payload, ctx]);
    });
    const runAt = clock.now() + 5 * 60_000;
    expect(await queue.enqueue('greet', { to: 'ops' }, { runAt })).toBe(true);
    const worker = newWorker();

    clock.set(runAt - 1);
    expect(await worker.runDue()).toBe(0);
    expect(seen).toEqual([]);
    expect((await rows())[0]).toMatchObject({ state: 'queued', attempts: 0, runAt });

    clock.set(runAt);
    expect(await worker.runDue()).toBe(1);
    expect(seen).toEqual([[{ to: 'ops' }, { jobId: expect.any(String), attempt: 1 }]]);
    expect(await rows()).toEqual([]);
    expect(outcomes).toEqual(['greet:done']);
  });

  it('runs due jobs oldest run_at first', async () => {
    setup();
    const order: number[] = [];
    handlers.set('n', async (p) => {
      order.push(p as number);
    });
    const now = clock.now();
    for (const [n, offset] of [
      [3, -1000],
      [1, -3000],
      [2, -2000],
    ] as const) {
      await queue.enqueue('n', n, { runAt: now + offset });
    }
    await newWorker({ concurrency: 1 }).runDue();
    expect(order).toEqual([1, 2, 3]);
  });

  it('a dedupe key allows one live job per key; after it is done the key is free again', async () => {
    setup();
    handlers.set('report', async () => {});
    expect(await queue.enqueue('report', 1, { dedupeKey: 'weekly:2026-02' })).toBe(true);
    expect(await queue.enqueue('report', 2, { dedupeKey: 'weekly:2026-02' })).toBe(false);
    expect(await queue.enqueue('report', 3, { dedupeKey: 'weekly:2026-03' })).toBe(true);
    expect(await queue.enqueue('report', 4)).toBe(true);
    expect(await queue.enqueue('report', 5)).toBe(true);
    const all = await rows();
    expect(all.map((r) => JSON.parse(r.payload))).toEqual([1, 3, 4, 5]);

    await newWorker().runDue();
    expect(await rows()).toEqual([]);
    expect(await queue.enqueue('report', 6, { dedupeKey: 'weekly:2026-02' })).toBe(true);
  });

  it('retries a failed job with exponential backoff, then succeeds', async () => {
    setup();
    let calls = 0;
    handlers.set('flaky', async () => {
      calls++;
      if (calls < 3) throw new Error(`boom ${calls}`);
    });
    await queue.enqueue('flaky', null);
    const worker = newWorker();

    expect(await worker.runDue()).toBe(1);
    const t1 = clock.now();
    expect((await rows())[0]).toMatchObject({
      state: 'queued',
      attempts: 1,
      runAt: t1 + 1000,
      lastError: 'boom 1',
      lockedBy: null,
      lockedUntil: null,
    });

    clock.advance(999);
    expect(await worker.runDue()).toBe(0);
    clock.advance(1);
    expect(await worker.runDue()).toBe(1);
    expect((await rows())[0]).toMatchObject({ attempts: 2, runAt: clock.now() + 2000, lastError: 'boom 2' });

    clock.advance(2000);
    expect(await worker.runDue()).toBe(1);
    expect(await rows()).toEqual([]);
    expect(calls).toBe(3);
    expect(outcomes).toEqual(['flaky:retry', 'flaky:retry', 'flaky:done']);
  });

  it('a PermanentJobError marks the job dead at once', async () => {
    setup();
    handlers.set('bad', async () => {
      throw new PermanentJobError('payload names a deleted incident');
    });
    await queue.enqueue('bad', null);
    const worker = newWorker();
    await worker.runDue();
    expect((await rows())[0]).toMatchObject({
      state: 'dead',
      attempts: 1,
      lastError: 'payload names a deleted incident',
      lockedBy: null,
    });
    clock.advance(24 * 3_600_000);
    expect(await worker.runDue()).toBe(0);
    expect(outcomes).toEqual(['bad:dead']);
    expect(await repo.countByState(clock.now())).toEqual({ due: 0, scheduled: 0, running: 0, dead: 1 });
  });

  it('gives up after max attempts: the job is dead, with the last error', async () => {
    setup();
    let calls = 0;
    handlers.set('always', async () => {
      calls++;
      throw new Error(`fail ${calls}`);
    });
    await queue.enqueue('always', null, { maxAttempts: 3 });
    const worker = newWorker();
    const retryAts: number[] = [];
    for (let i = 0; i < 3; i++) {
      await worker.runDue();
      const row = (await rows())[0];
      retryAts.push((row?.runAt ?? 0) - clock.now());
      clock.set(row?.runAt ?? 0);
    }
    expect(calls).toBe(3);
    expect(retryAts.slice(0, 2)).toEqual([1000, 2000]);
    expect((await rows())[0]).toMatchObject({ state: 'dead', attempts: 3, lastError: 'fail 3' });
    clock.advance(3_600_000);
    expect(await worker.runDue()).toBe(0);
    expect(outcomes).toEqual(['always:retry', 'always:retry', 'always:dead']);
  });

  it('a job of a kind nobody handles is dead, not retried forever', async () => {
    setup();
    await queue.enqueue('mystery', null);
    await newWorker().runDue();
    expect((await rows())[0]).toMatchObject({
      state: 'dead',
      lastError: 'no handler for job kind "mystery"',
    });
  });

  it('counts jobs by state for the queue-depth metric', async () => {
    setup();
    const now = clock.now();
    await queue.enqueue('x', null, { runAt: now - 1 });
    await queue.enqueue('x', null, { runAt: now });
    await queue.enqueue('x', null, { runAt: now + 1 });
    await repo.claimDue('w', now, now + LEASE, 1);
    expect(await repo.countByState(now)).toEqual({ due: 1, scheduled: 1, running: 1, dead: 0 });
  });

  it('started, it runs at most `concurrency` jobs at once and wakes when due work is enqueued', async () => {
    setup();
    let running = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    handlers.set('slow', async () => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
    });
    const worker = newWorker({ concurrency: 2 });
    queue = createJobQueue(repo, clock, () => worker.wake());
    worker.start();
    for (let i = 0; i < 5; i++) await queue.enqueue('slow', i);

    await vi.waitFor(() => expect(gates.length).toBe(2));
    const states = (await rows()).map((r) => r.state).sort();
    expect(states).toEqual(['queued', 'queued', 'queued', 'running', 'running']);
    while ((await rows()).length > 0) {
      gates.splice(0).forEach((open) => {
        open();
      });
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(most).toBe(2);
    expect(outcomes.filter((o) => o === 'slow:done')).toHaveLength(5);
  });

  it('stop() stops claiming and waits for the jobs in flight', async () => {
    setup();
    const releases: (() => void)[] = [];
    const release = () => {
      for (const r of releases.splice(0)) r();
    };
    const started = vi.fn();
    handlers.set('long', async () => {
      started();
      await new Promise<void>((resolve) => releases.push(resolve));
    });
    const worker = newWorker();
    worker.start();
    await queue.enqueue('long', null);
    worker.wake();
    await vi.waitFor(() => expect(started).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    // Let the loop's follow-up claim (begun before stop, so allowed to find work) settle into its sleep.
    await new Promise((r) => setTimeout(r, 100));

    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await queue.enqueue('long', 'not picked up after stop');
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 10));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
    expect(started).toHaveBeenCalledTimes(1);
    expect((await rows()).map((r) => [r.state, JSON.parse(r.payload)])).toEqual([
      ['queued', 'not picked up after stop'],
    ]);
  });
});
