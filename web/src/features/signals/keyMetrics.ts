/**
 * The three figures the health overview shows per service, each one query grouped by the `service`
 * label (one request for all services rather than one per service). They assume the usual names of
 * Prometheus client libraries: a `http_requests_total` counter with a `code` label and a
 * `http_request_duration_seconds` histogram or summary.
 */
/** A PromQL string literal (JSON's escaping is a subset of PromQL's). */
export const q = (v: string): string => JSON.stringify(v);

export const KEY_METRICS = [
  {
    key: 'requestRate',
    unit: 'perSecond',
    color: '#1677ff',
    query: 'sum by (service) (rate(http_requests_total[5m]))',
    forService: (s: string) => `sum(rate(http_requests_total{service=${q(s)}}[5m]))`,
  },
  {
    key: 'errorRatio',
    unit: 'ratio',
    color: '#cf1322',
    // `or 0 * …`: a service without any 5xx series has a ratio of 0, not "no data".
    query:
      '(sum by (service) (rate(http_requests_total{code=~"5.."}[5m])) or 0 * sum by (service) (rate(http_requests_total[5m]))) / sum by (service) (rate(http_requests_total[5m]))',
    forService: (s: string) =>
      `sum(rate(http_requests_total{service=${q(s)}, code=~"5.."}[5m])) / sum(rate(http_requests_total{service=${q(s)}}[5m]))`,
  },
  {
    key: 'p99',
    unit: 'seconds',
    color: '#722ed1',
    // A histogram where there is one; else a summary's 0.99 quantile, worst instance (summaries cannot
    // be merged across instances, so the slowest one stands for the service).
    query:
      'histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket[5m]))) or max by (service) (http_request_duration_seconds{quantile="0.99"})',
    forService: (s: string) =>
      `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service=${q(s)}}[5m]))) or max(http_request_duration_seconds{service=${q(s)}, quantile="0.99"})`,
  },
] as const;

export type KeyMetric = (typeof KEY_METRICS)[number];
