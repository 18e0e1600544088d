/** What one run of a check found, before the state machine decides what it means for the probe. */
export interface CheckOutcome {
  /** The check passed (written as probe_success 1); a degraded check is still ok. */
  ok: boolean;
  /** Why a passing check is degraded (slow, certificate close to expiry), else null. */
  degraded: string | null;
  /** Why the check failed, in words an operator can act on; null when ok. */
  reason: string | null;
  durationMs: number;
  statusCode?: number;
  tlsDaysLeft?: number;
  dnsLookupMs?: number;
}

export const MS_PER_DAY = 86_400_000;

/** Days from `now` to a certificate's notAfter, as a fraction (negative once expired). */
export function daysLeft(validTo: string, now: number): number | undefined {
  const end = Date.parse(validTo);
  return Number.isNaN(end) ? undefined : Math.round(((end - now) / MS_PER_DAY) * 100) / 100;
}

/** Turns socket and TLS errors into a short reason. */
export function describeNetworkError(err: unknown, target: string): string {
  const e = err as NodeJS.ErrnoException & { reason?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${target}`;
    case 'ECONNRESET':
      return `connection reset by ${target}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DNS lookup failed for ${target} (${e.code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${target} is unreachable (${e.code})`;
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `TLS certificate of ${target} rejected: ${e.message} (${e.code})`;
    default:
      return e.message ? `${e.message}${e.code ? ` (${e.code})` : ''}` : String(err);
  }
}

/** Applies the latency thresholds shared by the check kinds. */
export function latencyVerdict(
  durationMs: number,
  limits: { degradedAboveMs?: number | undefined; downAboveMs?: number | undefined },
): { fail: string | null; degraded: string | null } {
  const ms = Math.round(durationMs);
  if (limits.downAboveMs !== undefined && durationMs > limits.downAboveMs) {
    return { fail: `responded in ${ms} ms, over the ${limits.downAboveMs} ms limit`, degraded: null };
  }
  if (limits.degradedAboveMs !== undefined && durationMs > limits.degradedAboveMs) {
    return { fail: null, degraded: `slow: ${ms} ms, over the ${limits.degradedAboveMs} ms threshold` };
  }
  return { fail: null, degraded: null };
}

export function tlsVerdict(
  days: number | undefined,
  warningDays: number,
): { fail: string | null; degraded: string | null } {
  if (days === undefined) return { fail: null, degraded: null };
  if (days < 0)
    return { fail: `TLS certificate expired ${Math.abs(days).toFixed(1)} days ago`, degraded: null };
  if (days < warningDays) {
    return {
      fail: null,
      degraded: `TLS certificate expires in ${days.toFixed(1)} days (warning below ${warningDays})`,
    };
  }
  return { fail: null, degraded: null };
}
