/**
 * The rule set every installation of the shop starts with: what `steady demo` seeds and what the
 * early-warning benchmark measures. One list, so the demo and the benchmark cannot drift apart.
 * Bodies are those of `POST /api/v1/rules` (src/modules/detection/rules/rules.schemas.ts).
 */

const HOUR = 3600;
const DAY = 86_400;

type Severity = 'P1' | 'P2' | 'P3';

export interface DefaultRule {
  name: string;
  kind: 'threshold' | 'rate_of_change' | 'anomaly' | 'burn_rate' | 'probe_down';
  severity: Severity;
  summary: string;
  description?: string;
  runbookUrl?: string;
  labels?: Record<string, string>;
  spec: Record<string, unknown>;
}

const runbook = (slug: string) => `https://wiki.shop.example/runbooks/${slug}`;

export const DEFAULT_RULES: readonly DefaultRule[] = [
  {
    name: 'HighErrorRatio',
    kind: 'threshold',
    severity: 'P1',
    summary: '{{ $labels.service }}: 5xx ratio {{ $value }} above {{ $threshold }}',
    runbookUrl: runbook('error-ratio'),
    spec: {
      // Only with errors enough for the ratio to mean something: at night a service may serve one
      // request a second, where two unlucky requests would be a 1% ratio; five in three minutes are not
      // chance at the shop's ordinary 0.1–0.2%. A gate on traffic instead would keep a bad night-time
      // deploy quiet until morning.
      query:
        'sum by (service) (rate(http_requests_total{code=~"5.."}[3m])) / sum by (service) (rate(http_requests_total[3m])) and sum by (service) (increase(http_requests_total{code=~"5.."}[3m])) >= 5',
      op: '>',
      value: 0.008,
      recovery: 0.004,
      forSeconds: 60,
    },
  },
  {
    // Each service's own usual 5xx ratio, day and night, learnt by the detector: a jump from it is
    // flagged within minutes, even below HighErrorRatio's fixed line (a service that usually fails
    // 0.05% of requests is in trouble at 0.5%). Low severity: it points at where to look; the threshold
    // rules page.
    name: 'ErrorRatioAnomaly',
    kind: 'anomaly',
    severity: 'P3',
    summary: '{{ $labels.service }}: 5xx ratio {{ $value }} above its usual range ({{ $threshold }})',
    runbookUrl: runbook('error-ratio'),
    spec: {
      query:
        'sum by (service) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (service) (rate(http_requests_total[5m]))',
      direction: 'up',
      sensitivity: 'low',
      minDurationSeconds: 120,
    },
  },
  // Per service, below its objective (sim/README.md) and above its busiest normal day. Search has its
  // own line: its normal p99 is a quarter of the storefront's, so the storefront's line would see a slow
  // search only when it is already near its objective.
  ...(
    [
      ['Web', 'storefront|recommendation', 0.8],
      ['Search', 'search', 0.6],
      ['CartLogin', 'cart|user|inventory', 0.6],
      ['Order', 'order', 1.7],
      ['Payment', 'payment', 2.6],
    ] as const
  ).map(
    ([name, services, value]): DefaultRule => ({
      name: `HighP99Latency${name}`,
      kind: 'threshold',
      severity: 'P2',
      summary: '{{ $labels.service }}: p99 latency {{ $value }} s above {{ $threshold }} s',
      runbookUrl: runbook('latency'),
      spec: {
        query: `max by (service) (http_request_duration_seconds{quantile="0.99",service=~"${services}"})`,
        op: '>',
        value,
        recovery: value * 0.8,
        forSeconds: 60,
      },
    }),
  ),
  {
    name: 'P99LatencyAnomaly',
    kind: 'anomaly',
    severity: 'P2',
    summary:
      '{{ $labels.service }} on {{ $labels.instance }}: p99 latency {{ $value }} s outside {{ $threshold }}',
    runbookUrl: runbook('latency'),
    spec: {
      query: 'http_request_duration_seconds{quantile="0.99"}',
      sensitivity: 'low',
      minDurationSeconds: 180,
    },
  },
  {
    // The typical request, not the tail: a slow dependency (a payment gateway, a search index, the
    // database) slows every request, and the median shows it minutes before the p99 crosses an
    // objective. Against the same time yesterday, so one rule fits every service and the daily cycle;
    // promotions move it by at most ~1.3.
    name: 'MedianLatencyUpVsYesterday',
    kind: 'threshold',
    severity: 'P2',
    summary: '{{ $labels.service }}: median latency {{ $value }}× the same time yesterday',
    runbookUrl: runbook('latency'),
    spec: {
      query:
        'max by (service) (http_request_duration_seconds{quantile="0.5"}) / max by (service) (http_request_duration_seconds{quantile="0.5"} offset 1d) and sum by (service) (rate(http_requests_total[5m])) > 0.5',
      op: '>',
      value: 1.5,
      recovery: 1.25,
      forSeconds: 60,
    },
  },
  {
    name: 'ProbeDown',
    kind: 'probe_down',
    severity: 'P1',
    summary: 'Probe {{ $labels.probe }} failed {{ $threshold }} in a row',
    runbookUrl: runbook('probe-down'),
    spec: { query: 'probe_success', consecutive: 3 },
  },
  {
    name: 'TlsCertificateExpiresSoon',
    kind: 'threshold',
    severity: 'P2',
    summary: 'Certificate of {{ $labels.service }} expires in {{ $value }} s',
    runbookUrl: runbook('tls'),
    spec: { query: 'x509_cert_expires_in_seconds', op: '<', value: 14 * DAY, forSeconds: 0 },
  },
  {
    name: 'ProbeTlsDaysLeft',
    kind: 'threshold',
    severity: 'P2',
    summary: 'Probe {{ $labels.probe }}: certificate expires in {{ $value }} days',
    runbookUrl: runbook('tls'),
    spec: { query: 'probe_tls_days_left', op: '<', value: 14, forSeconds: 0 },
  },
  {
    name: 'PaymentSuccessRateLow',
    kind: 'threshold',
    severity: 'P1',
    summary: 'Payment success rate {{ $value }} below {{ $threshold }}',
    runbookUrl: runbook('payment'),
    labels: { service: 'payment' },
    spec: {
      // Five minutes: at one payment a second, three minutes hold too few failures for 96.5% to be
      // more than chance (1.2% of payments fail for ordinary reasons).
      query:
        'sum(rate(shop_payments_total{result="success"}[5m])) / sum(rate(shop_payments_total[5m])) and sum(rate(shop_payments_total[5m])) > 1',
      op: '<',
      value: 0.96,
      recovery: 0.975,
      forSeconds: 60,
    },
  },
  {
    // The anomaly detector reads raw series, and orders arrive as a counter: a drop against the same
    // time yesterday is the seasonal comparison that a counter allows.
    name: 'OrdersPerMinuteDrop',
    kind: 'threshold',
    severity: 'P2',
    summary: 'Orders per minute at {{ $value }} of the same time yesterday',
    runbookUrl: runbook('orders'),
    labels: { service: 'order' },
    spec: {
      query: 'sum(rate(shop_orders_total[10m])) / sum(rate(shop_orders_total[10m] offset 1d))',
      op: '<',
      value: 0.6,
      recovery: 0.75,
      forSeconds: 300,
    },
  },
  {
    name: 'HostCpuHigh',
    kind: 'threshold',
    severity: 'P2',
    summary: '{{ $labels.host }}: CPU busy {{ $value }}',
    runbookUrl: runbook('cpu'),
    spec: {
      query:
        '1 - sum by (host) (rate(node_cpu_seconds_total{mode="idle"}[2m])) / sum by (host) (rate(node_cpu_seconds_total[2m]))',
      op: '>',
      value: 0.8,
      recovery: 0.7,
      forSeconds: 120,
    },
  },
  {
    name: 'DiskAlmostFull',
    kind: 'threshold',
    severity: 'P1',
    summary: '{{ $labels.host }} {{ $labels.mountpoint }}: {{ $value }} free',
    runbookUrl: runbook('disk'),
    spec: {
      query: 'node_filesystem_avail_bytes / node_filesystem_size_bytes',
      op: '<',
      value: 0.1,
      recovery: 0.15,
      forSeconds: 0,
    },
  },
  {
    name: 'DiskFullWithin12h',
    kind: 'threshold',
    severity: 'P2',
    summary: '{{ $labels.host }} {{ $labels.mountpoint }}: full in {{ $value }} s at the current rate',
    runbookUrl: runbook('disk'),
    spec: {
      query: 'node_filesystem_avail_bytes / clamp_min(-deriv(node_filesystem_avail_bytes[30m]), 0.001)',
      op: '<',
      value: 12 * HOUR,
      recovery: 24 * HOUR,
      forSeconds: 600,
    },
  },
  {
    name: 'MemoryGrowing',
    kind: 'threshold',
    severity: 'P3',
    summary: '{{ $labels.service }} on {{ $labels.instance }}: resident memory grew {{ $value }} in 30 min',
    runbookUrl: runbook('memory'),
    spec: {
      query:
        'process_resident_memory_bytes / clamp_min(avg_over_time(process_resident_memory_bytes[30m] offset 30m), 1)',
      op: '>',
      value: 1.25,
      recovery: 1.1,
      forSeconds: 300,
    },
  },
  {
    name: 'ConnectionPoolSaturated',
    kind: 'threshold',
    severity: 'P2',
    summary: '{{ $labels.service }} on {{ $labels.instance }}: pool {{ $value }} used',
    runbookUrl: runbook('db-pool'),
    spec: {
      // Pools run at 5–25% (promotions included); half full is twice the busiest normal and leaves
      // time to act before requests queue for a connection.
      query: 'hikaricp_connections_active / hikaricp_connections_max',
      op: '>',
      value: 0.5,
      recovery: 0.35,
      forSeconds: 120,
    },
  },
  {
    name: 'CacheNodeDown',
    kind: 'threshold',
    severity: 'P1',
    summary: 'Redis {{ $labels.instance }} is down',
    runbookUrl: runbook('redis'),
    // No `for`: a lost cache node sends its keys' lookups to the database at once (a cache avalanche).
    spec: { query: 'redis_up', op: '==', value: 0, forSeconds: 0 },
  },
  {
    name: 'DatabaseThreadsAnomaly',
    kind: 'anomaly',
    severity: 'P2',
    summary: 'MySQL threads running {{ $value }} outside {{ $threshold }}',
    runbookUrl: runbook('mysql'),
    spec: { query: 'mysql_global_status_threads_running', sensitivity: 'low', minDurationSeconds: 180 },
  },
  {
    name: 'LoginFailureRatioHigh',
    kind: 'threshold',
    severity: 'P2',
    summary: 'Login failures are {{ $value }} of attempts',
    runbookUrl: runbook('credential-stuffing'),
    labels: { service: 'user' },
    spec: {
      query:
        'sum(rate(shop_login_attempts_total{result="failure"}[2m])) / sum(rate(shop_login_attempts_total[2m]))',
      op: '>',
      value: 0.3,
      recovery: 0.2,
      forSeconds: 60,
    },
  },
  {
    name: 'BatchJobStale',
    kind: 'threshold',
    severity: 'P2',
    summary: 'Batch job {{ $labels.job }} last succeeded {{ $value }} s ago',
    runbookUrl: runbook('batch'),
    labels: { service: 'order' },
    spec: {
      query: 'time() - batch_job_last_success_timestamp_seconds',
      op: '>',
      value: 30 * 60,
      recovery: 15 * 60,
      forSeconds: 0,
    },
  },
];
