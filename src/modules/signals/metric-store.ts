/**
 * The contract between everything that produces samples (remote_write, OTLP, JSON, scrapes, probes) and
 * everything that reads them (query API, console charts, rule previews, detectors warming up). Two
 * implementations: the embedded store (SQLite or PostgreSQL tables, the default) and a
 * Prometheus-compatible TSDB reached by remote_write and the PromQL HTTP API (large installations).
 *
 * The data model is Prometheus's: a series is a metric name (`__name__`) plus labels; a sample is a
 * millisecond timestamp and a float64 value. Label names follow Prometheus's rules.
 */

/** Label name → value, including `__name__`. Never contains empty values (Prometheus drops those). */
export type Labels = Readonly<Record<string, string>>;

export interface Point {
  /** Epoch milliseconds. */
  ts: number;
  value: number;
}

/** One series' new samples, as every ingestion path produces them. */
export interface SeriesSamples {
  labels: Labels;
  points: Point[];
}

export type MatchOp = '=' | '!=' | '=~' | '!~';

/** A Prometheus label matcher; regexes are fully anchored, as in Prometheus. */
export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

export interface TimeRange {
  /** Inclusive, epoch milliseconds. */
  start: number;
  /** Inclusive, epoch milliseconds. */
  end: number;
}

export interface RangeQuery extends TimeRange {
  /** PromQL text in the subset the README documents; anything else is refused with a clear 400. */
  query: string;
  /** Milliseconds between result points. */
  step: number;
}

/** One result series of a range query, as Prometheus's `matrix` result type. */
export interface ResultSeries {
  labels: Labels;
  points: Point[];
}

export interface AppendResult {
  /** Samples durably stored. */
  samples: number;
  /** Series seen for the first time by this append. */
  newSeries: number;
}

export interface MetricStore {
  /**
   * Stores the batch durably and atomically: when the promise resolves every sample is on disk (or
   * accepted by the remote TSDB); when it rejects nothing from this batch was stored. A batch that would
   * create more series than the configured cardinality limit allows is refused whole with an AppError
   * (code `cardinality_limit`) that says how many series exist, how many were new, and the limit.
   */
  append(batch: readonly SeriesSamples[]): Promise<AppendResult>;
  /** Raw samples of every series matching all matchers within the range (for detectors and previews). */
  select(matchers: readonly LabelMatcher[], range: TimeRange): Promise<ResultSeries[]>;
  /** PromQL range query (matrix), choosing the stored resolution that fits range and step. */
  queryRange(query: RangeQuery): Promise<ResultSeries[]>;
  /** PromQL instant query (vector) at one time. */
  queryInstant(query: string, at: number): Promise<ResultSeries[]>;
  /** Label sets of the series matching the matchers (all series when empty), newest first, up to limit. */
  series(matchers: readonly LabelMatcher[], limit: number): Promise<Labels[]>;
  /** Distinct values of one label, for pickers. */
  labelValues(name: string, matchers: readonly LabelMatcher[]): Promise<string[]>;
  /** Distinct label names of the series matching the matchers (all series when empty), for pickers. */
  labelNames(matchers: readonly LabelMatcher[]): Promise<string[]>;
  /** Flush anything buffered and release resources; appends after close reject. */
  close(): Promise<void>;
}

/**
 * What producers inside Steady (scrapes, probes) and the ingestion routes hand samples to: it checks
 * names and values, ties series to catalog services, appends to the store, then tells the listeners
 * (streaming rule evaluation) about the stored samples.
 */
export interface SampleSink {
  ingest(batch: readonly SeriesSamples[]): Promise<AppendResult>;
}
