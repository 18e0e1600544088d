/** Anomaly rules: the shipped detector on a selector's series or an expression's result series. */
import type { MetricStore, ResultSeries, SeriesSamples } from '../../signals/index.ts';
import { type AnomalyDetector, createDefaultDetector, DEFAULT_THRESHOLD } from '../detectors/index.ts';
import { labelsKey, parseQuery, withoutName } from './expr.ts';
import type { TypedRule } from './rules.schemas.ts';
import {
  expressionIndex,
  type KindContext,
  type KindRuntime,
  MAX_INSTANCES_PER_RULE,
  newestSample,
  type Observation,
  perSeriesRuntime,
  SeriesMemory,
} from './runtime.ts';
import { formatNumber } from './template.ts';

const DAY = 86_400_000;
/** An anomaly rule stays silent until its detector has seen a full daily cycle of the series. */
export const ANOMALY_WARMUP_MS = DAY;
/** History replayed into a fresh detector after a start (the detectors are deterministic: same state). */
export const ANOMALY_HISTORY_MS = 7 * DAY;
/** An anomaly rule over an expression samples it once a minute (of sample time)… */
export const ANOMALY_EXPRESSION_STEP_MS = 60_000;
/** …and after a start replays this much of it (a day of warm-up and some), read in slices. */
export const ANOMALY_EXPRESSION_HISTORY_MS = 2 * DAY;
const RANGE_SLICE_MS = 6 * 3_600_000;

/**
 * A range query read in slices of `sliceMs`, oldest first: memory holds one slice of raw samples, not
 * days of them. Slices are aligned on the step, so no point is read twice.
 */
export async function* rangeInSlices(
  store: Pick<MetricStore, 'queryRange'>,
  query: string,
  range: { start: number; end: number; step: number },
  sliceMs = RANGE_SLICE_MS,
): AsyncGenerator<ResultSeries[]> {
  const span = Math.max(range.step, Math.floor(sliceMs / range.step) * range.step);
  for (let start = range.start; start <= range.end; start += span) {
    const end = Math.min(range.end, start + span - range.step);
    yield await store.queryRange({ query, start, end, step: range.step });
  }
}

/**
 * Sensitivity → score threshold, anchored on NAB: medium is the shipped `DEFAULT_THRESHOLD` (best for
 * the standard profile), low ~ the reward-low-false-positive optimum pushed up, high ~ the
 * reward-low-false-negative optimum (0.695 swept). See docs/alert-rules.md.
 */
export const SENSITIVITY_THRESHOLD = { low: 0.9, medium: DEFAULT_THRESHOLD, high: 0.7 } as const;

interface AnomalyEntry {
  detector: AnomalyDetector;
  firstTs: number;
  /**
   * The last verdict raised the instance and no later one cleared it: the engine's state as of this
   * sample, while several samples of one batch are judged before the engine applies any of them.
   */
  raised: boolean;
}

const newEntry = (firstTs: number): AnomalyEntry => ({
  detector: createDefaultDetector(),
  firstTs,
  raised: false,
});

export function anomalyRuntime(rule: Extract<TypedRule, { kind: 'anomaly' }>): KindRuntime {
  const q = parseQuery(rule.spec.query);
  const scoreThreshold = SENSITIVITY_THRESHOLD[rule.spec.sensitivity];
  const { direction } = rule.spec;
  const forMs = rule.spec.minDurationSeconds * 1000;
  const memory = new SeriesMemory<AnomalyEntry>();
  // The side that is watched: "up to 0.0045" reads better than a band starting below zero.
  const bandText = (lower: number, upper: number) =>
    direction === 'up'
      ? `≤ ${formatNumber(upper)}`
      : direction === 'down'
        ? `≥ ${formatNumber(lower)}`
        : `${formatNumber(lower)}–${formatNumber(upper)}`;

  /** Feeds one value to the instance's detector and judges it against the band learnt before it. */
  function judge(
    entry: AnomalyEntry,
    key: string,
    labels: Record<string, string>,
    ts: number,
    value: number,
    ctx: KindContext,
  ): Observation {
    const r = entry.detector.update(ts, value);
    const warmingUp = ts - entry.firstTs < ANOMALY_WARMUP_MS;
    const hasBand = Number.isFinite(r.lower) && Number.isFinite(r.upper);
    const outside =
      hasBand && ((direction !== 'down' && value > r.upper) || (direction !== 'up' && value < r.lower));
    // A score alone does not raise an alert: a value inside the band drawn beside it (a novel pattern
    // of ordinary values) is nothing an operator can act on. The ensemble reports an ongoing anomaly
    // once (quiet period), so an instance already raised stays raised while the value is outside.
    const active = entry.raised || ctx.isActive(key);
    const breach = !warmingUp && outside && (r.score >= scoreThreshold || active);
    entry.raised = breach || (active && outside);
    return {
      key,
      labels,
      at: ts,
      verdict: { breach, recovered: !outside, value: Number.isNaN(value) ? null : value },
      forMs,
      threshold: hasBand ? bandText(r.lower, r.upper) : 'learning',
      warmingUp,
      ...(hasBand ? { band: [r.lower, r.upper] as [number, number] } : {}),
    };
  }

  if (!q.plainSelector) return anomalyExpressionRuntime(q, memory, judge);

  return perSeriesRuntime(rule.spec.query, memory, {
    historyMs: ANOMALY_HISTORY_MS,
    create: newEntry,
    warm(entry, p) {
      if (p.ts < entry.firstTs) entry.firstTs = p.ts;
      entry.detector.update(p.ts, p.value);
    },
    judge: (entry, key, labels, p, ctx) => judge(entry, key, labels, p.ts, p.value, ctx),
  });
}

