/**
 * What the detection stage offers the app and the pipeline: alert rules evaluated on every stored batch
 * (`onStored`), their CRUD/preview/review routes, and the streaming anomaly detectors.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AuditRepo } from '../../platform/audit/audit.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import type { Api } from '../../platform/http/api.ts';
import type { JobHandler, JobQueue } from '../../platform/jobs/worker.ts';
import type { MetricStore, SeriesSamples } from '../signals/index.ts';
import type { AlertSink } from './rules/alerting.ts';
import { createRuleEngine } from './rules/engine.ts';
import { DEFAULT_PREVIEW_MS, previewRule } from './rules/preview.ts';
import { type IncidentLinks, reviewRules } from './rules/review.ts';
import { rulesRepo } from './rules/rules.repo.ts';
import { registerRulesRoutes } from './rules/rules.routes.ts';
import { createRulesService } from './rules/rules.service.ts';

export { createDefaultDetector, DEFAULT_THRESHOLD } from './detectors/index.ts';
export type { AlertSink, RuleAlert } from './rules/alerting.ts';
export { DELIVER_JOB, FOR_JOB, SWEEP_JOB } from './rules/engine.ts';
export type { IncidentLinks } from './rules/review.ts';
export type { Rule, RuleInput } from './rules/rules.schemas.ts';

const DAY = 86_400_000;

export interface DetectionDeps {
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  audit: Pick<AuditRepo, 'append'>;
  jobs: JobQueue;
  /** The metric store; without one, rules are kept but nothing is evaluated or previewed. */
  store: Pick<MetricStore, 'select' | 'queryInstant' | 'queryRange'> | undefined;
  /** The alerts stage's intake (the pipeline passes `receiveAlerts` with Steady's own source). */
  sink: AlertSink;
  serviceExists: (ex: Kysely<DB>, id: string) => Promise<boolean>;
  incidentLinks?: IncidentLinks | undefined;
  /** Console link of a rule, used as the alert's generator URL. */
  ruleUrl?: (ruleId: string) => string;
}

const noStore = () =>
  new AppError(503, 'no_metric_store', 'No metric store is configured, so rules cannot be previewed');

export function createDetection(deps: DetectionDeps) {
  const { db, clock } = deps;
  const engine = deps.store
    ? createRuleEngine({
        db,
        clock,
        repo: rulesRepo,
        store: deps.store,
        jobs: deps.jobs,
        sink: deps.sink,
        logger: deps.logger.child({ component: 'rules' }),
        ...(deps.ruleUrl ? { ruleUrl: deps.ruleUrl } : {}),
      })
    : null;
  const rules = createRulesService({
    db,
    clock,
    repo: rulesRepo,
    audit: deps.audit,
    engine,
    serviceExists: deps.serviceExists,
  });
  const store = deps.store;

  return {
    rules,
    engine,
    /** Hook for the ingestion service's `onStored`: cheap, never throws. */
    onStored(batch: readonly SeriesSamples[]): void {
      engine?.onStored(batch);
    },
    /** Loads rules and their persisted state, re-sends what a crash may have lost, schedules the sweep. */
    start: async () => engine?.start(),
    jobHandlers: (): [string, JobHandler][] => engine?.jobHandlers() ?? [],
    registerRoutes(app: Api): void {
      registerRulesRoutes(app, {
        rules,
        async preview(rule, range) {
          if (!store) throw noStore();
          const to = range.to ?? clock.now();
          const from = range.from ?? to - DEFAULT_PREVIEW_MS;
          if (!(from < to)) throw new AppError(400, 'bad_request', '`from` must be before `to`');
          if (to - from > 31 * DAY)
            throw new AppError(400, 'bad_request', 'a preview covers at most 31 days');
          return previewRule(store, rule, { from, to });
        },
        review(q) {
          const to = q.to ?? clock.now();
          const from = q.from ?? to - 7 * DAY;
          if (!(from < to)) throw new AppError(400, 'bad_request', '`from` must be before `to`');
          return reviewRules(
            { db, repo: rulesRepo, incidentLinks: deps.incidentLinks, now: clock.now() },
            { from, to, autoResolveMinutes: q.autoResolveMinutes },
          );
        },
      });
    },
  };
}

export type Detection = ReturnType<typeof createDetection>;

/** How the alerts stage sees Steady's own rules: a source named "steady" whose alerts carry P1–P3. */
export const RULES_SOURCE = {
  integrationId: null,
  name: 'steady',
  resolveTimeoutMs: null,
  defaultSeverity: 'P2',
  severityLabel: 'severity',
  severityMap: {},
} as const;
