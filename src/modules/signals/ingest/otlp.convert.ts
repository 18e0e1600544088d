import type { SeriesSamples } from '../metric-store.ts';
import { seriesKey } from './labels.ts';
import type {
  HistogramPoint,
  Int64,
  NumberPoint,
  OtlpAnyValue,
  OtlpKeyValue,
  OtlpMetric,
  OtlpRequest,
  SummaryPoint,
} from './otlp.codec.ts';

/**
 * OTLP metrics → Prometheus series, following the OpenTelemetry "Prometheus and OpenMetrics compatibility"
 * spec as Prometheus's own OTLP receiver does: gauge → gauge; monotonic cumulative sum → counter named
 * `…_total`; non-monotonic sum → gauge; histogram → cumulative `_bucket{le}`, `_sum`, `_count`; summary →
 * `{quantile}`, `_sum`, `_count`; unit suffixes (`_seconds`, `_bytes`, `_ratio`); resource `service.name`
 * → `job` (with `service.namespace/` in front) and `service`, `service.instance.id` → `instance`, other
 * resource attributes → `target_info`; scope → `otel_scope_name`/`otel_scope_version`.
 *
 * Refused per point (reported in partial_success, the rest is stored): delta temporality (Steady keeps
 * cumulative series; set the SDK's temporality preference to cumulative) and exponential histograms
 * (Steady has no native histograms; use explicit-bucket histograms).
 */

const CUMULATIVE = 2;
const DELTA = 1;
/** DataPointFlags.FLAG_NO_RECORDED_VALUE: the series ended; Prometheus writes a staleness NaN. */
const NO_RECORDED_VALUE = 1;

const UNITS: Record<string, string> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tebibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};
const PER_UNITS: Record<string, string> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

const unitWord = (u: string, table: Record<string, string>): string =>
  table[u] ?? u.replace(/[^a-zA-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');

/** The Prometheus metric name for an OTLP metric (with suffixes), per the compatibility spec. */
export function prometheusName(name: string, unit: string, kind: 'counter' | 'gauge' | 'other'): string {
  const tokens = name.split(/[^a-zA-Z0-9:]+/).filter(Boolean);
  const bare = unit.replace(/\{[^}]*\}/g, '').trim();
  const [main = '', per = ''] = bare.split('/');
  const mainWord = main && main !== '1' ? unitWord(main, UNITS) : '';
  const perWord = per ? unitWord(per, PER_UNITS) : '';
  const has = (w: string) => tokens.some((t) => t.toLowerCase() === w.toLowerCase());
  if (kind === 'counter') {
    for (let i = tokens.length - 1; i >= 0; i--) if (tokens[i] === 'total') tokens.splice(i, 1);
  }
  if (mainWord && !has(mainWord)) tokens.push(mainWord);
  if (perWord && !has(perWord)) tokens.push('per', perWord);
  if (kind === 'counter') tokens.push('total');
  if (kind === 'gauge' && main === '1' && !has('ratio')) tokens.push('ratio');
  const out = tokens.join('_');
  if (out === '') return '_';
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

/** A label name from an attribute key: invalid characters become `_`, a leading digit or lone `_` gets `key`. */
export function prometheusLabel(key: string): string {
  let out = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(out)) out = `key_${out}`;
  else if (out.startsWith('_') && !out.startsWith('__')) out = `key${out}`;
  return out;
}

function int64ToNumber(v: Int64): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  return v.toNumber();
}

/** Nanoseconds since the epoch → milliseconds; undefined when missing or not a positive integer. */
export function nanosToMs(v: Int64): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? Math.floor(v / 1e6) : undefined;
  const s = typeof v === 'string' ? v : v.toString();
  if (!/^[0-9]+$/.test(s) || /^0+$/.test(s)) return undefined;
  return Number(BigInt(s) / 1_000_000n);
}

function anyValueText(v: OtlpAnyValue | null | undefined): string {
  if (!v) return '';
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return String(v.boolValue);
  if (v.intValue !== undefined && v.intValue !== null) return String(v.intValue);
  if (v.doubleValue !== undefined && v.doubleValue !== null) return String(v.doubleValue);
  if (v.arrayValue) return JSON.stringify((v.arrayValue.values ?? []).map(anyValueText));
  if (v.kvlistValue)
    return JSON.stringify(
      Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, anyValueText(kv.value)])),
    );
  if (v.bytesValue) return Buffer.from(v.bytesValue).toString('base64');
  return '';
}

