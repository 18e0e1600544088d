/**
 * The simulated shop: its services (named as in the demo catalog, so the `service` label ties series to
 * catalog entries), the hosts they run on, who calls whom, and the capacities and latencies that make the
 * derived metrics behave like a real shop's.
 */

export type ServiceKind = 'app' | 'database' | 'cache' | 'queue';

export interface Dependency {
  service: string;
  /** Calls to the dependency per request of the caller. */
  calls: number;
  /** A failing critical dependency fails the caller's request; a non-critical one falls back. */
  critical: boolean;
}

export interface ServiceSpec {
  name: string;
  kind: ServiceKind;
  hosts: readonly string[];
  port: number;
  /** Requests per second per instance at full utilisation, outside promotions. */
  capacity: number;
  /** Median own service time at low load, seconds. */
  baseLatency: number;
  /** p99 / p50 of own service time at low load. */
  tail: number;
  /** Processor cores one instance uses at full utilisation. */
  cores: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  deps: readonly Dependency[];
  /** Customer-visible objective: p99 latency (seconds) and 5xx ratio the customer tolerates. */
  slo?: { p99: number; errorRatio: number };
  /** Connection pool to the database (HikariCP-style), if the service uses one. */
  poolMax?: number;
}

export interface HostSpec {
  name: string;
  cores: number;
  memoryBytes: number;
  diskBytes: number;
  /** Share of the data disk used at a rotation, and growth per hour between rotations. */
  diskBase: number;
  diskGrowthPerHour: number;
  /** Rotation/purge period of logs (or binlogs) on the disk. */
  rotateEveryMs: number;
}

const GiB = 1024 ** 3;
const H = 3_600_000;

export const HOSTS: readonly HostSpec[] = [
  {
    name: 'web-01',
    cores: 16,
    memoryBytes: 32 * GiB,
    diskBytes: 200 * GiB,
    diskBase: 0.38,
    diskGrowthPerHour: 0.002,
    rotateEveryMs: 24 * H,
  },
  {
    name: 'web-02',
    cores: 16,
    memoryBytes: 32 * GiB,
    diskBytes: 200 * GiB,
    diskBase: 0.41,
    diskGrowthPerHour: 0.002,
    rotateEveryMs: 24 * H,
  },
  {
    name: 'app-01',
    cores: 16,
    memoryBytes: 32 * GiB,
    diskBytes: 200 * GiB,
    diskBase: 0.35,
    diskGrowthPerHour: 0.003,
    rotateEveryMs: 24 * H,
  },
  {
    name: 'app-02',
    cores: 16,
    memoryBytes: 32 * GiB,
    diskBytes: 200 * GiB,
    diskBase: 0.36,
    diskGrowthPerHour: 0.003,
    rotateEveryMs: 24 * H,
  },
  {
    name: 'db-01',
    cores: 32,
    memoryBytes: 128 * GiB,
    diskBytes: 2000 * GiB,
    diskBase: 0.58,
    diskGrowthPerHour: 0.005,
    rotateEveryMs: 6 * H,
  },
  {
    name: 'cache-01',
    cores: 8,
    memoryBytes: 64 * GiB,
    diskBytes: 100 * GiB,
    diskBase: 0.2,
    diskGrowthPerHour: 0.001,
    rotateEveryMs: 24 * H,
  },
  {
    name: 'cache-02',
    cores: 8,
    memoryBytes: 64 * GiB,
    diskBytes: 100 * GiB,
    diskBase: 0.2,
    diskGrowthPerHour: 0.001,
    rotateEveryMs: 24 * H,
  },
  {
    name: 'mq-01',
    cores: 8,
    memoryBytes: 32 * GiB,
    diskBytes: 500 * GiB,
    diskBase: 0.3,
    diskGrowthPerHour: 0.002,
    rotateEveryMs: 12 * H,
  },
];

const dep = (service: string, calls: number, critical = true): Dependency => ({ service, calls, critical });

/**
 * Listed callee-first, so one pass in this order computes latencies and errors bottom-up. The call graph
 * fans out from the storefront: page views → search, recommendations, cart, login, stock; the checkout
 * path is storefront → order → payment/inventory/mysql/mq.
 */
