import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Histogram } from 'prom-client';
import { z } from 'zod';
import type { Config } from './config.ts';
import { linkedToIncidents, registerAlertRoutes, registerIngestRoutes } from './modules/alerts/index.ts';
import { catalogRepo, createCatalogService, registerCatalogRoutes } from './modules/catalog/index.ts';
import { createDetection, type Detection, RULES_SOURCE } from './modules/detection/index.ts';
import {
  createResponse,
  incidentsRepo,
  type Response,
  registerIncidentRoutes,
} from './modules/incidents/index.ts';
import { createNotify, incidentsPort, type Notify } from './modules/notify/index.ts';
import { registerOncallRoutes } from './modules/oncall/index.ts';
import {
  createEmbeddedMetricStore,
  createIngestService,
  createProbeRunner,
  createProbesService,
  createRemoteMetricStore,
  createScrapeService,
  metricStoreJobs,
  PROBE_PRUNE_JOB,
  PROBE_RUN_JOB,
  type ProbeRunner,
  probesRepo,
  type QueryableMetricStore,
  registerMetricIngestRoutes,
  registerProbeRoutes,
  registerQueryRoutes,
  registerScrapeRoutes,
  remoteStoreJobs,
  remoteStoreOptions,
  SCRAPE_JOB,
  SCRAPE_UPKEEP_JOB,
  scheduleMetricStoreJobs,
  scheduleScrapeUpkeep,
  scrapeRepo,
} from './modules/signals/index.ts';
import { createPipeline, type Pipeline } from './pipeline.ts';
import { auditRepo } from './platform/audit/audit.repo.ts';
import { registerAuditRoutes } from './platform/audit/audit.routes.ts';
import { authRepo } from './platform/auth/auth.repo.ts';
import { registerAuthRoutes } from './platform/auth/auth.routes.ts';
import { createAuthService } from './platform/auth/auth.service.ts';
import { access } from './platform/auth/roles.ts';
import { createUsersService } from './platform/auth/users.service.ts';
import type { Clock } from './platform/clock.ts';
import { type Database, migrationsApplied } from './platform/db/database.ts';
import type { DB } from './platform/db/schema.ts';
import { installAccessControl, type RouteAccess } from './platform/http/access.ts';
import type { Api } from './platform/http/api.ts';
import { registerConsole } from './platform/http/console.ts';
import { installErrorHandler } from './platform/http/error-handler.ts';
import { installInputGuard } from './platform/http/input-guard.ts';
import { newId } from './platform/ids.ts';
import { createJobsRepo } from './platform/jobs/jobs.repo.ts';
import { createJobQueue, type JobHandler, type JobQueue, JobWorker } from './platform/jobs/worker.ts';
import { createSelfMetrics } from './platform/metrics.ts';

export interface AppDeps {
  config: Config;
  database: Database;
  clock: Clock;
  logger: Logger;
  /** Where the built console lives; default web/dist beside the project. */
  webDist?: string;
  /** Routes of the one running this app (the demo's scenario and inbox routes), added before the console. */
  extraRoutes?: (http: Api) => void;
}

export interface App {
  http: Api;
  worker: JobWorker;
  jobs: JobQueue;
  auth: ReturnType<typeof createAuthService>;
  /** The stages of the signal → alert → incident flow (src/pipeline.ts). */
  pipeline: Pipeline;
  /** Alert rules and their streaming evaluation (src/modules/detection). */
  detection: Detection;
  probes: ProbeRunner;
  /** Incidents, on-call and escalation (services, alert intake). */
  response: Response;
  /** Notification channels, the delivery outbox and one-click links. */
  notify: Notify;
  /** Every registered route with its access rule (for the route-walk test and the docs). */
  routes: readonly RouteAccess[];
  /** Whether samples live in the embedded store (whose rollup and retention jobs then run). */
  embeddedMetrics: boolean;
  /** Stop accepting, finish in-flight requests and jobs, close the database. */
  close(): Promise<void>;
}

const HOUR = 3_600_000;

/** Steady's own alert about its notification channels. */
const CHANNEL_HEALTH_SOURCE = {
  integrationId: null,
  name: 'steady-channels',
  defaultSeverity: 'P2',
  severityLabel: 'severity',
  severityMap: {},
  resolveTimeoutMs: null,
} as const;

