import pino from 'pino';
import type { RuleAlert } from '../../src/modules/detection/rules/alerting.ts';
import { createRuleEngine, type RuleEngine } from '../../src/modules/detection/rules/engine.ts';
import { rulesRepo } from '../../src/modules/detection/rules/rules.repo.ts';
import type { RuleInput } from '../../src/modules/detection/rules/rules.schemas.ts';
import { ruleInput } from '../../src/modules/detection/rules/rules.schemas.ts';
import { createRulesService, type RulesService } from '../../src/modules/detection/rules/rules.service.ts';
import type { MetricStore, SeriesSamples } from '../../src/modules/signals/index.ts';
import { auditRepo, systemActor } from '../../src/platform/audit/audit.repo.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { createJobsRepo } from '../../src/platform/jobs/jobs.repo.ts';
import { createJobQueue, JobWorker } from '../../src/platform/jobs/worker.ts';
import type { TestDatabase } from '../helpers/engines.ts';

/** The in-memory store of the unit tests, or a real one. */
export type Store = Pick<MetricStore, 'select' | 'queryInstant' | 'queryRange'> & {
  append(batch: readonly SeriesSamples[]): unknown;
};

/** One "process": a rule engine on a database, a job worker driven by the fake clock, an alert inbox. */
export interface Proc {
  database: Database;
  engine: RuleEngine;
  rules: RulesService;
  worker: JobWorker;
  received: RuleAlert[];
  create(input: unknown): Promise<string>;
  /** Stores and streams one sample of `metric{labels}`. */
  push(metric: string, labels: Record<string, string>, ts: number, value: number): Promise<void>;
  /** Moves the clock and runs the jobs then due. */
  advance(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startProc(testDb: TestDatabase, clock: FakeClock, store: Store): Promise<Proc> {
  const database = testDb.open();
  const { db } = database;
  const logger = pino({ level: 'silent' });
  const jobsRepo = createJobsRepo(db, database.engine);
  const jobs = createJobQueue(jobsRepo, clock);
  const received: RuleAlert[] = [];
  const engine = createRuleEngine({
    db,
    clock,
    repo: rulesRepo,
    store,
    jobs,
    sink: { receive: async (a) => void received.push(...a) },
    logger,
  });
  const worker = new JobWorker({
    repo: jobsRepo,
    clock,
    logger,
    handlers: new Map(engine.jobHandlers()),
    pollMs: 60_000,
    concurrency: 1,
    leaseMs: 60_000,
  });
  const rules = createRulesService({
    db,
    clock,
    repo: rulesRepo,
    audit: auditRepo,
    engine,
    serviceExists: async () => true,
  });
  await engine.start();
  return {
    database,
    engine,
    rules,
    worker,
    received,
    async create(input) {
      const rule = await rules.create(systemActor('test'), ruleInput.parse(input) as RuleInput);
      return rule.id;
    },
    async push(metric, labels, ts, value) {
      const batch = [{ labels: { __name__: metric, ...labels }, points: [{ ts, value }] }];
      await store.append(batch);
      engine.onStored(batch);
      await engine.idle();
    },
    async advance(ms) {
      clock.advance(ms);
      await worker.runDue();
      await engine.idle();
    },
    async stop() {
      await engine.idle();
      await database.close();
    },
  };
}
