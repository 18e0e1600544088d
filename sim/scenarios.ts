/**
 * The fault library. Each scenario says what it breaks (`apply`, called every tick while it is active
 * with the time since it started), which services and metrics it moves, and what customers say about it.
 * When customers are affected is NOT declared here: the simulation measures it against the
 * customer-visible objectives (see slo.ts), so the ground truth cannot be tuned to flatter a detector.
 */

import { instanceMods, type Mods } from './mods.ts';
import { BATCH_JOB, INSTANCES, PROVIDER_SHARE, SERVICE_BY_NAME, SERVICE_NAMES } from './shop.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

export interface ScenarioContext {
  /** Time since the fault started, ms. */
  elapsed: number;
  durationMs: number;
  at: number;
  params: Readonly<Record<string, number>>;
}

export interface ChangeRecord {
  ts: number;
  service: string;
  kind: 'deploy' | 'rollback' | 'config';
  version?: string;
  author: string;
  summary: string;
}

export interface ScenarioDef {
  name: string;
  title: { en: string; zh: string };
  /** What happens, for the README and `sim list-scenarios`. */
  story: string;
  services: readonly string[];
  metrics: readonly string[];
  defaultDurationMs: number;
  /** Tunable numbers and their defaults (e.g. how soon a certificate expires). */
  params: Readonly<Record<string, number>>;
  apply(mods: Mods, ctx: ScenarioContext): void;
  /** Change records the fault comes with (a deploy, a rollback). */
  changes?(at: number, end: number): ChangeRecord[];
  /** What complaining customers write; one is picked per complaint. */
  complaints: readonly { zh: string; en: string }[];
}

const ramp = (x: number) => (x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x));
const ids = (service: string) => INSTANCES.filter((i) => i.service === service).map((i) => i.id);

const SLOW_PAGES = [
  { zh: '頁面打開特別慢，轉了半天圈', en: 'Pages take ages to load, the spinner keeps going' },
  { zh: 'APP 裡點什麼都卡，是不是出問題了？', en: 'Everything in the app is stuck, is something wrong?' },
];
const CHECKOUT_FAILS = [
  { zh: '下單一直失敗，提示系統繁忙', en: 'Placing the order keeps failing with "system busy"' },
  { zh: '購物車結算不了，試了好幾次', en: 'Cannot check out my cart, tried several times' },
];

