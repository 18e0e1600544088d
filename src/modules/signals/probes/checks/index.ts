import type { ProbeSettings } from '../probes.schemas.ts';
import { checkDns } from './dns.ts';
import { checkHttp } from './http.ts';
import { checkTcp } from './tcp.ts';
import type { CheckOutcome } from './types.ts';

export type { CheckOutcome } from './types.ts';

/** Runs an active check (a heartbeat is passive: the runner judges it from the last ping). */
export type RunCheck = (
  settings: Exclude<ProbeSettings, { kind: 'heartbeat' }>,
  timeoutMs: number,
  now: number,
) => Promise<CheckOutcome>;

export const runCheck: RunCheck = (settings, timeoutMs, now) => {
  switch (settings.kind) {
    case 'http':
      return checkHttp(settings.http, timeoutMs, now);
    case 'tcp':
      return checkTcp(settings.tcp, timeoutMs, now);
    case 'dns':
      return checkDns(settings.dns, timeoutMs);
  }
};
