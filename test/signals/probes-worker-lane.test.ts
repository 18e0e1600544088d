import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { createJobsRepo } from '../../src/platform/jobs/jobs.repo.ts';
import { createJobQueue, JobWorker } from '../../src/platform/jobs/worker.ts';
import { createTestDatabase, describeEachEngine, type TestDatabase } from '../helpers/engines.ts';

describeEachEngine('worker lane for probe runs', (engine) => {
  let testDb: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
    database = testDb.open();
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('slow probe runs fill their own lane and never hold the slots other jobs need', async () => {
    const clock = new FakeClock();
    const repo = createJobsRepo(database.db, engine);
    const queue = createJobQueue(repo, clock);
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let probesRunning = 0;
    let peak = 0;
    const done: string[] = [];
    const worker = new JobWorker({
      repo,
      clock,
      logger: pino({ level: 'silent' }),
      handlers: new Map([
        [
          'probe.run',
          async () => {
            probesRunning++;
            peak = Math.max(peak, probesRunning);
            await gate;
            probesRunning--;
          },
        ],
        ['escalate', async () => void done.push('escalate')],
      ]),
      pollMs: 20,
      concurrency: 2,
      leaseMs: 60_000,
      lanes: [{ kinds: ['probe.run'], concurrency: 50, pollMs: 20 }],
    });
    for (let i = 0; i < 60; i++) await queue.enqueue('probe.run', { i });
    await queue.enqueue('escalate', null);
    worker.start();
    const until = async (cond: () => boolean | Promise<boolean>) => {
      for (let i = 0; i < 300 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 20));
    };
    const jobsLeft = async () => (await database.db.selectFrom('jobs').select('kind').execute()).length;
    // 50 probe runs hang on the network, yet the escalation runs at once in the main lane.
    await until(() => done.length === 1 && peak === 50);
    expect(done).toEqual(['escalate']);
    expect(peak).toBe(50);
    release();
    await until(async () => (await jobsLeft()) === 0);
    await worker.stop();
    expect(await jobsLeft()).toBe(0);
  });
});
