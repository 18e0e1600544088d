import type { Severity } from '../../incidents/index.ts';
import type { RouteConfig } from '../alerts.schemas.ts';
import { fingerprint, type Labels, matchesAll } from '../matchers.ts';

/** A matched route with everything inherited from its parents filled in. */
export interface ResolvedRoute {
  id: string;
  groupBy: readonly string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  serviceId: string | null;
  teamId: string | null;
  escalationPolicyId: string | null;
  severity: Severity | null;
}

/** Alertmanager's defaults for a tree that says nothing. */
export const ROOT_DEFAULTS: ResolvedRoute = {
  id: 'default',
  groupBy: ['alertname'],
  groupWaitMs: 30_000,
  groupIntervalMs: 300_000,
  serviceId: null,
  teamId: null,
  escalationPolicyId: null,
  severity: null,
};

function inherit(parent: ResolvedRoute, r: RouteConfig): ResolvedRoute {
  return {
    id: r.id,
    groupBy: r.groupBy ?? parent.groupBy,
    groupWaitMs: r.groupWaitSeconds === undefined ? parent.groupWaitMs : r.groupWaitSeconds * 1000,
    groupIntervalMs:
      r.groupIntervalSeconds === undefined ? parent.groupIntervalMs : r.groupIntervalSeconds * 1000,
    serviceId: r.serviceId === undefined ? parent.serviceId : r.serviceId,
    teamId: r.teamId === undefined ? parent.teamId : r.teamId,
    escalationPolicyId: r.escalationPolicyId === undefined ? parent.escalationPolicyId : r.escalationPolicyId,
    severity: r.severity === undefined ? parent.severity : r.severity,
  };
}

/**
 * The routes an alert goes to, as Alertmanager walks its tree: depth first, the deepest matching routes
 * win; siblings after a match are tried only if the matching one says `continue`; a route none of whose
 * children match takes the alert itself. The root matches everything (it is the default route).
 */
export function matchRoutes(root: RouteConfig, labels: Labels): ResolvedRoute[] {
  const walk = (route: RouteConfig, parent: ResolvedRoute): ResolvedRoute[] => {
    const self = inherit(parent, route);
    const out: ResolvedRoute[] = [];
    for (const child of route.routes) {
      if (!matchesAll(child.matchers, labels)) continue;
      out.push(...walk(child, self));
      if (!child.continue) break;
    }
    return out.length > 0 ? out : [self];
  };
  return walk(root, ROOT_DEFAULTS);
}

/** The values of the grouping labels; `...` groups by all labels (so every alert is its own group). */
export function groupLabels(route: ResolvedRoute, labels: Labels): Record<string, string> {
  if (route.groupBy.includes('...')) return { ...labels };
  const out: Record<string, string> = {};
  for (const name of route.groupBy) if (labels[name] !== undefined) out[name] = labels[name];
  return out;
}

/** Stable across restarts and instances: the route and the values of its grouping labels. */
export const groupKeyOf = (route: ResolvedRoute, group: Labels): string =>
  `${route.id}:${fingerprint(route.id, group)}`;

/** Problems with a tree beyond its schema: duplicate ids, a root with matchers, too deep. */
export function routeTreeProblems(root: RouteConfig): string[] {
  const problems: string[] = [];
  if (root.matchers.length > 0)
    problems.push('route: the root route is the default route and takes no matchers');
  if (root.continue) problems.push('route: the root route cannot "continue"');
  const seen = new Set<string>();
  const walk = (r: RouteConfig, path: string, depth: number) => {
    if (seen.has(r.id)) problems.push(`${path}: route id "${r.id}" is used twice`);
    seen.add(r.id);
    if (depth > 10) problems.push(`${path}: the tree is deeper than 10 levels`);
    r.routes.forEach((c, i) => {
      walk(c, `${path}.routes.${i}`, depth + 1);
    });
  };
  walk(root, 'route', 0);
  return problems;
}

/** Every service and team id the tree names (to check they exist). */
export function referencedIds(root: RouteConfig): { services: Set<string>; teams: Set<string> } {
  const services = new Set<string>();
  const teams = new Set<string>();
  const walk = (r: RouteConfig) => {
    if (r.serviceId) services.add(r.serviceId);
    if (r.teamId) teams.add(r.teamId);
    r.routes.forEach(walk);
  };
  walk(root);
  return { services, teams };
}
