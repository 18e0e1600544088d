import { Resolver } from 'node:dns/promises';
import type { DnsSettings } from '../probes.schemas.ts';
import { type CheckOutcome, latencyVerdict } from './types.ts';

/** The answers of one record type as plain strings, so "expect" can look for text in any of them. */
async function answers(resolver: Resolver, s: DnsSettings): Promise<string[]> {
  switch (s.recordType) {
    case 'A':
      return resolver.resolve4(s.name);
    case 'AAAA':
      return resolver.resolve6(s.name);
    case 'CNAME':
      return resolver.resolveCname(s.name);
    case 'NS':
      return resolver.resolveNs(s.name);
    case 'MX':
      return (await resolver.resolveMx(s.name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(s.name)).map((chunks) => chunks.join(''));
  }
}

/** Resolves the record through the given server (or the system's), and checks an expected answer. */
export async function checkDns(s: DnsSettings, timeoutMs: number): Promise<CheckOutcome> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  if (s.server) resolver.setServers([s.server]);
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      resolver.cancel();
      reject(new Error(`DNS query timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  const where = `${s.recordType} ${s.name}${s.server ? ` @${s.server}` : ''}`;
  try {
    const found = await Promise.race([answers(resolver, s), timeout]);
    const durationMs = performance.now() - started;
    const measured = { durationMs, dnsLookupMs: durationMs };
    if (found.length === 0) return { ok: false, degraded: null, reason: `no ${where} records`, ...measured };
    if (s.expect !== undefined) {
      const want = s.expect.toLowerCase();
      if (!found.some((a) => a.toLowerCase().includes(want))) {
        return {
          ok: false,
          degraded: null,
          reason: `${where} answered ${found.slice(0, 5).join(', ')}; expected one containing "${s.expect}"`,
          ...measured,
        };
      }
    }
    const latency = latencyVerdict(durationMs, s);
    return { ok: true, degraded: latency.degraded, reason: null, ...measured };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code ? `${where} failed: ${e.code}` : `${where}: ${e.message}`;
    return { ok: false, degraded: null, reason, durationMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
