import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { createJobsRepo, type JobsRepo } from '../../src/platform/jobs/jobs.repo.ts';
import { createJobQueue, type JobHandler, JobWorker } from '../../src/platform/jobs/worker.ts';
import { createTestDatabase, describeEachEngine, type TestDatabase } from '../helpers/engines.ts';

const LEASE = 60_000;
const FIXTURE = fileURLToPath(new URL('./fixtures/blocking-worker.ts', import.meta.url));

describeEachEngine('durable jobs across workers', (engine) => {
  let testDb: TestDatabase;
  let database: Database;
  let repo: JobsRepo;
  const children: ChildProcess[] = [];
  const extra: Database[] = [];

  const worker = (
    db: Database,
    clock: FakeClock,
    handlers: Map<string, JobHandler>,
    workerId: string,
    concurrency = 4,
  ) =>
    new JobWorker({
      repo: createJobsRepo(db.db, db.engine),
      clock,
      logger: pino({ level: 'silent' }),
      handlers,
      pollMs: 20,
      concurrency,
      leaseMs: LEASE,
      workerId,
    });
  const rows = () => database.db.selectFrom('jobs').selectAll().execute();

  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
    database = testDb.open();
    repo = createJobsRepo(database.db, engine);
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(extra.splice(0).map((d) => d.close()));
    await database.db.deleteFrom('jobs').execute();
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('a job whose worker never finishes is claimed again by another worker once the lease runs out', async () => {
    const clock = new FakeClock();
    await createJobQueue(repo, clock).enqueue('send', { to: 'oncall' });

    // Worker A claims it and then dies silently (it never completes nor fails the job).
    const [claimed] = await repo.claimDue('worker-a', clock.now(), clock.now() + LEASE, 10);
    expect(claimed).toMatchObject({ state: 'running', lockedBy: 'worker-a', attempts: 1 });

    const runs: number[] = [];
    const b = worker(
      database,
      clock,
      new Map([['send', async (_p, ctx) => void runs.push(ctx.attempt)]]),
      'worker-b',
    );
    expect(await b.runDue()).toBe(0);
    clock.advance(LEASE); // exactly at the end of the lease: still A's
    expect(await b.runDue()).toBe(0);
    clock.advance(1);
    expect(await b.runDue()).toBe(1);
    expect(runs).toEqual([2]);
    expect(await rows()).toEqual([]);
    // A coming back late cannot complete (or fail) what is no longer its job.
    expect(await repo.complete(claimed?.id ?? '', 'worker-a')).toBe(false);
  });

  it('a late failure report from the old worker does not touch the job the new worker holds', async () => {
    const clock = new FakeClock();
    await createJobQueue(repo, clock).enqueue('send', null);
    const [job] = await repo.claimDue('worker-a', clock.now(), clock.now() + LEASE, 1);
    clock.advance(LEASE + 1);
    await repo.claimDue('worker-b', clock.now(), clock.now() + LEASE, 1);
    await repo.fail(job?.id ?? '', 'worker-a', 'late', clock.now(), clock.now() + 1000);
    expect(await rows()).toEqual([
      expect.objectContaining({ state: 'running', lockedBy: 'worker-b', attempts: 2, lastError: null }),
    ]);
  });

  it('a job whose worker dies on its last allowed attempt is dead, not claimed again forever', async () => {
    const clock = new FakeClock();
    await createJobQueue(repo, clock).enqueue('poison', null, { maxAttempts: 2 });
    await repo.claimDue('worker-a', clock.now(), clock.now() + LEASE, 1);
    clock.advance(LEASE + 1);
    expect(await repo.claimDue('worker-b', clock.now(), clock.now() + LEASE, 1)).toHaveLength(1);
    clock.advance(LEASE + 1);
    expect(await repo.claimDue('worker-c', clock.now(), clock.now() + LEASE, 1)).toEqual([]);
    expect(await rows()).toEqual([
      expect.objectContaining({
        state: 'dead',
        attempts: 2,
        lockedBy: null,
        lastError: expect.stringMatching(/lease/),
      }),
    ]);
  });

  it('two workers on separate connections share 500 jobs: each runs exactly once', async () => {
    const clock = new FakeClock();
    const queue = createJobQueue(repo, clock);
    for (let i = 0; i < 500; i++) await queue.enqueue('count', i);

    const runs = new Map<number, string[]>();
    const handlerFor =
      (name: string): JobHandler =>
      async (payload) => {
        const n = payload as number;
        runs.set(n, [...(runs.get(n) ?? []), name]);
        await new Promise((r) => setImmediate(r)); // yield, so the two workers interleave
      };
    const first = testDb.open();
    const second = testDb.open();
    extra.push(first, second);
    const a = worker(first, clock, new Map([['count', handlerFor('a')]]), 'worker-a', 8);
    const b = worker(second, clock, new Map([['count', handlerFor('b')]]), 'worker-b', 8);
    const [ranA, ranB] = await Promise.all([a.runDue(), b.runDue()]);

    expect(ranA + ranB).toBe(500);
    expect(runs.size).toBe(500);
    const twice = [...runs].filter(([, by]) => by.length > 1);
    expect(twice).toEqual([]);
    expect(ranA).toBeGreaterThan(0);
    expect(ranB).toBeGreaterThan(0);
    expect(await rows()).toEqual([]);
  });

  it('a worker process killed with SIGKILL mid-job loses nothing: another worker finishes it after the lease', async () => {
    const leaseSeconds = 60;
    const queue = createJobQueue(repo, { now: () => Date.now() });
    await queue.enqueue('block', { order: 'SO-1001' });

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      STEADY_DATA_DIR: testDb.settings.dataDir,
      DATABASE_URL: testDb.settings.databaseUrl,
      STEADY_JOB_LEASE_SECONDS: String(leaseSeconds),
      STEADY_JOB_POLL_MS: '50',
      TEST_WORKER_ID: 'doomed-worker',
    };
    const child = spawn(process.execPath, [FIXTURE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    const started = await new Promise<{ jobId: string; attempt: number }>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        const msg = JSON.parse(line) as { event: string; jobId: string; attempt: number };
        if (msg.event === 'started') resolve(msg);
      });
      child.on('exit', (code) =>
        reject(new Error(`worker exited (${code}) before starting the job: ${stderr}`)),
      );
    });
    expect(started.attempt).toBe(1);

    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_c, signal) => resolve(signal)),
    );
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const [row] = await rows();
    expect(row).toMatchObject({
      id: started.jobId,
      state: 'running',
      lockedBy: 'doomed-worker',
      attempts: 1,
    });
    const lockedUntil = row?.lockedUntil ?? 0;

    const done: unknown[] = [];
    const clock = new FakeClock(lockedUntil);
    const rescuer = worker(
      database,
      clock,
      new Map([['block', async (payload, ctx) => void done.push([payload, ctx.attempt])]]),
      'rescuer',
    );
    expect(await rescuer.runDue()).toBe(0); // the dead worker's lease still holds
    clock.advance(1);
    expect(await rescuer.runDue()).toBe(1);
    expect(done).toEqual([[{ order: 'SO-1001' }, 2]]);
    expect(await rows()).toEqual([]);
  });
});
