import type { CreateProbeInput, ProbeDetail, ProbeListItem, UpdateProbeInput } from './api';

/** The form's shape: the API's, with lists of pairs for maps and minutes for the heartbeat period. */
export interface Pair {
  key: string;
  value: string;
}
export interface JsonRow {
  path: string;
  op: string;
  value?: string;
}
export interface ProbeFormValues {
  name: string;
  kind: ProbeListItem['kind'];
  serviceId?: string | null;
  intervalSeconds: number;
  timeoutMs: number;
  retries: number;
  labels: Pair[];
  http: {
    url: string;
    method: string;
    headers: Pair[];
    body?: string;
    expectStatus: string[];
    bodyContains?: string;
    bodyNotContains?: string;
    bodyMatches?: string;
    bodyNotMatches?: string;
    json: JsonRow[];
    degradedAboveMs?: number | null;
    downAboveMs?: number | null;
    followRedirects: boolean;
    tlsVerify: boolean;
    tlsWarningDays: number;
  };
  tcp: {
    host: string;
    port?: number;
    tls: boolean;
    tlsVerify: boolean;
    tlsWarningDays: number;
    degradedAboveMs?: number | null;
  };
  dns: {
    name: string;
    recordType: string;
    server?: string;
    expect?: string;
    degradedAboveMs?: number | null;
  };
  heartbeat: { periodMinutes: number; graceMinutes: number };
}

export const DEFAULTS: ProbeFormValues = {
  name: '',
  kind: 'http',
  serviceId: null,
  intervalSeconds: 60,
  timeoutMs: 10_000,
  retries: 1,
  labels: [],
  http: {
    url: '',
    method: 'GET',
    headers: [],
    expectStatus: ['200-299'],
    json: [],
    followRedirects: true,
    tlsVerify: true,
    tlsWarningDays: 14,
  },
  tcp: { host: '', tls: false, tlsVerify: true, tlsWarningDays: 14 },
  dns: { name: '', recordType: 'A' },
  heartbeat: { periodMinutes: 60, graceMinutes: 5 },
};

const blank = (v: string | undefined | null): string | undefined =>
  v === undefined || v === null || v.trim() === '' ? undefined : v;
const optNum = (v: number | null | undefined): number | undefined =>
  v === null || v === undefined ? undefined : v;
const pairs = (list: Pair[] | undefined): Record<string, string> =>
  Object.fromEntries((list ?? []).filter((p) => p?.key).map((p) => [p.key.trim(), p.value ?? '']));
const toPairs = (m: unknown): Pair[] =>
  Object.entries((m ?? {}) as Record<string, string>).map(([key, value]) => ({ key, value }));

/** A typed-in assertion value: JSON when it parses (numbers, true, null, "text"), else the text itself. */
function jsonValue(op: string, v: string | undefined): string | number | boolean | null | undefined {
  if (op === 'exists' || op === 'absent') return undefined;
  if (v === undefined) return undefined;
  if (op === 'contains' || op === 'matches') return v;
  try {
    const parsed = JSON.parse(v) as unknown;
    if (parsed === null || ['string', 'number', 'boolean'].includes(typeof parsed)) return parsed as string;
  } catch {
    // plain text
  }
  return v;
}

function settings(v: ProbeFormValues) {
  switch (v.kind) {
    case 'http': {
      const h = v.http;
      return {
        http: {
          url: h.url.trim(),
          method: h.method as 'GET',
          headers: pairs(h.headers),
          body: blank(h.body),
          expectStatus: h.expectStatus,
          bodyContains: blank(h.bodyContains),
          bodyNotContains: blank(h.bodyNotContains),
          bodyMatches: blank(h.bodyMatches),
          bodyNotMatches: blank(h.bodyNotMatches),
          json: (h.json ?? []).map((j) => ({
            path: j.path,
            op: j.op as '==',
            value: jsonValue(j.op, j.value),
          })),
          degradedAboveMs: optNum(h.degradedAboveMs),
          downAboveMs: optNum(h.downAboveMs),
          followRedirects: h.followRedirects,
          tlsVerify: h.tlsVerify,
          tlsWarningDays: h.tlsWarningDays,
        },
      };
    }
    case 'tcp':
      return {
        tcp: {
          ...v.tcp,
          host: v.tcp.host.trim(),
          port: v.tcp.port as number,
          degradedAboveMs: optNum(v.tcp.degradedAboveMs),
        },
      };
    case 'dns':
      return {
        dns: {
          name: v.dns.name.trim(),
          recordType: v.dns.recordType as 'A',
          server: blank(v.dns.server),
          expect: blank(v.dns.expect),
          degradedAboveMs: optNum(v.dns.degradedAboveMs),
        },
      };
    case 'heartbeat':
      return {
        heartbeat: {
          periodSeconds: Math.round(v.heartbeat.periodMinutes * 60),
          graceSeconds: Math.round(v.heartbeat.graceMinutes * 60),
        },
      };
  }
}

function common(v: ProbeFormValues) {
  return {
    name: v.name,
    serviceId: v.serviceId ?? null,
    intervalSeconds: v.intervalSeconds,
    timeoutMs: v.timeoutMs,
    retries: v.retries,
    labels: pairs(v.labels),
  };
}

export const toCreateBody = (v: ProbeFormValues): CreateProbeInput =>
  ({ ...common(v), kind: v.kind, ...settings(v) }) as CreateProbeInput;

export const toUpdateBody = (v: ProbeFormValues): UpdateProbeInput =>
  ({ ...common(v), ...settings(v) }) as UpdateProbeInput;

export function toFormValues(p: ProbeDetail | ProbeListItem): ProbeFormValues {
  const v: ProbeFormValues = {
    ...DEFAULTS,
    name: p.name,
    kind: p.kind,
    serviceId: p.serviceId,
    intervalSeconds: p.intervalSeconds,
    timeoutMs: p.timeoutMs,
    retries: p.retries,
    labels: toPairs(p.labels),
  };
  if (p.kind === 'http') {
    const h = p.http as Record<string, unknown>;
    v.http = {
      ...DEFAULTS.http,
      ...(h as Partial<ProbeFormValues['http']>),
      headers: toPairs(h.headers),
      json: ((h.json ?? []) as { path: string; op: string; value?: unknown }[]).map((j) => ({
        path: j.path,
        op: j.op,
        value:
          j.value === undefined ? undefined : typeof j.value === 'string' ? j.value : JSON.stringify(j.value),
      })),
    };
  }
  if (p.kind === 'tcp') v.tcp = { ...DEFAULTS.tcp, ...(p.tcp as object) };
  if (p.kind === 'dns') v.dns = { ...DEFAULTS.dns, ...(p.dns as object) };
  if (p.kind === 'heartbeat') {
    const hb = p.heartbeat as { periodSeconds: number; graceSeconds: number };
    v.heartbeat = { periodMinutes: hb.periodSeconds / 60, graceMinutes: hb.graceSeconds / 60 };
  }
  return v;
}