/** The domain services, wired to their repositories; the app, the demo and the benchmarks share this. */
export function createServices(deps: { db: Kysely<DB>; clock: Clock; config: Config }) {
  const { db, clock, config } = deps;
  // A Prometheus-compatible TSDB when one is configured (large installations), else the embedded store.
  const remote = remoteStoreOptions(config, clock);
  const embeddedStore = remote ? undefined : createEmbeddedMetricStore({ db, clock, config });
  const store: QueryableMetricStore = remote ? createRemoteMetricStore(remote) : embeddedStore!;
  return {
    auth: createAuthService({ db, clock, repo: authRepo, audit: auditRepo, config }),
    users: createUsersService({ db, clock, repo: authRepo, audit: auditRepo }),
    catalog: createCatalogService({ db, clock, repo: catalogRepo, audit: auditRepo, users: authRepo }),
    store,
    /** The embedded store when samples live there (rollups, retention); undefined with a remote TSDB. */
    embeddedStore,
    /** The one door samples come in by (ingestion routes, scrapes, probes); detection listens on it. */
    ingest: createIngestService({ store, serviceRules: config.ingestServiceRules }),
  };
}

/** Builds the whole application from its dependencies; the CLI and the tests both call this. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, database, clock, logger } = deps;
  const { db } = database;

  const http: Api = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: () => newId(),
    requestIdHeader: 'x-request-id',
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  http.setValidatorCompiler(validatorCompiler);
  http.setSerializerCompiler(serializerCompiler);
  // Once closing, replies to requests still in flight also close their keep-alive connection; otherwise
  // an idle connection left open after its last reply holds the shutdown until the keep-alive timeout.
  let closing = false;
  http.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (closing) reply.header('connection', 'close');
  });

  const jobsRepo = createJobsRepo(db, database.engine);
  const metrics = createSelfMetrics({
    poolStats: () => database.poolStats(),
    jobCounts: () => jobsRepo.countByState(clock.now()),
  });
  const { auth, users, catalog, store, embeddedStore, ingest } = createServices({ db, clock, config });

  // Durable background work. Modules add their handlers here as they arrive.
  const handlers = new Map<string, JobHandler>();
  let worker: JobWorker | undefined;
  const jobs = createJobQueue(jobsRepo, clock, () => worker?.wake());
  handlers.set('housekeeping', async () => {
    await auth.prune();
    // The next run, keyed by its hour, so several instances schedule it once.
    const next = Math.floor(clock.now() / HOUR + 1) * HOUR;
    await jobs.enqueue('housekeeping', null, { runAt: next, dedupeKey: `housekeeping:${next}` });
  });
  // With a remote TSDB, downsampling and retention are the TSDB's business: its handlers are no-ops.
  const storeJobs = embeddedStore ? metricStoreJobs(embeddedStore, jobs, clock) : remoteStoreJobs();
  for (const [kind, handler] of storeJobs) handlers.set(kind, handler);
  // Synthetic probes: one job per probe slot, run in a lane of their own (see the worker's `lanes`).
  const probeLateness = new Histogram({
    name: 'steady_probe_lateness_seconds',
    help: 'How late a scheduled probe run started against its slot',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [metrics.registry],
  });
  const probeRunner = createProbeRunner({
    db,
    clock,
    repo: probesRepo,
    jobs,
    sink: ingest,
    logger: logger.child({ component: 'probes' }),
    onScheduledRun: (lateMs) => probeLateness.observe(lateMs / 1000),
  });
  const probes = createProbesService({
    db,
    clock,
    repo: probesRepo,
    audit: auditRepo,
    runner: probeRunner,
    store,
  });
  // Scrape targets: one durable job per target and slot.
  const scrapes = createScrapeService({
    db,
    clock,
    repo: scrapeRepo,
    audit: auditRepo,
    jobs,
    sink: ingest,
    logger: logger.child({ component: 'scrapes' }),
    maxBodyBytes: config.ingestBodyLimitBytes * 8,
  });
  handlers.set(SCRAPE_JOB, (payload) => scrapes.runSlot(payload));
  handlers.set(SCRAPE_UPKEEP_JOB, () => scrapes.upkeep());
  handlers.set(PROBE_RUN_JOB, (payload) => probeRunner.runSlot(payload));
  handlers.set(PROBE_PRUNE_JOB, () => probeRunner.prune());
  const notify = createNotify({
    db,
    clock,
    logger,
    audit: auditRepo,
    enqueue: (ex, kind, payload, options) =>
      createJobQueue(createJobsRepo(ex, database.engine), clock).enqueue(kind, payload, options),
    config: { ...config, baseUrl: config.publicUrl || `http://localhost:${config.port}` },
    workerId: `notify-${newId()}`,
    wake: () => worker?.wake(),
  });
  for (const [kind, handler] of Object.entries(notify.handlers)) handlers.set(kind, handler);
  const response = createResponse({
    db,
    clock,
    engine: database.engine,
    autoResolve: config.incidentAutoResolve,
    wake: () => worker?.wake(),
    notifier: notify.notifier,
  });
  notify.connectIncidents(
    incidentsPort({
      findView: incidentsRepo.findView,
      listAlerts: incidentsRepo.listAlerts,
      record: response.record,
      acknowledge: (actor, id) => response.incidents.acknowledge(actor, id),
      resolve: (actor, id) => response.incidents.resolve(actor, id),
    }),
  );
  for (const [kind, handler] of Object.entries(response.handlers)) handlers.set(kind, handler);
  const pipeline = createPipeline({
    db,
    clock,
    logger,
    audit: auditRepo,
    jobsFor: (ex) => createJobQueue(createJobsRepo(ex, database.engine), clock),
    wake: () => worker?.wake(),
    baseUrl: config.publicUrl || `http://localhost:${config.port}`,
    exists: async (ex, kind, id) =>
      !!(kind === 'service' ? await catalogRepo.findService(ex, id) : await catalogRepo.findTeam(ex, id)),
    serviceIdsByName: catalogRepo.serviceIdsByName,
    intake: response.intake,
  });
  for (const [kind, handler] of Object.entries(pipeline.jobHandlers)) handlers.set(kind, handler);
  // A notification channel that keeps failing is itself an alert, routed like any other, so the team
  // hears about it through the channels that still work.
  notify.onChannelHealth(async (e) => {
    await pipeline.receiveAlerts(CHANNEL_HEALTH_SOURCE, [
      {
        status: e.state === 'failing' ? 'firing' : 'resolved',
        labels: { alertname: 'NotificationChannelFailing', channel: e.channelName, channel_kind: e.kind },
        annotations: {
          summary: `Notification channel "${e.channelName}" (${e.kind}) failed ${e.failures} times in a row`,
          ...(e.lastError ? { description: e.lastError } : {}),
        },
        startsAt: null,
        endsAt: null,
        generatorUrl: null,
      },
    ]);
  });
  // Detection: Steady's own alert rules, evaluated as samples are stored, feeding the alerts stage.
  const detection = createDetection({
    db,
    clock,
    logger,
    audit: auditRepo,
    jobs,
    store,
    sink: { receive: (alerts) => pipeline.receiveAlerts(RULES_SOURCE, alerts) },
    serviceExists: async (ex, id) => !!(await catalogRepo.findService(ex, id)),
    ruleUrl: (id) => `${config.publicUrl || `http://localhost:${config.port}`}/rules/${id}`,
    incidentLinks: (firings) => linkedToIncidents(db, RULES_SOURCE.name, firings),
  });
  for (const [kind, handler] of detection.jobHandlers()) handlers.set(kind, handler);
  // signals → detection: every stored batch is evaluated as it arrives (streaming, not on a tick).
  ingest.onStored((batch) => detection.onStored(batch));
  worker = new JobWorker({
    repo: jobsRepo,
    clock,
    logger: logger.child({ component: 'jobs' }),
    handlers,
    pollMs: config.jobPollMs,
    concurrency: config.jobConcurrency,
    leaseMs: config.jobLeaseSeconds * 1000,
    onJobDone: metrics.observeJob,
    // Probe runs wait on the network (up to their timeout), so they get many slots of their own and a
    // short poll, and never hold the slots other jobs need.
    lanes: [
      {
        kinds: [PROBE_RUN_JOB],
        concurrency: config.probeConcurrency,
        pollMs: Math.min(config.jobPollMs, 100),
      },
    ],
  });

  // Before any route (after the cookie parser it reads): access rules are checked, and every route
  // recorded, as routes are added.
  await http.register(fastifyCookie);
  installErrorHandler(http);
  installInputGuard(http);
  const routes = installAccessControl(http, auth);
  await http.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Steady API',
        version: '1',
        description: 'Service-quality platform for e-commerce operations',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token (stdy_…)' },
          session: { type: 'apiKey', in: 'cookie', name: 'steady_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await http.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  metrics.instrument(http);

  const system = { config: { access: access.public }, schema: { hide: true } };
  http.get('/healthz', system, async () => ({ status: 'ok' }));
  http.get('/readyz', system, async (_req, reply) => {
    try {
      if (!(await migrationsApplied(database))) {
        return reply.status(503).send({ status: 'not ready', reason: 'migrations pending' });
      }
      return { status: 'ready', engine: database.engine };
    } catch (err) {
      return reply
        .status(503)
        .send({ status: 'not ready', reason: `database unreachable: ${(err as Error).message}` });
    }
  });
  http.get('/metrics', system, async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  http.get(
    '/api/v1/config/public',
    { config: { access: access.public }, schema: { response: { 200: z.object({ publicUrl: z.string() }) } } },
    async () => ({ publicUrl: config.publicUrl }),
  );

  registerAuthRoutes(http, { auth, users, config });
  registerAuditRoutes(http, db, auditRepo);
  registerCatalogRoutes(http, catalog);
  registerQueryRoutes(http, { store, evaluate: store.evaluate, clock });
  registerAlertRoutes(http, { alerts: pipeline.alerts, config: pipeline.alertConfig, noise: pipeline.noise });
  registerIngestRoutes(http, { alerts: pipeline.alerts, config: pipeline.alertConfig });
  await registerMetricIngestRoutes(http, { sink: ingest, bodyLimitBytes: config.ingestBodyLimitBytes });
  registerScrapeRoutes(http, scrapes);
  registerProbeRoutes(http, probes);
  detection.registerRoutes(http);
  registerIncidentRoutes(http, response);
  registerOncallRoutes(http, response.oncall, () => clock.now());
  notify.registerRoutes(http);
  deps.extraRoutes?.(http);
  await registerConsole(http, deps.webDist ?? fileURLToPath(new URL('../web/dist', import.meta.url)));
  // Rule state is loaded from the database; an app built on an unmigrated database (which /readyz then
  // reports) has nothing to load yet.
  if (await migrationsApplied(database)) await detection.start();
  await http.ready();

  const startWorker = worker;
  return {
    http,
    worker: startWorker,
    jobs,
    auth,
    pipeline,
    detection,
    probes: probeRunner,
    response,
    notify,
    routes,
    embeddedMetrics: embeddedStore !== undefined,
    async close() {
      closing = true;
      await Promise.all([http.close(), startWorker.stop()]);
      await store.close();
      await database.close();
    },
  };
}

/** Schedules the recurring housekeeping job (idempotent: one per hour across instances). */
export async function scheduleHousekeeping(app: App, clock: Clock): Promise<void> {
  const now = clock.now();
  await app.jobs.enqueue('housekeeping', null, {
    runAt: now,
    dedupeKey: `housekeeping:${Math.floor(now / HOUR) * HOUR}`,
  });
  if (app.embeddedMetrics) await scheduleMetricStoreJobs(app.jobs, clock);
  await scheduleScrapeUpkeep(app.jobs, clock);
}

/** Runs probe upkeep now: retention, and the next run of every enabled probe (idempotent). */
export async function scheduleProbes(app: App, clock: Clock): Promise<void> {
  const now = clock.now();
  await app.jobs.enqueue(PROBE_PRUNE_JOB, null, { runAt: now, dedupeKey: `${PROBE_PRUNE_JOB}:start:${now}` });
}
