/**
 * What notifications offer the rest of Steady: a Notifier for escalation steps (`outbox.page`), the
 * delivery job handler, and the routes. The pipeline supplies the incidents port.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AuditRepo } from '../../platform/audit/audit.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Api } from '../../platform/http/api.ts';
import { createDelivery, type EnqueueIn, JOB_DELIVER } from './delivery.ts';
import { registerLinkRoutes } from './links.routes.ts';
import { createActionLinks } from './links.ts';
import { notifyRepo } from './notify.repo.ts';
import { registerNotifyRoutes } from './notify.routes.ts';
import { createNotifyService } from './notify.service.ts';
import { createOutbox } from './outbox.ts';
import type { ChannelHealthHook, IncidentsPort } from './ports.ts';

export { JOB_DELIVER } from './delivery.ts';
export { incidentsPort } from './incidents-port.ts';
export type { PageRequest } from './outbox.ts';
export type { ChannelHealthHook, IncidentFacts, IncidentsPort, TimelineWriter } from './ports.ts';

export interface NotifyDeps {
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  audit: Pick<AuditRepo, 'append'>;
  enqueue: EnqueueIn;
  config: {
    baseUrl: string;
    notifyLinkSecret: string;
    notifyLinkTtlHours: number;
    notifySendTimeoutMs: number;
    notifyTimeZone: string;
  };
  workerId: string;
  wake?: () => void;
}

export function createNotify(deps: NotifyDeps) {
  const { db, clock, config } = deps;
  // Set by the pipeline once the incidents stage exists (it needs the notifier in turn).
  let incidents: IncidentsPort | null = null;
  let onChannelHealth: ChannelHealthHook | undefined;
  const port: IncidentsPort = {
    facts: (ex, id) => (incidents ? incidents.facts(ex, id) : Promise.resolve(null)),
    record: (...args) => (incidents ? incidents.record(...args) : Promise.resolve(false)),
    act: (id, action, actor) =>
      incidents ? incidents.act(id, action, actor) : Promise.resolve('gone' as const),
  };
  const links = createActionLinks({
    db,
    clock,
    repo: notifyRepo,
    configuredSecret: config.notifyLinkSecret,
    ttlMs: config.notifyLinkTtlHours * 3_600_000,
    baseUrl: config.baseUrl,
  });
  const outbox = createOutbox({
    clock,
    repo: notifyRepo,
    links,
    incidents: port,
    enqueue: deps.enqueue,
    baseUrl: config.baseUrl,
    timeZone: config.notifyTimeZone,
  });
  const delivery = createDelivery({
    db,
    clock,
    repo: notifyRepo,
    logger: deps.logger.child({ component: 'notify' }),
    enqueue: deps.enqueue,
    incidents: port,
    onChannelHealth: (e) => onChannelHealth?.(e),
    sendTimeoutMs: config.notifySendTimeoutMs,
    workerId: deps.workerId,
  });
  const service = createNotifyService({
    db,
    clock,
    repo: notifyRepo,
    audit: deps.audit,
    outbox,
    ...(deps.wake ? { wake: deps.wake } : {}),
  });

  return {
    service,
    /** The Notifier escalation steps hand their pages to, and resolutions their follow-ups. */
    notifier: { page: outbox.page, resolved: outbox.resolved },
    links,
    handlers: { [JOB_DELIVER]: delivery.handler },
    connectIncidents(port: IncidentsPort) {
      incidents = port;
    },
    onChannelHealth(hook: ChannelHealthHook) {
      onChannelHealth = hook;
    },
    registerRoutes(app: Api) {
      registerNotifyRoutes(app, service);
      registerLinkRoutes(app, {
        links,
        incidents: port,
        userLocale: async (id) => (await notifyRepo.findUser(db, id))?.locale ?? null,
        userName: async (id) => (await notifyRepo.findUser(db, id))?.displayName ?? null,
        incidentLabel: async (id) => {
          const f = incidents ? await incidents.facts(db, id) : null;
          return f ? `#${f.number} ${f.title}` : id;
        },
        baseUrl: config.baseUrl,
      });
    },
  };
}

export type Notify = ReturnType<typeof createNotify>;
