import { badRequest } from '../../../platform/errors.ts';
import type { AppendResult, Labels, MetricStore, Point, SampleSink, SeriesSamples } from '../metric-store.ts';
import { labelProblem } from './labels.ts';
import { type WireRequest, type WireSeries, wireKey, wireLabels } from './remote-write.wire.ts';

/**
 * Ties series without a `service` label to a catalog service: when label `label` fully matches `regex`,
 * the series gets `service` = `service` with `$1`… replaced by the regex's groups (Prometheus relabelling
 * style). Rules are tried in order; the first match wins.
 */
export interface ServiceRule {
  label: string;
  regex: string;
  service: string;
}

/** Told about every batch once it is durably stored; runs inline, so it must be cheap and not throw. */
export type StoredListener = (batch: readonly SeriesSamples[]) => void;

export interface IngestServiceDeps {
  store: Pick<MetricStore, 'append'>;
  serviceRules?: readonly ServiceRule[];
  /** Where a failing listener is reported; the samples stay stored either way. */
  onListenerError?: (err: unknown) => void;
  /** Most remote_write label sets remembered as already checked. */
  knownLabelSetsMax?: number;
}

interface KnownLabels {
  bytes: Buffer;
  labels: Labels;
  /** Another label set with the same hash. */
  next: KnownLabels | undefined;
}

interface CompiledRule {
  label: string;
  regex: RegExp;
  template: string;
}

/** Most problems listed in one 400 reply; the count says how many there were. */
const MAX_PROBLEMS = 10;

export function compileServiceRules(rules: readonly ServiceRule[]): CompiledRule[] {
  return rules.map((r) => ({ label: r.label, regex: new RegExp(`^(?:${r.regex})$`), template: r.service }));
}

function serviceFor(labels: Labels, rules: readonly CompiledRule[]): string | undefined {
  for (const rule of rules) {
    const value = labels[rule.label];
    if (value === undefined) continue;
    const m = rule.regex.exec(value);
    if (!m) continue;
    const service = rule.template.replace(/\$\{?(\d+)\}?/g, (_, i: string) => m[Number(i)] ?? '');
    if (service) return service;
  }
  return undefined;
}

function pointProblem(p: Point): string | undefined {
  if (!Number.isSafeInteger(p.ts)) return `timestamp ${String(p.ts)} is not a whole number of milliseconds`;
  // NaN and ±Inf values are legal in Prometheus's model (NaN is also its staleness marker): kept.
  if (typeof p.value !== 'number') return `value ${String(p.value)} is not a number`;
  return undefined;
}

/**
 * The one door samples come in by (remote_write, OTLP, the JSON API, scrapes, probes): checks names and
 * timestamps, ties series to catalog services, appends to the store, then tells the listeners. A batch
 * with any invalid series is refused whole, so a 4xx always means nothing was stored.
 */
