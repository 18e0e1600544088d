/**
 * The flow of DESIGN.md §2 in one place:
 *
 *   signals → detection → ALERTS → INCIDENTS → notification
 *
 * Each arrow is a function call, and each stage persists its result before the next acts on it. Within the
 * alerts stage, every alert goes through, in order:
 *
 *   receive (fingerprint, dedupe, firing → resolved)
 *     → inhibit → silence → maintenance      the first that mutes it records why; it pages nobody
 *     → route (tree: service, team, escalation policy, severity)
 *     → group (group_by, group_wait, group_interval; durable flush jobs)
 *     → hand-over to the incidents intake
 *
 * Detection (Steady's own rules) feeds `alerts.receive` like the webhooks do; notification plugs in after
 * incidents.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import {
  alertConfigRepo,
  alertsRepo,
  createAlertConfigService,
  createAlertsService,
  createGrouping,
  createNoiseService,
  EXPIRE_JOB,
  FLUSH_JOB,
  inhibitStage,
  type MuteStage,
  maintenanceStage,
  silenceStage,
} from './modules/alerts/index.ts';
import type { AlertGroupSignal, IncidentIntake } from './modules/incidents/intake.ts';
import type { AuditRepo } from './platform/audit/audit.repo.ts';
import type { Clock } from './platform/clock.ts';
import type { DB } from './platform/db/schema.ts';
import { type JobHandler, type JobQueue, PermanentJobError } from './platform/jobs/worker.ts';

export interface PipelineDeps {
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  audit: Pick<AuditRepo, 'append'>;
  /** A job queue writing through the given executor (so work and its follow-up job commit together). */
  jobsFor: (ex: Kysely<DB>) => JobQueue;
  /** Wakes the local job worker when work became due now. */
  wake: () => void;
  /** Where sources reach Steady (for integration URLs). */
  baseUrl: string;
  /** Whether a catalog service or team exists (routing trees name them). */
  exists: (ex: Kysely<DB>, kind: 'service' | 'team', id: string) => Promise<boolean>;
  /** Catalog service ids by name: an alert whose `service` label names one belongs to it. */
  serviceIdsByName: (ex: Kysely<DB>, names: readonly string[]) => Promise<Map<string, string>>;
  /** The incidents stage's intake. */
  intake: IncidentIntake;
}

export function createPipeline(deps: PipelineDeps) {
  const { db, clock, audit, jobsFor, wake } = deps;

  // ── the alerts stage's configuration: integrations and routing, silences and maintenance windows
  const alertConfig = createAlertConfigService({
    db,
    clock,
    repo: alertConfigRepo,
    audit,
    baseUrl: deps.baseUrl,
    exists: deps.exists,
  });
  const noise = createNoiseService({
    db,
    clock,
    repo: alertConfigRepo,
    audit,
    alertLabels: async (id) => alerts.get(id),
  });

  // ── noise control, in order: inhibition, silences, maintenance windows
  const muteStages: MuteStage[] = [
    inhibitStage({
      rules: async () => (await alertConfig.routing()).inhibitRules,
      firingAlerts: () => alerts.firingAlerts(),
    }),
    silenceStage({ activeSilences: noise.activeSilences }),
    maintenanceStage({ windows: noise.windows }),
  ];

  // ── alerts → incidents: each flushed group is handed to the incidents intake
  const handOver = (signal: AlertGroupSignal, within: Kysely<DB>) => deps.intake.onAlertGroup(signal, within);
  const grouping = createGrouping({ db, clock, repo: alertsRepo, jobsFor, wake, muteStages, handOver });
  const alerts = createAlertsService({
    db,
    clock,
    repo: alertsRepo,
    jobsFor,
    wake,
    routing: alertConfig.routing,
    muteStages,
    grouping,
    serviceIdsByName: deps.serviceIdsByName,
  });

  // ── durable work of the stages
  const jobHandlers: Record<string, JobHandler> = {
    [FLUSH_JOB]: async (payload) => {
      const { groupKey, at } = (payload ?? {}) as { groupKey?: unknown; at?: unknown };
      if (typeof groupKey !== 'string' || typeof at !== 'number')
        throw new PermanentJobError('alerts.flush needs a groupKey and its planned time');
      await grouping.flush(groupKey, at);
    },
    [EXPIRE_JOB]: async () => {
      await alerts.expire();
    },
  };

  return {
    /** The one entry for alerts: webhooks and Steady's own rules both call this. */
    receiveAlerts: alerts.receive,
    alerts,
    alertConfig,
    noise,
    jobHandlers,
  };
}

export type Pipeline = ReturnType<typeof createPipeline>;
