/**
 * When are customers affected? The shop's customer-visible objectives, checked on every simulated tick.
 * A fault's impact starts at the first breach that lasts at least IMPACT_SUSTAIN_MS, so one noisy sample
 * is not an impact, and nothing in a scenario can move the moment by declaration.
 */

import { BATCH_JOB, PAYMENT_PROVIDERS, SERVICES } from './shop.ts';
import type { World } from './world.ts';

export const IMPACT_SUSTAIN_MS = 60_000;
export const PAYMENT_SUCCESS_OBJECTIVE = 0.95;

export interface Breach {
  sli: string;
  /** Human-readable: what was measured against what. */
  detail: string;
}

export interface SloInput {
  world: World;
  /** When the batch job last completed (epoch ms). */
  batchLastSuccess: number;
  /** notAfter of the certificate in service (epoch ms). */
  certNotAfter: number;
}

/** The objectives, for the README and for `sim list-scenarios`. */
export function describeObjectives(): string[] {
  const lines = SERVICES.filter((s) => s.slo).map(
    (s) => `${s.name}: p99 latency ≤ ${s.slo!.p99} s and 5xx ratio ≤ ${s.slo!.errorRatio * 100}%`,
  );
  lines.push(`payments: success rate ≥ ${PAYMENT_SUCCESS_OBJECTIVE * 100}%`);
  lines.push(
    `${BATCH_JOB.name}: paid orders reach the warehouse within ${BATCH_JOB.maxStalenessMs / 60_000} min`,
  );
  lines.push('storefront: TLS certificate valid');
  return lines;
}

export function breaches({ world, batchLastSuccess, certNotAfter }: SloInput): Breach[] {
  const out: Breach[] = [];
  for (const spec of SERVICES) {
    if (!spec.slo) continue;
    const s = world.services.get(spec.name);
    if (!s || s.rps < 0.05) continue;
    if (s.p99 > spec.slo.p99) {
      out.push({
        sli: `${spec.name}:latency`,
        detail: `${spec.name} p99 ${s.p99.toFixed(2)} s > ${spec.slo.p99} s`,
      });
    }
    if (s.errorRatio > spec.slo.errorRatio) {
      out.push({
        sli: `${spec.name}:errors`,
        detail: `${spec.name} 5xx ${(s.errorRatio * 100).toFixed(1)}% > ${spec.slo.errorRatio * 100}%`,
      });
    }
  }
  let ok = 0;
  let all = 0;
  for (const p of PAYMENT_PROVIDERS) {
    const v = world.business.payments.get(p);
    if (!v) continue;
    ok += v.ok;
    all += v.ok + v.failed;
  }
  if (all > 0.05 && ok / all < PAYMENT_SUCCESS_OBJECTIVE) {
    out.push({
      sli: 'payments:success',
      detail: `payment success ${((ok / all) * 100).toFixed(1)}% < ${PAYMENT_SUCCESS_OBJECTIVE * 100}%`,
    });
  }
  const stale = world.t - batchLastSuccess;
  if (stale > BATCH_JOB.maxStalenessMs) {
    out.push({
      sli: 'warehouse:handover',
      detail: `${BATCH_JOB.name} last succeeded ${Math.round(stale / 60_000)} min ago > ${BATCH_JOB.maxStalenessMs / 60_000} min`,
    });
  }
  if (world.t >= certNotAfter) {
    out.push({ sli: 'storefront:tls', detail: 'storefront TLS certificate expired' });
  }
  return out;
}