export const SERVICES: readonly ServiceSpec[] = [
  {
    name: 'mysql-main',
    kind: 'database',
    hosts: ['db-01'],
    port: 3306,
    capacity: 1100,
    baseLatency: 0.002,
    tail: 6,
    cores: 24,
    memoryBytes: 80 * GiB,
    memoryLimitBytes: 100 * GiB,
    deps: [],
  },
  {
    name: 'redis-cache',
    kind: 'cache',
    hosts: ['cache-01', 'cache-02'],
    port: 6379,
    capacity: 40_000,
    baseLatency: 0.0004,
    tail: 4,
    cores: 1,
    memoryBytes: 24 * GiB,
    memoryLimitBytes: 48 * GiB,
    deps: [],
  },
  {
    name: 'mq',
    kind: 'queue',
    hosts: ['mq-01'],
    port: 5672,
    capacity: 5000,
    baseLatency: 0.001,
    tail: 4,
    cores: 4,
    memoryBytes: 4 * GiB,
    memoryLimitBytes: 16 * GiB,
    deps: [],
  },
  {
    name: 'inventory',
    kind: 'app',
    hosts: ['app-01', 'app-02'],
    port: 8085,
    capacity: 260,
    baseLatency: 0.008,
    tail: 4,
    cores: 2,
    memoryBytes: 1.1 * GiB,
    memoryLimitBytes: 2 * GiB,
    deps: [dep('mysql-main', 0.6), dep('redis-cache', 1, false)],
    poolMax: 20,
  },
  {
    name: 'user',
    kind: 'app',
    hosts: ['app-01', 'app-02'],
    port: 8086,
    capacity: 300,
    baseLatency: 0.012,
    tail: 4,
    cores: 2,
    memoryBytes: 1 * GiB,
    memoryLimitBytes: 2 * GiB,
    deps: [dep('mysql-main', 0.5), dep('redis-cache', 1, false)],
    poolMax: 20,
    slo: { p99: 0.8, errorRatio: 0.01 },
  },
  {
    name: 'search',
    kind: 'app',
    hosts: ['web-01', 'web-02'],
    port: 8082,
    capacity: 320,
    baseLatency: 0.035,
    tail: 4,
    cores: 4,
    memoryBytes: 2.5 * GiB,
    memoryLimitBytes: 4 * GiB,
    deps: [dep('redis-cache', 1, false), dep('mysql-main', 0.2)],
    slo: { p99: 1, errorRatio: 0.01 },
  },
  {
    name: 'recommendation',
    kind: 'app',
    hosts: ['web-01', 'web-02'],
    port: 8087,
    capacity: 500,
    baseLatency: 0.03,
    tail: 3.5,
    cores: 4,
    memoryBytes: 3 * GiB,
    memoryLimitBytes: 4 * GiB,
    deps: [dep('redis-cache', 1.5, false)],
  },
  {
    name: 'payment',
    kind: 'app',
    hosts: ['app-01', 'app-02'],
    port: 8084,
    capacity: 60,
    baseLatency: 0.18,
    tail: 3,
    cores: 1,
    memoryBytes: 0.9 * GiB,
    memoryLimitBytes: 2 * GiB,
    deps: [dep('mysql-main', 1)],
    poolMax: 20,
    slo: { p99: 3, errorRatio: 0.01 },
  },
  {
    name: 'cart',
    kind: 'app',
    hosts: ['app-01', 'app-02'],
    port: 8083,
    capacity: 200,
    baseLatency: 0.015,
    tail: 4,
    cores: 2,
    memoryBytes: 0.9 * GiB,
    memoryLimitBytes: 2 * GiB,
    deps: [dep('redis-cache', 1, false), dep('mysql-main', 0.3), dep('inventory', 0.5)],
    poolMax: 20,
    slo: { p99: 0.8, errorRatio: 0.01 },
  },
  {
    name: 'order',
    kind: 'app',
    hosts: ['app-01', 'app-02'],
    port: 8081,
    capacity: 40,
    baseLatency: 0.04,
    tail: 4,
    cores: 2,
    memoryBytes: 1.2 * GiB,
    memoryLimitBytes: 2 * GiB,
    deps: [dep('mysql-main', 3), dep('inventory', 1), dep('payment', 0.4), dep('mq', 1), dep('user', 0.5)],
    poolMax: 20,
    slo: { p99: 2, errorRatio: 0.01 },
  },
  {
    name: 'storefront',
    kind: 'app',
    hosts: ['web-01', 'web-02'],
    port: 8080,
    capacity: 650,
    baseLatency: 0.03,
    tail: 3,
    cores: 6,
    memoryBytes: 2 * GiB,
    memoryLimitBytes: 4 * GiB,
    deps: [
      dep('redis-cache', 2, false),
      dep('search', 0.35),
      dep('recommendation', 0.6, false),
      dep('cart', 0.15),
      dep('user', 0.25),
      dep('order', 0.02),
      dep('inventory', 0.1),
    ],
    slo: { p99: 1, errorRatio: 0.01 },
  },
];

export const SERVICE_NAMES: readonly string[] = SERVICES.map((s) => s.name);
export const SERVICE_BY_NAME: ReadonlyMap<string, ServiceSpec> = new Map(SERVICES.map((s) => [s.name, s]));
export const HOST_BY_NAME: ReadonlyMap<string, HostSpec> = new Map(HOSTS.map((h) => [h.name, h]));

/** Page views per second at the top of an ordinary weekday's evening peak. */
export const PEAK_PAGE_VIEWS = 400;
/** Share of order-service requests that place an order (the rest read order history). */
export const ORDER_PLACEMENT_SHARE = 0.4;
/** Average order value, yuan. */
export const AVERAGE_ORDER_YUAN = 186;
export const PAYMENT_PROVIDERS = ['alipay', 'wechat', 'card'] as const;
export const PROVIDER_SHARE = { alipay: 0.52, wechat: 0.4, card: 0.08 } as const;
/** Payments that fail for ordinary reasons (declined card, insufficient balance, user cancels). */
export const PAYMENT_BASE_FAILURE = 0.012;

/** The batch job that must call its heartbeat URL: paid orders pushed to the warehouse system. */
export const BATCH_JOB = {
  name: 'order-reconciliation',
  host: 'app-01',
  everyMs: 10 * 60_000,
  maxStalenessMs: 60 * 60_000,
};

/** The storefront's TLS certificate: 90-day certificates renewed automatically with 30 days left. */
export const CERT = { host: 'shop.example', lifetimeDays: 90, renewAtDaysLeft: 30 };

export interface Instance {
  service: string;
  host: string;
  /** `host:port`, Prometheus's `instance` label. */
  id: string;
}

export const INSTANCES: readonly Instance[] = SERVICES.flatMap((s) =>
  s.hosts.map((host) => ({ service: s.name, host, id: `${host}:${s.port}` })),
);

/** Host → the services running on it. */
export function hostMap(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of INSTANCES) {
    const list = out[i.host] ?? [];
    list.push(i.service);
    out[i.host] = list;
  }
  return out;
}
