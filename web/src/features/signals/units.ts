/** How the metric pages print a value: durations in ms/s, ratios as percent, rates per second. */
export type Unit = 'seconds' | 'ratio' | 'perSecond' | 'none';

const compact = (v: number): string => {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return `${Math.round(v)}`;
  if (a >= 1) return `${+v.toFixed(2)}`;
  if (a === 0) return '0';
  return `${+v.toPrecision(3)}`;
};

export function formatUnit(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  switch (unit) {
    case 'seconds':
      return Math.abs(v) < 1 ? `${+(v * 1000).toPrecision(3)} ms` : `${+v.toFixed(2)} s`;
    case 'ratio':
      return `${+(v * 100).toFixed(v * 100 < 1 && v !== 0 ? 3 : 2)}%`;
    case 'perSecond':
      return `${compact(v)}/s`;
    default:
      return compact(v);
  }
}

/** Uptime as a percentage with the precision people read SLOs in (99.95%). */
export const formatUptime = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : `${(Math.floor(v * 10_000) / 100).toFixed(2)}%`;

export const uptimeColor = (v: number | null | undefined): string | undefined =>
  v === null || v === undefined ? undefined : v >= 0.999 ? '#389e0d' : v >= 0.99 ? '#d48806' : '#cf1322';

/**
 * `up{job="api", code="500"}`: a series named by its labels, the metric name in front as Prometheus does.
 * An aggregate left with one label (`sum by (service)`) is named by its value alone, as a Grafana legend
 * set to `{{service}}` would.
 */
export function seriesName(labels: Record<string, string>): string {
  const { __name__: name, ...rest } = labels;
  const keys = Object.keys(rest);
  if (name === undefined && keys.length === 1) return rest[keys[0] as string] as string;
  const inner = Object.entries(rest)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
  return `${name ?? ''}{${inner}}`;
}