/** A series behind the newest by more than this, and absent from that many batches, has stopped. */
const STOPPED_BEHIND_MS = 5 * 60_000;
const STOPPED_AFTER_BATCHES = 20;

/**
 * The sample time up to which every series an expression reads has arrived. A batch may carry some
 * series minutes ahead of the others (history sent in chunks and cut into requests by size, remote_write
 * shards), and a minute judged before all of its series are stored is judged on part of the data, once.
 * A series stops holding the mark back when it ends (a stale marker, NaN) or stops coming: more than
 * 5 minutes behind the newest and absent from the last 20 batches (a pod gone). Either alone is not
 * enough: a chunk's other requests are ten minutes behind until the next batch, and a scraper sends a
 * batch per target, many between two samples of one series.
 */
class Watermark {
  private readonly series = new Map<string, { ts: number; batch: number }>();
  private batches = 0;

  /** Takes a batch in; returns the mark (+Infinity when no series is followed). */
  advance(batch: readonly SeriesSamples[]): number {
    this.batches++;
    for (const s of batch) {
      const last = s.points[s.points.length - 1];
      if (!last) continue;
      const key = labelsKey(s.labels);
      if (Number.isNaN(last.value)) {
        this.series.delete(key);
        continue;
      }
      const e = this.series.get(key);
      if (e) {
        e.ts = Math.max(e.ts, last.ts);
        e.batch = this.batches;
      } else if (this.series.size < MAX_INSTANCES_PER_RULE) {
        this.series.set(key, { ts: last.ts, batch: this.batches });
      }
    }
    let newest = Number.NEGATIVE_INFINITY;
    for (const e of this.series.values()) newest = Math.max(newest, e.ts);
    let mark = Number.POSITIVE_INFINITY;
    for (const [key, e] of this.series) {
      const stopped = newest - e.ts > STOPPED_BEHIND_MS && this.batches - e.batch > STOPPED_AFTER_BATCHES;
      if (stopped) this.series.delete(key);
      else mark = Math.min(mark, e.ts);
    }
    return mark;
  }
}

/**
 * An anomaly rule over an expression (a ratio, a sum by service): the expression is evaluated at every
 * minute mark of sample time (`ANOMALY_EXPRESSION_STEP_MS`), each result series with a detector of its
 * own, once every series it reads has arrived (Watermark). A batch covering several minutes (history
 * sent in chunks, a sender catching up) is evaluated at each of them, by one range query. The first
 * batch after a start replays the expression's history (`ANOMALY_EXPRESSION_HISTORY_MS`) without
 * judging it, so the detectors hold the state they would have had.
 */
function anomalyExpressionRuntime(
  q: ReturnType<typeof parseQuery>,
  memory: SeriesMemory<AnomalyEntry>,
  judge: (
    e: AnomalyEntry,
    key: string,
    labels: Record<string, string>,
    ts: number,
    v: number,
    ctx: KindContext,
  ) => Observation,
): KindRuntime {
  const step = ANOMALY_EXPRESSION_STEP_MS;
  const watermark = new Watermark();
  /** The last minute mark evaluated. */
  let lastAt = Number.NEGATIVE_INFINITY;
  return {
    ...expressionIndex(q),
    async observe(series, ctx) {
      const arrived = watermark.advance(series);
      const at = Math.floor((Number.isFinite(arrived) ? arrived : newestSample(series)) / step) * step;
      if (at <= lastAt) return [];
      // The first batch after a start replays the history up to the minute before it and judges
      // nothing: it is one batch, which may hold a few of the series its minute needs.
      const replay = lastAt === Number.NEGATIVE_INFINITY;
      const range = replay
        ? { start: at - ANOMALY_EXPRESSION_HISTORY_MS, end: at - step, step }
        : { start: lastAt + step, end: at, step };
      const out: Observation[] = [];
      try {
        for await (const slice of rangeInSlices(ctx.store, q.text, range)) {
          for (const r of slice) {
            const first = r.points[0];
            if (!first) continue;
            const labels = withoutName(r.labels);
            const key = labelsKey(labels);
            let entry = memory.get(key);
            if (!entry) {
              entry = newEntry(first.ts);
              if (!memory.set(key, entry, ctx.now())) continue;
            }
            for (const p of r.points) {
              if (replay) entry.detector.update(p.ts, p.value);
              else out.push(judge(entry, key, labels, p.ts, p.value, ctx));
            }
            memory.touch(key, ctx.now());
          }
        }
      } catch (err) {
        // Some detectors have seen these minutes and some not: start over with a replay next time.
        memory.items.clear();
        lastAt = Number.NEGATIVE_INFINITY;
        throw err;
      }
      lastAt = range.end;
      return out;
    },
    evict: (before) => memory.evict(before),
  };
}