export const SCENARIOS: readonly ScenarioDef[] = [
  {
    name: 'cpu-saturation',
    title: { en: 'CPU saturation on web-01', zh: 'web-01 CPU 打滿' },
    story:
      'A runaway re-index thread in the search process on web-01 climbs to 36 cores over 20 minutes. The host is ' +
      'oversubscribed, so every process on it (search, storefront, recommendation) gets less CPU and queues.',
    services: ['search', 'storefront', 'recommendation'],
    metrics: [
      'process_cpu_seconds_total',
      'node_cpu_seconds_total',
      'node_load1',
      'http_request_duration_seconds',
    ],
    defaultDurationMs: 60 * MIN,
    params: { cores: 36, rampMinutes: 20 },
    apply(mods, { elapsed, params }) {
      const extra = params.cores! * ramp(elapsed / (params.rampMinutes! * MIN));
      instanceMods(mods, 'web-01:8082').cpuExtra += extra;
    },
    complaints: [...SLOW_PAGES, { zh: '搜索商品要等十幾秒', en: 'Search takes more than ten seconds' }],
  },
  {
    name: 'memory-leak',
    title: { en: 'Slow memory leak in cart', zh: '購物車服務內存洩漏' },
    story:
      'The cart instance on app-02 leaks ~420 MB per hour. Past 70% of its 2 GiB limit garbage collection ' +
      'pauses stretch its latency and burn CPU; at the limit it is OOM-killed, fails in-flight requests, restarts ' +
      'after 40 s and starts leaking again.',
    services: ['cart', 'storefront'],
    metrics: [
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'http_request_duration_seconds',
      'http_requests_total',
      'process_start_time_seconds',
    ],
    defaultDurationMs: 4 * HOUR,
    params: { leakMbPerHour: 420 },
    apply(mods, { elapsed, at, params }) {
      const spec = SERVICE_BY_NAME.get('cart')!;
      const rate = (params.leakMbPerHour! * 1024 * 1024) / HOUR;
      const startRss = spec.memoryBytes * 1.06;
      const toOom = (spec.memoryLimitBytes - startRss) / rate;
      const cycle = toOom + 40_000;
      const k = Math.floor(elapsed / cycle);
      const phase = elapsed - k * cycle;
      const m = instanceMods(mods, 'app-02:8083');
      if (k > 0) m.startedAt = at + k * cycle;
      if (phase >= toOom) {
        m.down = true;
        return;
      }
      if (phase < 20_000 && k > 0) m.errorAdd += 0.6; // the balancer still sends traffic to the restarting pod
      m.memoryExtra += rate * phase;
      const x = Math.max(0, (startRss + rate * phase) / spec.memoryLimitBytes - 0.7) / 0.3;
      m.latencyMult *= 1 + 30 * x ** 3;
      m.cpuExtra += 1.6 * x * x;
      if (x > 0.97) m.errorAdd += (0.2 * (x - 0.97)) / 0.03;
    },
    complaints: [...CHECKOUT_FAILS, { zh: '加購物車沒反應', en: 'Add to cart does nothing' }],
  },
  {
    name: 'slow-db-queries',
    title: { en: 'Slow database queries', zh: '數據庫慢查詢' },
    story:
      'After a statistics refresh the optimiser picks a full-table-scan plan for the order-lines query; more and ' +
      'more statements hit it over 30 minutes. Slow queries, running threads and database latency climb; ' +
      'services holding connections for longer fill their pools; checkout slows down.',
    services: ['mysql-main', 'order', 'cart', 'inventory', 'payment', 'user', 'storefront', 'mq'],
    metrics: [
      'mysql_global_status_slow_queries',
      'mysql_global_status_threads_running',
      'mysql_query_duration_seconds',
      'hikaricp_connections_active',
      'http_request_duration_seconds',
      'rabbitmq_queue_messages_ready',
    ],
    defaultDurationMs: 50 * MIN,
    params: { slowShare: 0.06, rampMinutes: 30 },
    apply(mods, { elapsed, params }) {
      mods.dbSlowShare += params.slowShare! * Math.min(1, elapsed / (params.rampMinutes! * MIN));
    },
    complaints: CHECKOUT_FAILS,
  },
  {
    name: 'db-pool-exhaustion',
    title: { en: 'Database connection pool exhaustion in order', zh: '訂單服務數據庫連接池耗盡' },
    story:
      'An error path in the order service forgets to return its connection. Leaked connections pile up in both ' +
      'instances (faster on app-01) until the 20-connection pools are empty; requests then wait 3 s for a ' +
      'connection and time out with 500s.',
    services: ['order', 'storefront', 'payment', 'mq'],
    metrics: [
      'hikaricp_connections_active',
      'hikaricp_connections_idle',
      'hikaricp_connections_pending',
      'hikaricp_connections_timeout_total',
      'http_requests_total',
      'http_request_duration_seconds',
    ],
    defaultDurationMs: 60 * MIN,
    params: { leakPerMinute: 0.55 },
    apply(mods, { elapsed, params }) {
      const [a, b] = ids('order');
      instanceMods(mods, a!).poolLeaked += Math.min(20, (params.leakPerMinute! * elapsed) / MIN);
      instanceMods(mods, b!).poolLeaked += Math.min(20, (params.leakPerMinute! * 0.7 * elapsed) / MIN);
    },
    complaints: CHECKOUT_FAILS,
  },
  {
    name: 'cache-node-loss',
    title: { en: 'Cache node lost', zh: '緩存節點宕機' },
    story:
      'Redis node cache-02 dies. Its half of the keyspace is gone, so lookups miss and fall through to MySQL ' +
      '(a cache avalanche); the lost keys refill over about half an hour. At busy hours the extra queries push ' +
      'the database towards saturation and pages slow down.',
    services: [
      'redis-cache',
      'mysql-main',
      'storefront',
      'search',
      'cart',
      'user',
      'inventory',
      'recommendation',
      'order',
      'payment',
      'mq',
    ],
    metrics: [
      'redis_up',
      'redis_keyspace_misses_total',
      'redis_keyspace_hits_total',
      'mysql_global_status_queries',
      'mysql_global_status_threads_running',
      'http_request_duration_seconds',
    ],
    defaultDurationMs: 40 * MIN,
    params: { refillMinutes: 30 },
    apply(mods, { elapsed, params }) {
      mods.cacheNodesDown.add('cache-02');
      mods.cacheMissExtra += 0.4 * Math.exp(-elapsed / (params.refillMinutes! * MIN));
    },
    complaints: SLOW_PAGES,
  },
  {
    name: 'payment-gateway-errors',
    title: { en: 'Payment gateway error burst', zh: '支付網關錯誤激增' },
    story:
      "Alipay's gateway degrades: its latency climbs for 4 minutes, then it starts refusing a third of payment " +
      'requests. The payment service answers 502; the payment success rate and GMV drop.',
    services: ['payment', 'order', 'storefront'],
    metrics: [
      'shop_payments_total',
      'http_requests_total',
      'http_request_duration_seconds',
      'shop_gmv_yuan_total',
    ],
    defaultDurationMs: 30 * MIN,
    params: { errorShare: 0.35, warningMinutes: 4 },
    apply(mods, { elapsed, params }) {
      const warn = params.warningMinutes! * MIN;
      mods.gatewayLatency += 1.2 * ramp(elapsed / warn) * PROVIDER_SHARE.alipay;
      const errors = params.errorShare! * ramp((elapsed - warn) / (2 * MIN));
      mods.gatewayErrors.set('alipay', (mods.gatewayErrors.get('alipay') ?? 0) + errors);
    },
    complaints: [
      { zh: '支付寶付款一直失敗，錢扣了嗎？', en: 'Alipay payment keeps failing, was I charged?' },
      { zh: '付款頁面轉圈然後報錯', en: 'The payment page spins and then shows an error' },
    ],
  },
  {
    name: 'dependency-latency-creep',
    title: { en: 'Search index latency creep', zh: '搜索依賴延遲逐漸升高' },
    story:
      'The search index cluster behind the search service falls behind on segment merges; each query gets a ' +
      'little slower, up to 1.5 s more after 90 minutes. Nothing fails, everything just gets slower.',
    services: ['search', 'storefront'],
    metrics: ['http_request_duration_seconds'],
    defaultDurationMs: 2 * HOUR,
    params: { maxSeconds: 1.5, rampMinutes: 90 },
    apply(mods, { elapsed, params }) {
      const extra = params.maxSeconds! * Math.min(1, elapsed / (params.rampMinutes! * MIN));
      for (const id of ids('search')) instanceMods(mods, id).latencyAdd += extra;
    },
    complaints: [{ zh: '搜索結果出來太慢了', en: 'Search results are very slow' }, ...SLOW_PAGES],
  },
  {
    name: 'disk-filling',
    title: { en: 'Database disk filling up', zh: '數據庫磁盤寫滿' },
    story:
      'Binlog purging on db-01 stops after a configuration change while a bulk import writes heavily: the data ' +
      'disk fills at ~12% per hour. Nothing is visible to customers until it is full; then every database ' +
      'write fails and orders, carts, payments and logins fail.',
    services: ['mysql-main', 'order', 'cart', 'payment', 'user', 'inventory', 'search', 'storefront', 'mq'],
    metrics: ['node_filesystem_avail_bytes', 'mysql_query_errors_total', 'http_requests_total'],
    defaultDurationMs: 4 * HOUR,
    params: { percentPerHour: 12 },
    apply(mods, { elapsed, params }) {
      const extra = ((params.percentPerHour! / 100) * elapsed) / HOUR;
      mods.hostDiskExtra.set('db-01', (mods.hostDiskExtra.get('db-01') ?? 0) + extra);
    },
    changes: (at) => [
      {
        ts: at,
        service: 'mysql-main',
        kind: 'config',
        author: 'li.dba',
        summary: 'binlog_expire_logs_seconds changed',
      },
    ],
    complaints: CHECKOUT_FAILS,
  },
  {
    name: 'bad-deploy',
    title: { en: 'Bad deploy of order v2.14.0', zh: '訂單服務 v2.14.0 發布故障' },
    story:
      'Order v2.14.0 rolls out (app-01 first, app-02 90 s later). A coupon code path throws on a null field: ' +
      '6% of requests on the new version fail. Rolled back when the fault ends.',
    services: ['order', 'storefront'],
    metrics: ['http_requests_total', 'shop_orders_total'],
    defaultDurationMs: 25 * MIN,
    params: { errorShare: 0.06 },
    apply(mods, { elapsed, params }) {
      const [a, b] = ids('order');
      for (const [id, delay] of [
        [a!, 0],
        [b!, 90_000],
      ] as const) {
        if (elapsed < delay) continue;
        const m = instanceMods(mods, id);
        m.errorAdd += params.errorShare!;
        m.latencyMult *= 1.15;
        m.startedAt = undefined;
      }
    },
    changes: (at, end) => [
      {
        ts: at,
        service: 'order',
        kind: 'deploy',
        version: '2.14.0',
        author: 'zhang.dev',
        summary: 'order v2.14.0: coupon stacking',
      },
      {
        ts: end,
        service: 'order',
        kind: 'rollback',
        version: '2.13.4',
        author: 'wang.oncall',
        summary: 'roll back order to v2.13.4',
      },
    ],
    complaints: CHECKOUT_FAILS,
  },
  {
    name: 'credential-stuffing',
    title: { en: 'Traffic flood: credential stuffing on login', zh: '撞庫攻擊流量激增' },
    story:
      'A botnet replays leaked passwords against the login API, ramping to 900 requests/s over 10 minutes. ' +
      'Almost all get 401; the user service saturates and starts shedding, and pages that need the login ' +
      'service slow down and fail.',
    services: [
      'user',
      'storefront',
      'search',
      'recommendation',
      'cart',
      'order',
      'payment',
      'inventory',
      'mysql-main',
      'redis-cache',
      'mq',
    ],
    metrics: [
      'http_requests_total',
      'shop_login_attempts_total',
      'http_request_duration_seconds',
      'process_cpu_seconds_total',
    ],
    defaultDurationMs: 40 * MIN,
    params: { peakRps: 900, rampMinutes: 10 },
    apply(mods, { elapsed, params }) {
      mods.botRps += params.peakRps! * ramp(elapsed / (params.rampMinutes! * MIN));
    },
    complaints: [
      { zh: '登錄不上，一直提示超時', en: 'Cannot log in, it keeps timing out' },
      {
        zh: '收到異地登錄提醒，我的賬號被盜了嗎？',
        en: 'Got a login alert from another city, was my account stolen?',
      },
    ],
  },
  {
    name: 'tls-cert-expiry',
    title: { en: 'TLS certificate expiring', zh: 'TLS 證書即將過期' },
    story:
      'A stop-gap certificate with a short life is deployed on the storefront while automatic renewal is broken. ' +
      'It expires `expiresInHours` later (4 h by default, compressed from the real weeks so an accelerated run ' +
      'stays short). Then browsers refuse the site: traffic that reaches the servers collapses, though the ' +
      "servers' own error rate stays low. Renewed by hand an hour after expiry.",
    services: SERVICE_NAMES,
    metrics: ['x509_cert_expires_in_seconds', 'x509_cert_not_after', 'http_requests_total'],
    defaultDurationMs: 5 * HOUR,
    params: { expiresInHours: 4 },
    apply(mods, { at, params }) {
      mods.certNotAfter = at + params.expiresInHours! * HOUR;
    },
    changes: (at) => [
      {
        ts: at,
        service: 'storefront',
        kind: 'config',
        author: 'ops.bot',
        summary: 'storefront TLS certificate replaced',
      },
    ],
    complaints: [
      {
        zh: '瀏覽器提示網站不安全，證書過期',
        en: 'The browser says the site is not secure, certificate expired',
      },
      {
        zh: '打不開商城了，提示連接不是私密連接',
        en: 'The shop will not open: "your connection is not private"',
      },
    ],
  },
  {
    name: 'silent-batch-job',
    title: { en: 'Silent batch job: order reconciliation stopped', zh: '訂單對賬批處理靜默停止' },
    story:
      `The ${BATCH_JOB.name} job (runs every 10 minutes, pushes paid orders to the warehouse, calls its heartbeat ` +
      'URL after each run) hangs on a lock. No errors anywhere: runs and heartbeats simply stop. Customers are ' +
      'affected once paid orders have waited longer than the warehouse hand-over objective (60 minutes).',
    services: ['order'],
    metrics: ['batch_job_last_success_timestamp_seconds', 'batch_job_runs_total'],
    defaultDurationMs: 2 * HOUR,
    params: {},
    apply(mods) {
      mods.batchStuck = true;
    },
    complaints: [
      {
        zh: '付款一個多小時了訂單還是待發貨',
        en: 'Paid over an hour ago and the order still says not shipped',
      },
      { zh: '訂單狀態一直不更新', en: 'My order status never updates' },
    ],
  },
];

export const SCENARIO_BY_NAME: ReadonlyMap<string, ScenarioDef> = new Map(SCENARIOS.map((s) => [s.name, s]));

export function scenarioNames(): string[] {
  return SCENARIOS.map((s) => s.name);
}
