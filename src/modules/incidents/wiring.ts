import type { Kysely } from 'kysely';
import { auditRepo } from '../../platform/audit/audit.repo.ts';
import { authRepo } from '../../platform/auth/auth.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Engine } from '../../platform/db/engine.ts';
import type { DB } from '../../platform/db/schema.ts';
import { createJobsRepo } from '../../platform/jobs/jobs.repo.ts';
import { createJobQueue, type JobHandler } from '../../platform/jobs/worker.ts';
import { catalogRepo } from '../catalog/index.ts';
import { createOncallService, oncallRepo } from '../oncall/index.ts';
import { createEscalation, type EnqueueIn } from './escalation.ts';
import { incidentsRepo } from './incidents.repo.ts';
import { createIncidentsService } from './incidents.service.ts';
import { createIntake } from './intake.service.ts';
import { createTimelineNotifier, type Notifier } from './notifier.ts';
import { createReviewService, reviewComplete } from './review.service.ts';
import { createSettingsService } from './settings.service.ts';
import { createRecorder } from './timeline.ts';

export interface ResponseDeps {
  db: Kysely<DB>;
  clock: Clock;
  engine: Engine;
  autoResolve: boolean;
  /** Wakes the job worker after a commit that queued work due now (set once the worker exists). */
  wake?: () => void;
  /** Where escalation pages go; until notifications exist, "would notify" lines on the timeline. */
  notifier?: Notifier;
}

/** On-call, escalation and incidents wired together: services, the alert intake and the job handlers. */
export function createResponse(deps: ResponseDeps) {
  const { db, clock, engine } = deps;
  let wake = deps.wake ?? (() => {});
  const record = createRecorder(incidentsRepo, () => clock.now());
  const oncall = createOncallService({ db, clock, repo: oncallRepo, audit: auditRepo, catalog: catalogRepo });
  const enqueue: EnqueueIn = (ex, kind, payload, options) =>
    createJobQueue(createJobsRepo(ex, engine), clock).enqueue(kind, payload, options);
  const escalation = createEscalation({
    clock,
    repo: incidentsRepo,
    oncall,
    notifier: deps.notifier ?? createTimelineNotifier(record),
    record,
    enqueue,
  });
  const incidents = createIncidentsService({
    db,
    clock,
    repo: incidentsRepo,
    escalation,
    record,
    oncall,
    catalog: catalogRepo,
    users: authRepo,
    reviewComplete,
    wake: () => wake(),
  });
  const intake = createIntake({
    db,
    clock,
    repo: incidentsRepo,
    incidents,
    record,
    autoResolve: deps.autoResolve,
    wake: () => wake(),
  });
  const reviews = createReviewService({
    db,
    clock,
    incidents: incidentsRepo,
    resolveId: incidents.resolveId,
    record,
    users: authRepo,
  });
  const settings = createSettingsService({ db, clock, repo: incidentsRepo, audit: auditRepo });
  const handlers: Record<string, JobHandler> = escalation.handlers(db);
  return {
    oncall,
    incidents,
    intake,
    reviews,
    settings,
    record,
    handlers,
    setWake(fn: () => void) {
      wake = fn;
    },
  };
}

export type Response = ReturnType<typeof createResponse>;
