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
import { z } from 'zod';
import type { Config } from './config.ts';
import { catalogRepo, createCatalogService, registerCatalogRoutes } from './modules/catalog/index.ts';
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
}

export interface App {
  http: Api;
  worker: JobWorker;
  jobs: JobQueue;
  auth: ReturnType<typeof createAuthService>;
  /** Every registered route with its access rule (for the route-walk test and the docs). */
  routes: readonly RouteAccess[];
  /** Stop accepting, finish in-flight requests and jobs, close the database. */
  close(): Promise<void>;
}

const HOUR = 3_600_000;

/** The domain services, wired to their repositories; the app, the demo and the benchmarks share this. */
export function createServices(deps: { db: Kysely<DB>; clock: Clock; config: Config }) {
  const { db, clock, config } = deps;
  return {
    auth: createAuthService({ db, clock, repo: authRepo, audit: auditRepo, config }),
    users: createUsersService({ db, clock, repo: authRepo, audit: auditRepo }),
    catalog: createCatalogService({ db, clock, repo: catalogRepo, audit: auditRepo, users: authRepo }),
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
  const { auth, users, catalog } = createServices({ db, clock, config });

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
  worker = new JobWorker({
    repo: jobsRepo,
    clock,
    logger: logger.child({ component: 'jobs' }),
    handlers,
    pollMs: config.jobPollMs,
    concurrency: config.jobConcurrency,
    leaseMs: config.jobLeaseSeconds * 1000,
    onJobDone: metrics.observeJob,
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
  await registerConsole(http, deps.webDist ?? fileURLToPath(new URL('../web/dist', import.meta.url)));
  await http.ready();

  const startWorker = worker;
  return {
    http,
    worker: startWorker,
    jobs,
    auth,
    routes,
    async close() {
      closing = true;
      await Promise.all([http.close(), startWorker.stop()]);
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
}
