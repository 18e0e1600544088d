import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { createResponse } from '../../src/modules/incidents/index.ts';
import { systemActor } from '../../src/platform/audit/audit.repo.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import type { Engine } from '../../src/platform/db/engine.ts';
import { newId } from '../../src/platform/ids.ts';
import { createTestDatabase, describeEachEngine, type TestDatabase } from '../helpers/engines.ts';

/**
 * Escalation survives kill -9, and two instances on one PostgreSQL page once: real `steady serve`
 * processes work through escalation steps that are due (and some that fall due a moment later); the
 * timeline then holds every step exactly once.
 */
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INCIDENTS = 30;
const STEPS_PER_INCIDENT = 6; // 3 steps, repeated once
const STEP_TIMEOUT = 120_000;

describeEachEngine('escalation with real processes', (engine) => {
  const children: ChildProcess[] = [];
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    for (const fn of cleanup.splice(0)) await fn();
  });

  function serve(testDb: TestDatabase, name: string): ChildProcess {
    const child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        STEADY_DATA_DIR: testDb.settings.dataDir,
        DATABASE_URL: testDb.settings.databaseUrl,
        STEADY_PORT: '0',
        STEADY_HOST: '127.0.0.1',
        STEADY_ADMIN_PASSWORD: 'admin-password-1',
        STEADY_LOG_LEVEL: 'warn',
        STEADY_JOB_POLL_MS: '50',
        STEADY_JOB_LEASE_SECONDS: '5',
        STEADY_JOB_CONCURRENCY: '4',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    child.on('exit', (code, signal) => {
      if (code && code !== 0) console.error(`${name} exited ${code} ${signal}: ${stderr}`);
    });
    children.push(child);
    return child;
  }

  /** Opens incidents whose policy's first five steps are already due and whose last falls due 3 s from now. */
  async function seed(database: Database, eng: Engine): Promise<string[]> {
    const { db } = database;
    const userIds: string[] = [];
    for (const name of ['oncall.a', 'oncall.b']) {
      const id = newId();
      await db
        .insertInto('users')
        .values({
          id,
          username: name,
          displayName: name,
          email: null,
          role: 'responder',
          locale: 'en',
          passwordHash: 'x',
          createdAt: 0,
          updatedAt: 0,
          disabledAt: null,
        })
        .execute();
      userIds.push(id);
    }
    const clock = new FakeClock(Date.now() - (4 * 60_000 + 57_000));
    const response = createResponse({ db, clock, engine: eng, autoResolve: true });
    const policy = await response.oncall.createPolicy(systemActor('test'), {
      name: 'Crash test',
      description: '',
      teamId: null,
      repeat: 1,
      steps: [
        { targets: [{ type: 'user', id: userIds[0] as string }], waitMinutes: 1 },
        { targets: [{ type: 'user', id: userIds[1] as string }], waitMinutes: 1 },
        { targets: [{ type: 'user', id: userIds[0] as string }], waitMinutes: 1 },
      ],
    });
    const ids: string[] = [];
    for (let i = 0; i < INCIDENTS; i++) {
      const inc = await response.incidents.create(systemActor('test'), {
        title: `Crash ${i}`,
        description: '',
        severity: 'P3',
        serviceId: null,
        teamId: null,
        assigneeId: null,
        escalationPolicyId: policy.id,
      });
      ids.push(inc.id);
    }
    return ids;
  }

  const escalated = async (database: Database) =>
    database.db
      .selectFrom('incidentEvents')
      .select(['incidentId', 'data'])
      .where('kind', '=', 'escalated')
      .execute();

  async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  async function expectEveryStepOnce(database: Database, ids: string[]): Promise<void> {
    const rows = await escalated(database);
    const seen = new Map<string, number>();
    for (const r of rows) {
      const d = JSON.parse(r.data) as { round: number; step: number };
      const key = `${r.incidentId}:${d.round}:${d.step}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const twice = [...seen].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    for (const id of ids) {
      for (let round = 1; round <= 2; round++)
        for (let step = 1; step <= 3; step++)
          expect(seen.get(`${id}:${round}:${step}`), `${id} ${round}.${step}`).toBe(1);
    }
    expect(rows).toHaveLength(INCIDENTS * STEPS_PER_INCIDENT);
    // Each step paged its one person once.
    const pages = await database.db
      .selectFrom('incidentEvents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', 'notification')
      .executeTakeFirstOrThrow();
    expect(Number(pages.n)).toBe(INCIDENTS * STEPS_PER_INCIDENT);
    const left = await database.db
      .selectFrom('jobs')
      .select('kind')
      .where('kind', '=', 'incident.escalate')
      .execute();
    expect(left).toEqual([]);
  }

  it(
    'kill -9 while steps are pending, restart: every due step runs, none twice, none lost',
    async () => {
      const testDb = await createTestDatabase(engine);
      const database = testDb.open();
      cleanup.push(async () => {
        await database.close();
        await testDb.drop();
      });
      const ids = await seed(database, engine);

      const first = serve(testDb, 'first');
      await waitFor('the first steps', async () => (await escalated(database)).length >= 20);
      const exited = new Promise((r) => first.on('exit', (_c, signal) => r(signal)));
      first.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const atKill = (await escalated(database)).length;
      expect(atKill).toBeLessThan(INCIDENTS * STEPS_PER_INCIDENT); // there was work left

      serve(testDb, 'second');
      await waitFor(
        'every step',
        async () => (await escalated(database)).length >= INCIDENTS * STEPS_PER_INCIDENT,
        90_000,
      );
      // Let a late re-run (a job whose lease the dead process held) show itself if it would double-page.
      await new Promise((r) => setTimeout(r, 6_000));
      await expectEveryStepOnce(database, ids);
    },
    STEP_TIMEOUT,
  );

  // Several instances share work only on PostgreSQL (DESIGN.md §9).
  if (engine === 'postgres')
    it(
      'two instances on one PostgreSQL work the same escalations: each step recorded and paged once',
      async () => {
        const testDb = await createTestDatabase(engine);
        const database = testDb.open();
        cleanup.push(async () => {
          await database.close();
          await testDb.drop();
        });
        const ids = await seed(database, engine);
        serve(testDb, 'a');
        serve(testDb, 'b');
        await waitFor(
          'every step',
          async () => (await escalated(database)).length >= INCIDENTS * STEPS_PER_INCIDENT,
          90_000,
        );
        await new Promise((r) => setTimeout(r, 1_000));
        await expectEveryStepOnce(database, ids);
      },
      STEP_TIMEOUT,
    );
});