/** Attributes → labels; keys that collide after sanitising get their values joined with `;` (spec). */
function attributeLabels(attrs: readonly OtlpKeyValue[] | undefined, into: Record<string, string>): void {
  if (!attrs || attrs.length === 0) return;
  const sorted = [...attrs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const seen = new Set<string>();
  for (const kv of sorted) {
    const name = prometheusLabel(kv.key);
    const value = anyValueText(kv.value);
    if (seen.has(name) && into[name]) into[name] = `${into[name]};${value}`;
    else into[name] = value;
    seen.add(name);
  }
}

export interface OtlpConversion {
  series: SeriesSamples[];
  /** Points accepted (one OTLP point may give several series, e.g. a histogram's buckets). */
  acceptedPoints: number;
  rejectedPoints: number;
  /** Why points were rejected (distinct reasons). */
  rejections: string[];
}

export function convertOtlp(request: OtlpRequest): OtlpConversion {
  const bySeries = new Map<string, SeriesSamples>();
  const rejections = new Set<string>();
  let accepted = 0;
  let rejected = 0;

  const add = (labels: Record<string, string>, ts: number, value: number) => {
    const key = seriesKey(labels);
    const known = bySeries.get(key);
    if (known) known.points.push({ ts, value });
    else bySeries.set(key, { labels, points: [{ ts, value }] });
  };
  const reject = (count: number, why: string) => {
    rejected += count;
    rejections.add(why);
  };

  for (const rm of request.resourceMetrics ?? []) {
    const resource: Record<string, string> = {};
    for (const kv of rm.resource?.attributes ?? []) resource[kv.key] = anyValueText(kv.value);
    const base: Record<string, string> = {};
    const serviceName = resource['service.name'];
    const namespace = resource['service.namespace'];
    if (serviceName) base.job = namespace ? `${namespace}/${serviceName}` : serviceName;
    if (resource['service.instance.id']) base.instance = resource['service.instance.id'];
    let latest = 0;

    for (const sm of rm.scopeMetrics ?? []) {
      const scope: Record<string, string> = {};
      if (sm.scope?.name) scope.otel_scope_name = sm.scope.name;
      if (sm.scope?.version) scope.otel_scope_version = sm.scope.version;

      for (const metric of sm.metrics ?? []) {
        const pointLabels = (attrs: readonly OtlpKeyValue[] | undefined, name: string) => {
          const labels: Record<string, string> = {};
          attributeLabels(attrs, labels);
          Object.assign(labels, scope, base);
          if (serviceName && labels.service === undefined) labels.service = serviceName;
          labels.__name__ = name;
          return labels;
        };
        const timeOf = (p: { timeUnixNano?: Int64 }, count: number): number | undefined => {
          const ts = nanosToMs(p.timeUnixNano);
          if (ts === undefined) reject(count, `${metric.name}: a data point has no valid timeUnixNano`);
          else if (ts > latest) latest = ts;
          return ts;
        };
        const stale = (p: { flags?: number }) => ((p.flags ?? 0) & NO_RECORDED_VALUE) !== 0;
        const unit = metric.unit ?? '';

        const numberPoints = (points: NumberPoint[], name: string) => {
          for (const p of points) {
            const ts = timeOf(p, 1);
            if (ts === undefined) continue;
            // protobufjs puts a oneof's defaults on the prototype; `value` names the member that was set.
            const which = (p as { value?: string }).value;
            const value = stale(p)
              ? Number.NaN
              : which === 'asInt'
                ? int64ToNumber(p.asInt)
                : (p.asDouble ?? 0);
            add(pointLabels(p.attributes, name), ts, value);
            accepted++;
          }
        };

        if (metric.gauge) {
          numberPoints(metric.gauge.dataPoints ?? [], prometheusName(metric.name, unit, 'gauge'));
        } else if (metric.sum) {
          const points = metric.sum.dataPoints ?? [];
          if (metric.sum.aggregationTemporality !== CUMULATIVE) {
            reject(points.length, temporalityProblem(metric, metric.sum.aggregationTemporality));
            continue;
          }
          const kind = metric.sum.isMonotonic ? 'counter' : 'gauge';
          numberPoints(points, prometheusName(metric.name, unit, kind));
        } else if (metric.histogram) {
          const points = metric.histogram.dataPoints ?? [];
          if (metric.histogram.aggregationTemporality !== CUMULATIVE) {
            reject(points.length, temporalityProblem(metric, metric.histogram.aggregationTemporality));
            continue;
          }
          const name = prometheusName(metric.name, unit, 'other');
          for (const p of points) {
            const ts = timeOf(p, 1);
            if (ts === undefined) continue;
            if (!histogramPoint(p, name, ts, stale(p), pointLabels, add)) {
              reject(1, `${metric.name}: bucketCounts must have one more entry than explicitBounds`);
              continue;
            }
            accepted++;
          }
        } else if (metric.summary) {
          const name = prometheusName(metric.name, unit, 'other');
          for (const p of metric.summary.dataPoints ?? []) {
            const ts = timeOf(p, 1);
            if (ts === undefined) continue;
            summaryPoint(p, name, ts, stale(p), pointLabels, add);
            accepted++;
          }
        } else if (metric.exponentialHistogram) {
          reject(
            metric.exponentialHistogram.dataPoints?.length ?? 0,
            `${metric.name}: exponential histograms are not supported; export explicit-bucket histograms`,
          );
        }
      }
    }

    // Resource attributes that are not job/instance go to target_info, as the spec asks.
    const extra = Object.entries(resource).filter(
      ([k]) => !['service.name', 'service.namespace', 'service.instance.id'].includes(k),
    );
    if (latest > 0 && extra.length > 0 && (base.job || base.instance)) {
      const labels: Record<string, string> = {};
      attributeLabels(
        extra.map(([key, stringValue]) => ({ key, value: { stringValue } })),
        labels,
      );
      Object.assign(labels, base, { __name__: 'target_info' });
      if (serviceName) labels.service = serviceName;
      add(labels, latest, 1);
    }
  }
  return {
    series: [...bySeries.values()],
    acceptedPoints: accepted,
    rejectedPoints: rejected,
    rejections: [...rejections],
  };
}

function temporalityProblem(metric: OtlpMetric, temporality: number | undefined): string {
  if (temporality === DELTA) {
    return `${metric.name}: delta temporality is not supported; configure the exporter for cumulative temporality (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=cumulative)`;
  }
  return `${metric.name}: aggregationTemporality must be CUMULATIVE (2)`;
}

type Labeller = (attrs: readonly OtlpKeyValue[] | undefined, name: string) => Record<string, string>;
type Adder = (labels: Record<string, string>, ts: number, value: number) => void;

function histogramPoint(
  p: HistogramPoint,
  name: string,
  ts: number,
  stale: boolean,
  labelsOf: Labeller,
  add: Adder,
) {
  const bounds = p.explicitBounds ?? [];
  const counts = p.bucketCounts ?? [];
  if (counts.length > 0 && counts.length !== bounds.length + 1) return false;
  let cumulative = 0;
  for (let i = 0; i < bounds.length; i++) {
    cumulative += int64ToNumber(counts[i]);
    add(
      { ...labelsOf(p.attributes, `${name}_bucket`), le: String(bounds[i]) },
      ts,
      stale ? Number.NaN : cumulative,
    );
  }
  const count = int64ToNumber(p.count);
  add({ ...labelsOf(p.attributes, `${name}_bucket`), le: '+Inf' }, ts, stale ? Number.NaN : count);
  if (p.sum !== undefined && p.sum !== null)
    add(labelsOf(p.attributes, `${name}_sum`), ts, stale ? Number.NaN : p.sum);
  add(labelsOf(p.attributes, `${name}_count`), ts, stale ? Number.NaN : count);
  return true;
}

function summaryPoint(
  p: SummaryPoint,
  name: string,
  ts: number,
  stale: boolean,
  labelsOf: Labeller,
  add: Adder,
) {
  for (const q of p.quantileValues ?? []) {
    add(
      { ...labelsOf(p.attributes, name), quantile: String(q.quantile ?? 0) },
      ts,
      stale ? Number.NaN : (q.value ?? 0),
    );
  }
  add(labelsOf(p.attributes, `${name}_sum`), ts, stale ? Number.NaN : (p.sum ?? 0));
  add(labelsOf(p.attributes, `${name}_count`), ts, stale ? Number.NaN : int64ToNumber(p.count));
}
