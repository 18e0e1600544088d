import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Actor, AuditRepo } from '../../platform/audit/audit.repo.ts';
import { randomSecret, safeEqual, sha256 } from '../../platform/auth/secrets.ts';
import type { Clock } from '../../platform/clock.ts';
import { fromJson, toJson } from '../../platform/db/constraint-errors.ts';
import type { DB } from '../../platform/db/schema.ts';
import { badRequest, notFound, unauthorized } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Severity } from '../incidents/index.ts';
import type {
  createIntegrationBody,
  Integration,
  IntegrationKind,
  RouteConfig,
  RoutingConfig,
  updateIntegrationBody,
} from './alerts.schemas.ts';
import { routingBody } from './alerts.schemas.ts';
import type { AlertSource } from './alerts.service.ts';
import type { AlertConfigRepo, IntegrationRow } from './config.repo.ts';
import type { GenericMapping } from './formats/generic.ts';
import { groupLabels, matchRoutes, referencedIds, routeTreeProblems } from './stages/route.ts';

export interface ConfigServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: AlertConfigRepo;
  audit: Pick<AuditRepo, 'append'>;
  /** Base URL sources reach Steady at (for the URL to paste). */
  baseUrl: string;
  /** Whether a service / team exists (the catalog's answer), to validate the routing tree. */
  exists: (ex: Kysely<DB>, kind: 'service' | 'team', id: string) => Promise<boolean>;
}

/** Route ids from the root down to `id` (ids are unique in a valid tree). */
function pathTo(root: RouteConfig, id: string): string[] {
  if (root.id === id) return [root.id];
  for (const child of root.routes) {
    const rest = pathTo(child, id);
    if (rest.length > 0) return [root.id, ...rest];
  }
  return [];
}

export const DEFAULT_ROUTING: RoutingConfig = {
  route: {
    id: 'default',
    matchers: [],
    groupBy: ['alertname'],
    groupWaitSeconds: 30,
    groupIntervalSeconds: 300,
    continue: false,
    routes: [],
  },
  inhibitRules: [],
};

/** Configuration read on every alert batch is cached briefly; local writes drop the cache at once. */
const CACHE_MS = 2_000;
function cached<T>(load: () => Promise<T>) {
  let value: { at: number; v: Promise<T> } | undefined;
  return {
    get(): Promise<T> {
      const t = performance.now();
      if (!value || t - value.at > CACHE_MS) {
        const v = load();
        value = { at: t, v };
        v.catch(() => {
          value = undefined;
        });
      }
      return value.v;
    },
    drop() {
      value = undefined;
    },
  };
}

