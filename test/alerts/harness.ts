import pino from 'pino';
import type { AlertSource, IncomingAlert } from '../../src/modules/alerts/index.ts';
import { catalogRepo } from '../../src/modules/catalog/index.ts';
import type { AlertGroupSignal, IncidentIntake } from '../../src/modules/incidents/intake.ts';
import { createPipeline } from '../../src/pipeline.ts';
import { auditRepo, systemActor } from '../../src/platform/audit/audit.repo.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Engine } from '../../src/platform/db/engine.ts';
import { createJobsRepo } from '../../src/platform/jobs/jobs.repo.ts';
import { createJobQueue, JobWorker } from '../../src/platform/jobs/worker.ts';
import { createTestDatabase } from '../helpers/engines.ts';

/** A recording stand-in for the incidents stage (unit-level: the real one is tested end to end). */
export class RecordingIntake implements IncidentIntake {
  readonly signals: AlertGroupSignal[] = [];
  async onAlertGroup(signal: AlertGroupSignal) {
    this.signals.push(signal);
    return {
      incidentId: `inc-${signal.groupKey}`,
      created: this.signals.filter((s) => s.groupKey === signal.groupKey).length === 1,
    };
  }
}

export const SOURCE: AlertSource = {
  integrationId: null,
  name: 'test',
  defaultSeverity: 'P3',
  severityLabel: 'severity',
  severityMap: {},
  resolveTimeoutMs: null,
};

export const firing = (
  labels: Record<string, string>,
  extra: Partial<IncomingAlert> = {},
): IncomingAlert => ({
  status: 'firing',
  labels,
  annotations: {},
  startsAt: null,
  endsAt: null,
  generatorUrl: null,
  ...extra,
});
export const resolved = (labels: Record<string, string>): IncomingAlert => ({
  ...firing(labels),
  status: 'resolved',
});

/** The alerts stage on a fresh database, a fake clock and a worker the test drives with `tick`. */
export async function startHarness(engine: Engine) {
  const testDb = await createTestDatabase(engine);
  const database = testDb.open();
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  const intake = new RecordingIntake();
  const logger = pino({ level: 'silent' });
  const pipeline = createPipeline({
    db: database.db,
    clock,
    logger,
    audit: auditRepo,
    jobsFor: (ex) => createJobQueue(createJobsRepo(ex, database.engine), clock),
    wake: () => {},
    baseUrl: 'http://steady.test',
    exists: async () => true,
    serviceIdsByName: catalogRepo.serviceIdsByName,
    intake,
  });
  const worker = new JobWorker({
    repo: createJobsRepo(database.db, database.engine),
    clock,
    logger,
    handlers: new Map(Object.entries(pipeline.jobHandlers)),
    pollMs: 50,
    concurrency: 4,
    leaseMs: 30_000,
  });
  return {
    db: database.db,
    clock,
    intake,
    pipeline,
    actor: systemActor('test'),
    /** Moves the clock and runs whatever became due. */
    async tick(ms: number) {
      clock.advance(ms);
      return worker.runDue();
    },
    async close() {
      await database.close();
      await testDb.drop();
    },
  };
}
