/**
 * The state of the shop at one moment: traffic flows down the call graph, then latency and errors flow
 * back up it. Utilisation drives CPU and queueing delay (M/M/1-like: delay grows as 1/(1-ρ), so latency
 * rises slowly until near saturation and then steeply); overload sheds requests as 503s.
 */

import { type Mods, readInstance } from './mods.ts';
import { gaussian, normalCdf, smoothNoise, streamKey } from './random.ts';
import {
  HOST_BY_NAME,
  HOSTS,
  INSTANCES,
  type Instance,
  ORDER_PLACEMENT_SHARE,
  PAYMENT_BASE_FAILURE,
  PAYMENT_PROVIDERS,
  PEAK_PAGE_VIEWS,
  PROVIDER_SHARE,
  SERVICE_BY_NAME,
  SERVICES,
} from './shop.ts';
import { capacityFactor, type Promotion, pageViews, promotionFactor } from './traffic.ts';

export interface Quantiles {
  p50: number;
  p90: number;
  p99: number;
}

export interface InstanceState extends Quantiles {
  instance: Instance;
  up: boolean;
  /** Requests per second by status code. */
  rps: { ok: number; notFound: number; unauthorized: number; error: number; unavailable: number };
  total: number;
  /** Cores in use by the process. */
  cpu: number;
  rssBytes: number;
  pool?: { max: number; active: number; idle: number; pending: number; timeoutsPerSec: number };
}

export interface ServiceState extends Quantiles {
  rps: number;
  /** Share of requests answered with 5xx. */
  errorRatio: number;
}

export interface HostState {
  cpuBusy: number;
  load1: number;
  memAvailableBytes: number;
  diskUsedRatio: number;
}

export interface World {
  t: number;
  pageViews: number;
  /** Page views customers attempted (more than `pageViews` when they cannot reach the site). */
  demandPageViews: number;
  promotion: number;
  instances: Map<string, InstanceState>;
  services: Map<string, ServiceState>;
  hosts: Map<string, HostState>;
  cache: { hitRatio: number; nodes: Map<string, { up: boolean; hitsPerSec: number; missesPerSec: number }> };
  db: {
    qps: number;
    slowPerSec: number;
    threadsRunning: number;
    threadsConnected: number;
    writesFail: boolean;
  };
  mq: { publishPerSec: number; consumeCapacity: number };
  business: {
    ordersPerSec: number;
    gmvPerSec: number;
    payments: Map<string, { ok: number; failed: number }>;
    loginFailuresPerSec: number;
  };
}

export interface WorldInput {
  seed: number;
  promotions: readonly Promotion[];
  intervalMs: number;
}

const FEATURE_STORE_TIMEOUT = 0.8;
const POOL_TIMEOUT = 3;