export function createAlertConfigService(deps: ConfigServiceDeps) {
  const { db, clock, repo, audit } = deps;

  const urlOf = (id: string) => `${deps.baseUrl}/api/v1/integrations/${id}/webhook`;
  const toIntegration = (r: IntegrationRow): Integration => ({
    id: r.id,
    name: r.name,
    kind: r.kind as IntegrationKind,
    defaultSeverity: r.defaultSeverity as Severity,
    severityLabel: r.severityLabel,
    severityMap: fromJson<Record<string, Severity>>(r.severityMap) ?? {},
    resolveTimeoutSeconds: r.resolveTimeoutSeconds,
    mapping: fromJson<GenericMapping>(r.mapping),
    enabled: r.disabledAt === null,
    tokenPrefix: r.tokenPrefix,
    url: urlOf(r.id),
    lastReceivedAt: r.lastReceivedAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  });
  const mustFind = async (ex: Kysely<DB>, id: string) => {
    const row = await repo.findIntegration(ex, id);
    if (!row) throw notFound('Integration', id);
    return row;
  };
  const newToken = () => {
    const token = `stdyi_${randomSecret(24)}`;
    return { token, tokenHash: sha256(token), tokenPrefix: token.slice(0, 10) };
  };

  const routing = cached(async (): Promise<RoutingConfig> => {
    const row = await repo.getRouting(db);
    return row ? routingBody.parse(JSON.parse(row.config)) : DEFAULT_ROUTING;
  });
  const integrationCache = new Map<string, { at: number; row: IntegrationRow | undefined }>();
  const lastSeenWritten = new Map<string, number>();

  return {
    routing: () => routing.get(),

    async getRouting() {
      const row = await repo.getRouting(db);
      return {
        ...(await routing.get()),
        updatedAt: row?.updatedAt ?? null,
        updatedBy: row?.updatedBy ?? null,
      };
    },

    /** The routes a set of labels goes to (the same walk the intake does), for the routing editor. */
    async testRouting(labels: Record<string, string>, draft?: RouteConfig) {
      if (draft) {
        const problems = routeTreeProblems(draft);
        if (problems.length > 0)
          throw badRequest(`Invalid routing tree: ${problems.join('; ')}`, { problems });
      }
      const root = draft ?? (await routing.get()).route;
      return {
        matches: matchRoutes(root, labels).map((r) => ({
          id: r.id,
          path: pathTo(root, r.id),
          serviceId: r.serviceId,
          teamId: r.teamId,
          escalationPolicyId: r.escalationPolicyId,
          severity: r.severity,
          groupBy: [...r.groupBy],
          groupWaitSeconds: r.groupWaitMs / 1000,
          groupIntervalSeconds: r.groupIntervalMs / 1000,
          groupLabels: groupLabels(r, labels),
        })),
      };
    },

    async putRouting(actor: Actor, input: RoutingConfig) {
      const problems = routeTreeProblems(input.route);
      await db.transaction().execute(async (trx) => {
        const { services, teams } = referencedIds(input.route);
        for (const id of services)
          if (!(await deps.exists(trx, 'service', id))) problems.push(`service ${id} does not exist`);
        for (const id of teams)
          if (!(await deps.exists(trx, 'team', id))) problems.push(`team ${id} does not exist`);
        if (problems.length > 0)
          throw badRequest(`Invalid routing tree: ${problems.join('; ')}`, { problems });
        const before = await repo.getRouting(trx);
        const now = clock.now();
        await repo.putRouting(trx, toJson(input), now, actor.name);
        await audit.append(trx, now, actor, {
          action: 'alert_routing.update',
          entityType: 'alert_routing',
          entityId: null,
          before: before ? JSON.parse(before.config) : DEFAULT_ROUTING,
          after: input,
        });
      });
      routing.drop();
      return this.getRouting();
    },

    listIntegrations: async () => (await repo.listIntegrations(db)).map(toIntegration),
    getIntegration: async (id: string) => toIntegration(await mustFind(db, id)),

    async createIntegration(actor: Actor, input: z.output<typeof createIntegrationBody>) {
      const now = clock.now();
      const { token, ...secret } = newToken();
      const row: IntegrationRow = {
        id: newId(),
        name: input.name,
        kind: input.kind,
        ...secret,
        defaultSeverity: input.defaultSeverity,
        severityLabel: input.severityLabel,
        severityMap: toJson(lowerKeys(input.severityMap)),
        resolveTimeoutSeconds: input.resolveTimeoutSeconds,
        mapping: input.kind === 'webhook' ? toJson(input.mapping) : null,
        disabledAt: null,
        lastReceivedAt: null,
        createdAt: now,
        updatedAt: now,
      };
      return db.transaction().execute(async (trx) => {
        await repo.insertIntegration(trx, row);
        const after = toIntegration(row);
        await audit.append(trx, now, actor, {
          action: 'integration.create',
          entityType: 'integration',
          entityId: row.id,
          after,
        });
        return { ...after, token, urlWithToken: `${after.url}/${token}` };
      });
    },

    async updateIntegration(actor: Actor, id: string, input: z.output<typeof updateIntegrationBody>) {
      const result = await db.transaction().execute(async (trx) => {
        const beforeRow = await mustFind(trx, id);
        if (input.mapping === null && beforeRow.kind === 'webhook')
          throw badRequest('Invalid request: body.mapping: a generic webhook needs a field mapping');
        if (input.mapping && beforeRow.kind !== 'webhook')
          throw badRequest(
            `Invalid request: body.mapping: only generic webhooks have a field mapping, not ${beforeRow.kind}`,
          );
        const now = clock.now();
        const { enabled, severityMap, mapping, ...rest } = input;
        await repo.updateIntegration(trx, id, {
          ...rest,
          ...(severityMap ? { severityMap: toJson(lowerKeys(severityMap)) } : {}),
          ...(mapping !== undefined ? { mapping: mapping === null ? null : toJson(mapping) } : {}),
          ...(enabled !== undefined ? { disabledAt: enabled ? null : (beforeRow.disabledAt ?? now) } : {}),
          updatedAt: now,
        });
        const after = toIntegration(await mustFind(trx, id));
        await audit.append(trx, now, actor, {
          action: 'integration.update',
          entityType: 'integration',
          entityId: id,
          before: toIntegration(beforeRow),
          after,
        });
        return after;
      });
      integrationCache.delete(id);
      return result;
    },

    async rotateToken(actor: Actor, id: string) {
      const { token, ...secret } = newToken();
      const result = await db.transaction().execute(async (trx) => {
        await mustFind(trx, id);
        const now = clock.now();
        await repo.updateIntegration(trx, id, { ...secret, updatedAt: now });
        const after = toIntegration(await mustFind(trx, id));
        await audit.append(trx, now, actor, {
          action: 'integration.rotate_token',
          entityType: 'integration',
          entityId: id,
          after,
        });
        return { ...after, token, urlWithToken: `${after.url}/${token}` };
      });
      integrationCache.delete(id);
      return result;
    },

    async deleteIntegration(actor: Actor, id: string) {
      await db.transaction().execute(async (trx) => {
        const before = toIntegration(await mustFind(trx, id));
        await repo.deleteIntegration(trx, id);
        await audit.append(trx, clock.now(), actor, {
          action: 'integration.delete',
          entityType: 'integration',
          entityId: id,
          before,
        });
      });
      integrationCache.delete(id);
    },

    /**
     * The integration a webhook call is for, if its token is right. Unknown id, wrong token and a disabled
     * integration all answer 401 alike, so the reply does not reveal which integrations exist.
     */
    async authenticate(
      id: string,
      token: string | undefined,
    ): Promise<{ integration: Integration; source: AlertSource }> {
      const t = performance.now();
      let hit = integrationCache.get(id);
      if (!hit || t - hit.at > CACHE_MS) {
        hit = { at: t, row: await repo.findIntegration(db, id) };
        integrationCache.set(id, hit);
      }
      const row = hit.row;
      if (!token)
        throw unauthorized('Send the integration token as "Authorization: Bearer <token>" or in the URL');
      if (!row || !safeEqual(row.tokenHash, sha256(token)) || row.disabledAt !== null)
        throw unauthorized('Unknown integration, wrong token, or the integration is disabled');
      const now = clock.now();
      // Recorded at most every 10 s per integration, so an alert storm does not turn into a write storm.
      if ((lastSeenWritten.get(id) ?? 0) < now - 10_000) {
        lastSeenWritten.set(id, now);
        await repo.updateIntegration(db, id, { lastReceivedAt: now });
      }
      const integration = toIntegration(row);
      return {
        integration,
        source: {
          integrationId: row.id,
          name: row.kind,
          defaultSeverity: integration.defaultSeverity,
          severityLabel: integration.severityLabel,
          severityMap: integration.severityMap,
          resolveTimeoutMs: row.resolveTimeoutSeconds === null ? null : row.resolveTimeoutSeconds * 1000,
        },
      };
    },
  };
}

const lowerKeys = (m: Record<string, Severity>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k.trim().toLowerCase(), v]));

export type AlertConfigService = ReturnType<typeof createAlertConfigService>;
