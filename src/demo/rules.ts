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
      // Only where there is traffic enough for a ratio to mean something (a few requests a second).
      query:
        'sum by (service) (rate(http_requests_total{code=~"5.."}[3m])) / sum by (service) (rate(http_requests_total[3m])) and sum by (service) (rate(http_requests_total[3m])) > 3',
      op: '>',
      value: 0.008,
      recovery: 0.004,
      forSeconds: 60,
    },
  },
  // Per service, below its objective (sim/README.md) and above its busiest normal day.
  ...(
    [
      ['Web', 'storefront|search|recommendation', 0.8],
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
      query:
        'sum(rate(shop_payments_total{result="success"}[3m])) / sum(rate(shop_payments_total[3m])) and sum(rate(shop_payments_total[3m])) > 1',
      op: '<',
      value: 0.965,
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
      value: 0.85,
      recovery: 0.75,
      forSeconds: 180,
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
      query: 'hikaricp_connections_active / hikaricp_connections_max',
      op: '>',
      value: 0.75,
      recovery: 0.6,
      forSeconds: 120,
    },
  },
  {
    name: 'CacheNodeDown',
    kind: 'threshold',
    severity: 'P1',
    summary: 'Redis {{ $labels.instance }} is down',
    runbookUrl: runbook('redis'),
    spec: { query: 'redis_up', op: '==', value: 0, forSeconds: 30 },
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