/** Quantile `level` of a mixture of log-normal latency distributions fitted to each part's p50/p99. */
function mixtureQuantile(parts: readonly { w: number; q: Quantiles }[], level: number): number {
  const fits = parts
    .filter((p) => p.w > 0)
    .map((p) => ({
      w: p.w,
      mu: Math.log(p.q.p50),
      sigma: Math.max(1e-3, (Math.log(p.q.p99) - Math.log(p.q.p50)) / 2.326),
    }));
  const total = fits.reduce((a, f) => a + f.w, 0);
  if (fits.length === 0 || total <= 0) return Number.NaN;
  if (fits.length === 1) {
    const f = fits[0]!;
    const z = level === 0.5 ? 0 : level === 0.9 ? 1.2816 : 2.3263;
    return Math.exp(f.mu + f.sigma * z);
  }
  let lo = Math.min(...fits.map((f) => f.mu - 4 * f.sigma));
  let hi = Math.max(...fits.map((f) => f.mu + 4 * f.sigma));
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    const cdf = fits.reduce((a, f) => a + f.w * normalCdf((mid - f.mu) / f.sigma), 0) / total;
    if (cdf < level) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

function p90Of(p50: number, p99: number): number {
  return Math.exp(Math.log(p50) + ((Math.log(p99) - Math.log(p50)) * 1.2816) / 2.3263);
}

export function computeWorld(t: number, mods: Mods, input: WorldInput): World {
  const { seed, promotions } = input;
  const tick = Math.floor(t / input.intervalMs);
  const noise = (name: string, sd: number) => 1 + sd * gaussian(streamKey(seed, name), tick);
  const promo = promotionFactor(t, promotions);
  const capScale = capacityFactor(t, promotions);
  // An expired certificate stops browsers before their requests reach the servers.
  const reach = mods.certNotAfter !== undefined && t >= mods.certNotAfter ? 0.08 : 1;
  const demand =
    pageViews(t, PEAK_PAGE_VIEWS, promotions, streamKey(seed, 'traffic')) * noise('traffic.white', 0.015);
  const pv = demand * reach;
  // A full data disk on the database host fails every write.
  const dbHost = HOST_BY_NAME.get('db-01')!;
  const dbDiskFull =
    dbHost.diskBase +
      dbHost.diskGrowthPerHour * ((t % dbHost.rotateEveryMs) / 3_600_000) +
      (mods.hostDiskExtra.get('db-01') ?? 0) >=
    0.995;
  const writesFail = mods.dbWritesFail || dbDiskFull;

  // Cache: normal misses ~5% (more during promotions: new items, cold pages), plus lost nodes' keys.
  const cacheHosts = SERVICE_BY_NAME.get('redis-cache')!.hosts;
  const upNodes = cacheHosts.filter((h) => !mods.cacheNodesDown.has(h));
  const baseMiss =
    0.045 + 0.004 * smoothNoise(streamKey(seed, 'cache.miss'), t, 15 * 60_000) + 0.008 * (promo - 1);
  const missRatio = Math.min(1, baseMiss + mods.cacheMissExtra + (upNodes.length === 0 ? 1 : 0));

  // Traffic flows from callers to callees (SERVICES is callee-first, so walk it backwards).
  const rps = new Map<string, number>();
  const dbExtra = new Map<string, number>();
  rps.set('storefront', pv + mods.botRps);
  for (let i = SERVICES.length - 1; i >= 0; i--) {
    const s = SERVICES[i]!;
    const own = (rps.get(s.name) ?? 0) * (s.name === 'storefront' ? 1 : noise(`rps.${s.name}`, 0.02));
    rps.set(s.name, own);
    for (const d of s.deps) {
      let calls = own * d.calls;
      if (s.name === 'storefront' && d.service === 'user') calls += mods.botRps * (1 - d.calls);
      rps.set(d.service, (rps.get(d.service) ?? 0) + calls);
      if (d.service === 'redis-cache') {
        // Rebuilding a missed entry costs about two queries.
        const misses = own * d.calls * missRatio * 2;
        dbExtra.set(s.name, misses);
        rps.set('mysql-main', (rps.get('mysql-main') ?? 0) + misses);
      }
    }
  }

  // Core demand per host first: a process starved of CPU on a busy host serves fewer requests.
  const hostDemand = new Map<string, number>();
  for (const inst of INSTANCES) {
    const spec = SERVICE_BY_NAME.get(inst.service)!;
    const m = readInstance(mods, inst.id);
    const perInst = (rps.get(inst.service) ?? 0) / spec.hosts.length;
    const rho = perInst / (spec.capacity * capScale);
    const cores = spec.cores * Math.min(1, 0.04 + 0.9 * rho) + m.cpuExtra;
    hostDemand.set(inst.host, (hostDemand.get(inst.host) ?? 0) + (m.down ? 0 : cores));
  }
  for (const [host, extra] of mods.hostCpuExtra) hostDemand.set(host, (hostDemand.get(host) ?? 0) + extra);

  // Gateway refusals come back from the payment service as 502s.
  let gatewayFailure = 0;
  for (const [provider, share] of Object.entries(PROVIDER_SHARE)) {
    gatewayFailure += share * (mods.gatewayErrors.get(provider) ?? 0);
  }
  const instances = new Map<string, InstanceState>();
  const services = new Map<string, ServiceState>();
  const dbState = {
    qps: 0,
    slowPerSec: 0,
    threadsRunning: 0,
    threadsConnected: 0,
    writesFail,
  };

  for (const spec of SERVICES) {
    const mine = INSTANCES.filter((i) => i.service === spec.name);
    const up = mine.filter((i) => !readInstance(mods, i.id).down);
    const total = rps.get(spec.name) ?? 0;
    const botShare =
      spec.name === 'storefront' || spec.name === 'user' ? mods.botRps / Math.max(total, 1e-9) : 0;
    const parts: { w: number; q: Quantiles }[] = [];
    let errSum = 0;

    // What the dependencies add to each request, and the errors they pass on.
    let dep50 = 0;
    let dep99 = 0;
    let depErr = 0;
    for (const d of spec.deps) {
      const ds = services.get(d.service);
      if (!ds) continue;
      let d50 = ds.p50;
      let d99 = ds.p99;
      if (spec.name === 'storefront' && d.service === 'recommendation') {
        d50 = Math.min(d50, FEATURE_STORE_TIMEOUT);
        d99 = Math.min(d99, FEATURE_STORE_TIMEOUT);
      }
      const calls = d.service === 'redis-cache' ? d.calls * (1 - missRatio) : d.calls;
      dep50 += calls * d50;
      dep99 += Math.min(calls, 1) * d99 + Math.max(0, calls - 1) * d50;
      if (d.critical) depErr += Math.min(1, calls) * ds.errorRatio;
    }
    const mysql = services.get('mysql-main');
    if (mysql && dbExtra.has(spec.name)) {
      const perReq = (dbExtra.get(spec.name) ?? 0) / Math.max(total, 1e-9);
      dep50 += perReq * mysql.p50;
      dep99 += Math.min(perReq, 1) * mysql.p99;
    }
    if (spec.name === 'recommendation') {
      dep50 += 0.012;
      dep99 += 0.04;
    }
    if (spec.name === 'payment') {
      dep50 += 0.25 + mods.gatewayLatency;
      dep99 += 0.9 + mods.gatewayLatency * 2;
    }

    for (const inst of mine) {
      const m = readInstance(mods, inst.id);
      const host = HOST_BY_NAME.get(inst.host)!;
      const contention = Math.max(1, (hostDemand.get(inst.host) ?? 0) / host.cores);
      const perInst = m.down || up.length === 0 ? 0 : total / up.length;
      let capacity = (spec.capacity * capScale * m.capacity) / contention;
      if (spec.name === 'mysql-main') capacity /= 1 + 40 * mods.dbSlowShare;
      const rho = perInst / capacity;
      const shed = rho > 1 ? (rho - 1) / rho : 0;
      const q = 1 / (1 - Math.min(rho, 0.97));
      const sched = contention ** 1.5;
      let p50 = spec.baseLatency * q ** 0.6 * sched * m.latencyMult + m.latencyAdd + dep50;
      let p99 = spec.baseLatency * spec.tail * q ** 1.1 * sched * m.latencyMult + m.latencyAdd * 1.5 + dep99;
      if (spec.name === 'mysql-main' && mods.dbSlowShare > 0) {
        // Full scans hold locks others wait on: the slow tail lengthens as more statements hit the bad plan.
        p99 += Math.min(1, mods.dbSlowShare * 100) * (0.1 + 15 * mods.dbSlowShare);
      }
      let errors = 0.0004 + m.errorAdd + depErr + (spec.name === 'payment' ? gatewayFailure : 0);
      if (spec.name === 'mysql-main' && writesFail) errors += 0.35;
      let pool: InstanceState['pool'];
      if (spec.poolMax !== undefined && mysql) {
        const dbCalls = spec.deps.find((d) => d.service === 'mysql-main')?.calls ?? 0;
        const hold = spec.baseLatency * q ** 0.6 * m.latencyMult + dbCalls * mysql.p50 * 1.6 + 0.004;
        // Pools are enlarged together with the capacity added for promotions.
        const poolMax = Math.round(spec.poolMax * capScale);
        const inUse = perInst * hold * 3;
        const available = Math.max(0, poolMax - m.poolLeaked);
        const active = Math.min(poolMax, m.poolLeaked + inUse);
        const pending = Math.max(0, inUse - available);
        const waiting = inUse > 0 ? pending / inUse : 0;
        const u = (m.poolLeaked + inUse) / poolMax;
        if (u > 0.75 && u < 1) p99 += 0.02 * (u / (1 - u));
        if (waiting > 0) {
          p50 += POOL_TIMEOUT * Math.min(1, waiting * 2);
          p99 += POOL_TIMEOUT;
          errors += waiting;
        }
        pool = {
          max: poolMax,
          active,
          idle: Math.max(0, poolMax - active),
          pending,
          timeoutsPerSec: waiting * perInst,
        };
      }
      const jitter = noise(`lat.${inst.id}`, 0.04);
      p50 *= jitter;
      p99 *= jitter * noise(`lat99.${inst.id}`, 0.05);
      p99 = Math.max(p99, p50 * 1.2);
      const failed = Math.min(1, errors + shed);
      const nonBot = perInst * (1 - botShare);
      const bot = perInst * botShare;
      const ok4xx = nonBot * (1 - failed);
      const state: InstanceState = {
        instance: inst,
        up: !m.down,
        p50,
        p90: p90Of(p50, p99),
        p99,
        rps: {
          ok: ok4xx * (spec.kind === 'app' ? 0.985 : 1),
          notFound: spec.kind === 'app' ? ok4xx * 0.015 : 0,
          unauthorized: bot * (1 - failed),
          error: perInst * Math.min(1, errors) * (1 - shed),
          unavailable: perInst * shed,
        },
        total: perInst,
        cpu: m.down
          ? 0
          : (spec.cores * Math.min(1, 0.04 + 0.9 * Math.min(rho, 1)) + m.cpuExtra) /
            Math.max(1, contention * 0.98),
        rssBytes: m.down
          ? 0
          : spec.memoryBytes * (1 + 0.12 * Math.min(rho, 1)) * noise(`rss.${inst.id}`, 0.004) + m.memoryExtra,
        ...(pool ? { pool } : {}),
      };
      instances.set(inst.id, state);
      if (!m.down && perInst > 0) {
        parts.push({ w: perInst, q: state });
        errSum += perInst * failed;
      }
      if (spec.name === 'mysql-main') {
        dbState.qps = perInst;
        dbState.slowPerSec = perInst * (mods.dbSlowShare + 0.0002);
        dbState.threadsRunning = Math.max(1, perInst * p50 * 3 + (rho > 0.9 ? 40 * (rho - 0.9) * 10 : 0));
      }
    }
    const served = parts.reduce((a, p) => a + p.w, 0);
    services.set(spec.name, {
      rps: total,
      errorRatio: served > 0 ? errSum / served : up.length === 0 ? 1 : 0,
      p50: mixtureQuantile(parts, 0.5),
      p90: mixtureQuantile(parts, 0.9),
      p99: mixtureQuantile(parts, 0.99),
    });
  }

  dbState.threadsConnected = [...instances.values()].reduce(
    (a, s) => a + (s.pool?.active ?? 0) + (s.pool?.idle ?? 0),
    0,
  );

  // Business: orders placed, payments by provider, GMV.
  const order = services.get('order')!;
  const payment = services.get('payment')!;
  const ordersPerSec = order.rps * ORDER_PLACEMENT_SHARE * (1 - order.errorRatio);
  const payments = new Map<string, { ok: number; failed: number }>();
  let paidPerSec = 0;
  for (const p of PAYMENT_PROVIDERS) {
    const attempts = ordersPerSec * PROVIDER_SHARE[p];
    const otherErrors = Math.max(0, payment.errorRatio - gatewayFailure);
    const fail = Math.min(1, PAYMENT_BASE_FAILURE + (mods.gatewayErrors.get(p) ?? 0) + otherErrors);
    payments.set(p, { ok: attempts * (1 - fail), failed: attempts * fail });
    paidPerSec += attempts * (1 - fail);
  }

  const hosts = new Map<string, HostState>();
  for (const h of HOSTS) {
    const procs = [...instances.values()].filter((s) => s.instance.host === h.name);
    const busy = Math.min(
      h.cores,
      procs.reduce((a, s) => a + s.cpu, 0) + (mods.hostCpuExtra.get(h.name) ?? 0) + 0.3,
    );
    const demand = (hostDemand.get(h.name) ?? 0) + 0.3;
    const rotated = (t % h.rotateEveryMs) / 3_600_000;
    hosts.set(h.name, {
      cpuBusy: busy,
      load1: Math.max(0.05, demand * noise(`load.${h.name}`, 0.05)),
      memAvailableBytes: Math.max(
        0,
        h.memoryBytes * 0.92 - procs.reduce((a, s) => a + s.rssBytes, 0) - h.memoryBytes * 0.08,
      ),
      diskUsedRatio: Math.min(
        1,
        h.diskBase + h.diskGrowthPerHour * rotated + (mods.hostDiskExtra.get(h.name) ?? 0),
      ),
    });
  }

  const redisInstances = INSTANCES.filter((i) => i.service === 'redis-cache');
  const cacheOps = rps.get('redis-cache') ?? 0;
  const nodes = new Map<string, { up: boolean; hitsPerSec: number; missesPerSec: number }>();
  for (const i of redisInstances) {
    const isUp = !mods.cacheNodesDown.has(i.host);
    const share = isUp && upNodes.length > 0 ? cacheOps / upNodes.length : 0;
    nodes.set(i.host, { up: isUp, hitsPerSec: share * (1 - missRatio), missesPerSec: share * missRatio });
  }

  return {
    t,
    pageViews: pv,
    demandPageViews: demand,
    promotion: promo,
    instances,
    services,
    hosts,
    cache: { hitRatio: 1 - missRatio, nodes },
    db: dbState,
    mq: {
      publishPerSec: ordersPerSec * 3 + paidPerSec,
      // Each message costs a few queries, so consumers slow down with the database's mean latency.
      consumeCapacity:
        (90 * capScale * mods.mqConsumer) /
        Math.max(
          1,
          ((services.get('mysql-main')?.p50 ?? 0.003) * 1.3 +
            mods.dbSlowShare * (0.1 + 15 * mods.dbSlowShare)) /
            0.004,
        ),
    },
    business: {
      ordersPerSec,
      gmvPerSec: paidPerSec * 186 * noise('gmv', 0.08),
      payments,
      loginFailuresPerSec: mods.botRps * 0.97 + (rps.get('user') ?? 0) * 0.004,
    },
  };
}
