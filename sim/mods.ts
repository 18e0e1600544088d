/**
 * What faults change in the world, as plain multipliers and additions. A fresh Mods starts neutral every
 * tick; each active scenario adds its effect for that moment; the world model reads the result.
 */

export interface InstanceMods {
  /** Multiplies the instance's request capacity (CPU stolen, threads blocked). */
  capacity: number;
  /** Cores the process burns on top of serving requests (a runaway thread, GC). */
  cpuExtra: number;
  latencyMult: number;
  /** Seconds added to every request's own time. */
  latencyAdd: number;
  /** Share of requests failing with 5xx for the instance's own reasons. */
  errorAdd: number;
  memoryExtra: number;
  /** The process is not serving (crashed, restarting); the load balancer sends its share elsewhere. */
  down: boolean;
  /** When the process last (re)started, if a fault restarted it. */
  startedAt: number | undefined;
  /** Database connections taken from the pool and never returned. */
  poolLeaked: number;
}

export interface Mods {
  instances: Map<string, InstanceMods>;
  /** Extra cores burnt on a host by something outside the services. */
  hostCpuExtra: Map<string, number>;
  /** Extra share of a host's data disk used. */
  hostDiskExtra: Map<string, number>;
  /** Cache nodes (by host) not serving. */
  cacheNodesDown: Set<string>;
  /** Share of cache lookups missing on top of the normal misses. */
  cacheMissExtra: number;
  /** Share of database queries that run a pathological plan (full scans). */
  dbSlowShare: number;
  /** Database writes fail (disk full). */
  dbWritesFail: boolean;
  /** Failure share per payment provider's gateway, and latency it adds. */
  gatewayErrors: Map<string, number>;
  gatewayLatency: number;
  /** Bot requests per second (credential stuffing) through the storefront onto the login service. */
  botRps: number;
  /** The batch job hangs: no runs complete, no heartbeats. */
  batchStuck: boolean;
  /** The certificate in service, when a fault replaced it. */
  certNotAfter: number | undefined;
  /** Multiplies the queue consumers' capacity. */
  mqConsumer: number;
}

export function neutralInstance(): InstanceMods {
  return {
    capacity: 1,
    cpuExtra: 0,
    latencyMult: 1,
    latencyAdd: 0,
    errorAdd: 0,
    memoryExtra: 0,
    down: false,
    startedAt: undefined,
    poolLeaked: 0,
  };
}

export function neutralMods(): Mods {
  return {
    instances: new Map(),
    hostCpuExtra: new Map(),
    hostDiskExtra: new Map(),
    cacheNodesDown: new Set(),
    cacheMissExtra: 0,
    dbSlowShare: 0,
    dbWritesFail: false,
    gatewayErrors: new Map(),
    gatewayLatency: 0,
    botRps: 0,
    batchStuck: false,
    certNotAfter: undefined,
    mqConsumer: 1,
  };
}

/** The mutable effects of one instance (`host:port`), created neutral on first use. */
export function instanceMods(mods: Mods, id: string): InstanceMods {
  let m = mods.instances.get(id);
  if (!m) {
    m = neutralInstance();
    mods.instances.set(id, m);
  }
  return m;
}

const NEUTRAL: Readonly<InstanceMods> = Object.freeze(neutralInstance());

export function readInstance(mods: Mods, id: string): Readonly<InstanceMods> {
  return mods.instances.get(id) ?? NEUTRAL;
}