export function createIngestService(deps: IngestServiceDeps) {
  const rules = compileServiceRules(deps.serviceRules ?? []);
  const listeners = new Set<StoredListener>();
  const knownMax = deps.knownLabelSetsMax ?? 200_000;

  /** The series' labels without empty values and with its service, or why they are not a valid series. */
  function cleanLabels(given: Labels): { labels: Record<string, string>; problem: string | undefined } {
    const labels: Record<string, string> = {};
    for (const key in given) {
      const value = given[key];
      if (value !== '') labels[key] = value as string;
    }
    const problem = labelProblem(labels);
    if (!problem && labels.service === undefined && rules.length > 0) {
      const service = serviceFor(labels, rules);
      if (service) labels.service = service;
    }
    return { labels, problem };
  }

  function pointsProblem(name: string | undefined, points: readonly Point[]): string | undefined {
    for (const p of points) {
      const why = pointProblem(p);
      if (why) return `${name}: ${why}`;
    }
    return undefined;
  }

  function refuse(bad: number, total: number, problems: string[]): never {
    throw badRequest(`${bad} of ${total} series are invalid, nothing was stored: ${problems[0]}`, {
      problems,
      invalidSeries: bad,
    });
  }

  function prepare(batch: readonly SeriesSamples[]): SeriesSamples[] {
    const clean: SeriesSamples[] = [];
    const problems: string[] = [];
    let bad = 0;
    for (let i = 0; i < batch.length; i++) {
      const series = batch[i] as SeriesSamples;
      if (series.points.length === 0) continue;
      const { labels, problem: labelsWrong } = cleanLabels(series.labels);
      const problem = labelsWrong ?? pointsProblem(labels.__name__, series.points);
      if (problem) {
        bad++;
        if (problems.length < MAX_PROBLEMS) problems.push(`series ${i}: ${problem}`);
        continue;
      }
      clean.push({ labels, points: series.points });
    }
    if (bad > 0) refuse(bad, batch.length, problems);
    return clean;
  }

  /**
   * Label bytes already checked (by their hash, equal bytes confirmed) → their clean labels. One object
   * per label set, so the store's series cache finds it by identity too; bounded, dropped whole when
   * full (refilled from the next batches).
   */
  const known = new Map<number, KnownLabels>();
  let knownCount = 0;

  function knownLabels(req: WireRequest, series: WireSeries): Labels | undefined {
    let buf = req.raw;
    let start = series.start;
    let end = series.end;
    if (series.split !== undefined || start < 0) [buf, start, end] = wireKey(req, series);
    const len = end - start;
    for (let k = known.get(series.hash); k !== undefined; k = k.next) {
      const b = k.bytes;
      if (b.length !== len) continue;
      let i = 0;
      while (i < len && b[i] === buf[start + i]) i++;
      if (i === len) return k.labels;
    }
    return undefined;
  }

  function remember(req: WireRequest, series: WireSeries, labels: Labels): void {
    if (knownCount >= knownMax) {
      known.clear();
      knownCount = 0;
    }
    const [buf, start, end] = wireKey(req, series);
    // A copy: a view would keep the whole request body alive.
    const bytes = Buffer.from(buf.subarray(start, end));
    known.set(series.hash, { bytes, labels, next: known.get(series.hash) });
    knownCount++;
  }

  /** `prepare` for a remote_write body, reading only the labels of label sets not seen before. */
  function prepareWire(req: WireRequest): SeriesSamples[] {
    const clean: SeriesSamples[] = [];
    const problems: string[] = [];
    let bad = 0;
    const n = req.series.length;
    for (let i = 0; i < n; i++) {
      const series = req.series[i] as WireSeries;
      if (series.points.length === 0) continue;
      let labels = knownLabels(req, series);
      let problem: string | undefined;
      if (labels === undefined) {
        const cleaned = cleanLabels(wireLabels(req, series));
        problem = cleaned.problem;
        if (!problem) {
          labels = cleaned.labels;
          remember(req, series, labels);
        }
      }
      problem ??= pointsProblem(labels?.__name__, series.points);
      if (problem) {
        bad++;
        if (problems.length < MAX_PROBLEMS) problems.push(`series ${i}: ${problem}`);
        continue;
      }
      series.labels = labels;
      clean.push(series as SeriesSamples);
    }
    if (bad > 0) refuse(bad, n, problems);
    return clean;
  }

  async function store(clean: SeriesSamples[]): Promise<AppendResult> {
    if (clean.length === 0) return { samples: 0, newSeries: 0 };
    const result = await deps.store.append(clean);
    for (const listener of listeners) {
      try {
        listener(clean);
      } catch (err) {
        deps.onListenerError?.(err);
      }
    }
    return result;
  }

  const sink = {
    ingest: async (batch: readonly SeriesSamples[]): Promise<AppendResult> => store(prepare(batch)),

    /** A remote_write body as read by `decodeRemoteWriteWire`: the same checks, done once per label set. */
    ingestWire: async (req: WireRequest): Promise<AppendResult> => store(prepareWire(req)),

    /** Subscribes to stored batches; returns the unsubscribe function. */
    onStored(listener: StoredListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } satisfies SampleSink & Record<string, unknown>;
  return sink;
}

export type IngestService = ReturnType<typeof createIngestService>;
