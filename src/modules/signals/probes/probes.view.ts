import type { ProbeEventRow, ProbeResultRow, ProbeRowWithService } from './probes.repo.ts';
import type { Probe, ProbeResult, ProbeSettings, ProbeState } from './probes.schemas.ts';

/** Header values that are credentials are never shown back; sending the mask on update keeps the value. */
export const SECRET_MASK = '••••••';
const SECRET_HEADER = /authorization|cookie|token|secret|password|api-?key/i;

export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, SECRET_HEADER.test(k) ? SECRET_MASK : v]),
  );
}

/** A masked value in an update stands for the value already stored under that header. */
export function unmaskHeaders(
  next: Record<string, string>,
  stored: Record<string, string>,
): Record<string, string> {
  const byLower = new Map(Object.entries(stored).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.fromEntries(
    Object.entries(next).map(([k, v]) => [k, v === SECRET_MASK ? (byLower.get(k.toLowerCase()) ?? '') : v]),
  );
}

export const settingsOf = (row: { kind: string; settings: string }): ProbeSettings =>
  ({ kind: row.kind, [row.kind]: JSON.parse(row.settings) }) as ProbeSettings;

export const toResult = (row: ProbeResultRow): ProbeResult => ({
  at: row.at,
  ok: Boolean(row.ok),
  state: row.state as ProbeState,
  durationMs: row.durationMs,
  statusCode: row.statusCode,
  tlsDaysLeft: row.tlsDaysLeft,
  reason: row.reason,
  manual: Boolean(row.manual),
});

export const toEvent = (row: ProbeEventRow) => ({
  at: row.at,
  from: row.fromState as ProbeState,
  to: row.toState as ProbeState,
  reason: row.reason,
});

export function toProbe(row: ProbeRowWithService): Probe {
  const settings = JSON.parse(row.settings) as Record<string, unknown>;
  if (row.kind === 'http') settings.headers = maskHeaders((settings.headers ?? {}) as Record<string, string>);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as Probe['kind'],
    serviceId: row.serviceId,
    serviceName: row.serviceName,
    intervalSeconds: row.intervalSeconds,
    timeoutMs: row.timeoutMs,
    retries: row.retries,
    labels: JSON.parse(row.labels) as Record<string, string>,
    enabled: row.pausedAt === null,
    [row.kind]: settings,
    state: row.state as ProbeState,
    stateSince: row.stateSince,
    stateReason: row.stateReason,
    consecutiveFailures: row.consecutiveFailures,
    lastResult:
      row.lastRunAt === null
        ? null
        : {
            at: row.lastRunAt,
            ok: Boolean(row.lastOk),
            state: row.state as ProbeState,
            durationMs: row.lastDurationMs ?? 0,
            statusCode: row.lastStatusCode,
            tlsDaysLeft: row.lastTlsDaysLeft,
            reason: row.lastReason,
            manual: false,
          },
    tlsDaysLeft: row.lastTlsDaysLeft,
    lastHeartbeatAt: row.lastHeartbeatAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
