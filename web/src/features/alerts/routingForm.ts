import type { RouteConfig, RoutingConfig } from './api';
import { formatMatchers, parseMatchers } from './matchers';

type Severity = 'P1' | 'P2' | 'P3';

/** One first-level route as the editor holds it; deeper routes ride along untouched in `children`. */
export interface RouteValues {
  id: string;
  matchers: string;
  serviceId?: string | undefined;
  teamId?: string | undefined;
  escalationPolicyId?: string | undefined;
  severity?: Severity | undefined;
  groupBy?: string[] | undefined;
  continue: boolean;
  children: RouteConfig[];
}

export interface RoutingValues {
  root: {
    groupBy: string[];
    groupWaitSeconds: number | null;
    groupIntervalSeconds: number | null;
    serviceId?: string | undefined;
    teamId?: string | undefined;
    escalationPolicyId?: string | undefined;
  };
  routes: RouteValues[];
}

const some = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

export function toValues(config: RoutingConfig): RoutingValues {
  const r = config.route;
  return {
    root: {
      groupBy: r.groupBy ?? ['alertname'],
      groupWaitSeconds: r.groupWaitSeconds ?? 30,
      groupIntervalSeconds: r.groupIntervalSeconds ?? 300,
      serviceId: some(r.serviceId),
      teamId: some(r.teamId),
      escalationPolicyId: some(r.escalationPolicyId),
    },
    routes: r.routes.map((c) => ({
      id: c.id,
      matchers: formatMatchers(c.matchers),
      serviceId: some(c.serviceId),
      teamId: some(c.teamId),
      escalationPolicyId: some(c.escalationPolicyId),
      severity: some(c.severity),
      groupBy: c.groupBy,
      continue: c.continue,
      children: c.routes,
    })),
  };
}

/** Only what is set goes into the tree: an empty choice means "inherit from the default route". */
const set = <K extends string, V>(key: K, v: V | undefined | null) =>
  (v === undefined || v === null || (Array.isArray(v) && v.length === 0) ? {} : { [key]: v }) as Partial<
    Record<K, V>
  >;

export function toRoute(v: RoutingValues, rootId: string): RouteConfig {
  return {
    id: rootId,
    matchers: [],
    groupBy: v.root.groupBy,
    ...set('groupWaitSeconds', v.root.groupWaitSeconds),
    ...set('groupIntervalSeconds', v.root.groupIntervalSeconds),
    ...set('serviceId', v.root.serviceId),
    ...set('teamId', v.root.teamId),
    ...set('escalationPolicyId', v.root.escalationPolicyId),
    continue: false,
    routes: (v.routes ?? []).map((r) => ({
      id: r.id,
      matchers: parseMatchers(r.matchers ?? '') ?? [],
      ...set('serviceId', r.serviceId),
      ...set('teamId', r.teamId),
      ...set('escalationPolicyId', r.escalationPolicyId),
      ...set('severity', r.severity),
      ...set('groupBy', r.groupBy),
      continue: !!r.continue,
      routes: r.children ?? [],
    })),
  } as RouteConfig;
}

/** `service=checkout` per line, or Alertmanager's `{service="checkout", env="prod"}`. */
export function parseLabelText(text: string): Record<string, string> | null {
  const trimmed = text.trim();
  if (!trimmed) return {};
  if (trimmed.includes('"')) {
    const ms = parseMatchers(trimmed.replaceAll('\n', ','));
    if (!ms || ms.some((m) => m.op !== '=')) return null;
    return Object.fromEntries(ms.map((m) => [m.name, m.value]));
  }
  const out: Record<string, string> = {};
  for (const part of trimmed.split(/[\n,]/)) {
    if (!part.trim()) continue;
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(part);
    if (!m) return null;
    out[m[1] as string] = m[2] as string;
  }
  return out;
}

/** A server issue path (`route.routes.2.matchers.0.value`) → the editor field it belongs to. */
export function fieldOf(path: string): (string | number)[] | null {
  const child = /^route\.routes\.(\d+)\.(\w+)/.exec(path);
  if (child) return ['routes', Number(child[1]), child[2] as string];
  const root = /^route\.(groupBy|groupWaitSeconds|groupIntervalSeconds)/.exec(path);
  return root ? ['root', root[1] as string] : null;
}

export const nextRouteId = (routes: readonly { id: string }[]) => {
  const ids = new Set(routes.map((r) => r.id));
  let n = routes.length + 1;
  while (ids.has(`route-${n}`)) n++;
  return `route-${n}`;
};
