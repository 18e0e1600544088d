import { type Kysely, SqliteAdapter } from 'kysely';
import type { Config } from '../../../config.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Engine } from '../../../platform/db/engine.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { AppError } from '../../../platform/errors.ts';
import type {
  AppendResult,
  LabelMatcher,
  Labels,
  MetricStore,
  Point,
  ResultSeries,
  SeriesSamples,
  TimeRange,
} from '../metric-store.ts';
import { createPromqlEngine, type Fetcher, type InstantValue } from '../query/engine.ts';
import { createAppender } from './append.ts';
import { type HeadWriter, startHeadWriter } from './head-writer.ts';
import { canonicalLabels, compileMatchers } from './matchers.ts';
import { createMaintenance, type Maintenance } from './rollups.ts';
import { createStoreRepo } from './store.repo.ts';

export type StoreConfig = Pick<
  Config,
  | 'metricsMaxSeries'
  | 'metricsRetentionRawDays'
  | 'metricsRetention1mDays'
  | 'metricsRetention1hDays'
  | 'dbPoolMax'
>;

export interface EmbeddedStoreDeps {
  db: Kysely<DB>;
  /** Detected from the Kysely dialect when absent. */
  engine?: Engine;
  clock: Clock;
  config: StoreConfig;
}

/** The embedded store also answers what the Prometheus-compatible HTTP API needs beyond MetricStore. */
export interface EmbeddedMetricStore extends MetricStore, Maintenance {
  /** Instant query keeping PromQL's result type (a scalar is not a series). */
  evaluate(query: string, at: number): Promise<InstantValue>;
  /** Moves appended samples into the clustered table; returns how many were moved. */
  compact(): Promise<number>;
}

const DAY = 86_400_000;
// Head rows that trigger a background compaction: large enough that each series gains many samples per
// compaction (fewer page writes per sample), small enough that queries scanning the head stay cheap.
const COMPACT_AT = 200_000;
const COMPACT_CHUNK = 200_000;
// Group commits in flight at once on PostgreSQL: a few of the pool's connections, leaving at least two
// for compaction and queries.
const PG_CONCURRENT_COMMITS = 3;

export const engineOf = (db: Kysely<DB>): Engine =>
  db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres';

export function createEmbeddedMetricStore(deps: EmbeddedStoreDeps): EmbeddedMetricStore {
  const { db, clock, config } = deps;
  const engine = deps.engine ?? engineOf(db);
  const repo = createStoreRepo(engine);
  const labelsById = new Map<number, Labels>();
  let closed = false;
  let headRows = 0;
  let compacting: Promise<number> | undefined;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const pg = engine === 'postgres';
  // SQLite: samples are written on a thread of their own (head-writer.ts), started at the first write.
  let headWriter: Promise<HeadWriter> | undefined;
  const sqliteWriter = (): Promise<HeadWriter> => {
    headWriter ??= repo.sqliteFile(db).then(startHeadWriter, (err) => {
      headWriter = undefined; // tried again at the next write
      throw err;
    });
    return headWriter;
  };

  const appender = createAppender({
    db,
    repo,
    clock,
    maxSeries: () => config.metricsMaxSeries,
    writeHead: pg
      ? async (ids, ts, values) => db.transaction().execute((tx) => repo.appendHead(tx, ids, ts, values))
      : async (ids, ts, values) => (await sqliteWriter()).append(ids, ts, values),
    // SQLite: one group on the writer thread while the next is gathered and sent.
    concurrentCommits: pg ? Math.max(1, Math.min(PG_CONCURRENT_COMMITS, config.dbPoolMax - 2)) : 2,
    onCommitted(samples) {
      headRows += samples;
      if (headRows >= COMPACT_AT) void compactInBackground();
    },
  });

  const retention = {
    raw: config.metricsRetentionRawDays * DAY,
    minute: config.metricsRetention1mDays * DAY,
    hour: config.metricsRetention1hDays * DAY,
  };

  async function append(batch: readonly SeriesSamples[]): Promise<AppendResult> {
    if (closed) throw new AppError(503, 'store_closed', 'The metric store is closed');
    inFlight++;
    try {
      return await appender.append(batch);
    } finally {
      inFlight--;
      if (inFlight === 0) idle?.();
    }
  }

  function compactInBackground(): Promise<number> {
    if (!compacting) {
      compacting = (async () => {
        let moved = 0;
        try {
          for (;;) {
            const n = pg ? await repo.compact(db) : await (await sqliteWriter()).compact(COMPACT_CHUNK);
            moved += n;
            headRows = Math.max(0, headRows - n);
            if (n < COMPACT_CHUNK || closed) break;
          }
        } catch {
          // The rows stay in the head, where queries read them too; the next trigger or rollup run retries.
        } finally {
          compacting = undefined;
        }
        return moved;
      })();
    }
    return compacting;
  }

  async function labelsOf(rows: readonly { id: number; labels: string }[]): Promise<Map<number, Labels>> {
    const out = new Map<number, Labels>();
    for (const r of rows) {
      let l = labelsById.get(r.id);
      if (!l) {
        l = JSON.parse(r.labels) as Labels;
        if (labelsById.size > config.metricsMaxSeries * 2) labelsById.clear();
        labelsById.set(r.id, l);
      }
      out.set(r.id, l);
    }
    return out;
  }

  /** Series matching every matcher: narrowed in SQL by the matchers that need a value, then tested here. */
  async function resolve(matchers: readonly LabelMatcher[], limit?: number): Promise<Map<number, Labels>> {
    const compiled = compileMatchers(matchers);
    const conds: { name: string; values: string[] }[] = [];
    for (const m of compiled) {
      if (m.matchesEmpty) continue;
      if (m.op === '=') conds.push({ name: m.name, values: [m.value] });
      else if (m.op === '=~') {
        const re = m.regex as RegExp;
        const values = (await repo.distinctValues(db, m.name)).filter((v) => re.test(v));
        if (values.length === 0) return new Map();
        conds.push({ name: m.name, values });
      }
    }
    const exact = compiled.every((m) => !m.matchesEmpty && (m.op === '=' || m.op === '=~'));
    const rows = await repo.seriesWhere(db, conds, exact ? limit : undefined);
    const all = await labelsOf(rows);
    const out = new Map<number, Labels>();
    for (const [id, labels] of all) {
      if (compiled.every((m) => m.test(labels))) {
        out.set(id, labels);
        if (limit !== undefined && out.size >= limit) break;
      }
    }
    return out;
  }

  async function readRaw(series: Map<number, Labels>, range: TimeRange): Promise<Map<number, Point[]>> {
    const rows = await repo.readSamples(db, [...series.keys()], range.start, range.end);
    const out = new Map<number, Point[]>();
    for (const r of rows) {
      let pts = out.get(r.seriesId);
      if (!pts) {
        pts = [];
        out.set(r.seriesId, pts);
      }
      const value = r.value === null ? Number.NaN : r.value;
      const last = pts[pts.length - 1];
      // Rows of one (series, ts) arrive oldest write first: the last one wins.
      if (last && last.ts === r.ts) last.value = value;
      else pts.push({ ts: r.ts, value });
    }
    return out;
  }

  const toResult = (series: Map<number, Labels>, points: Map<number, Point[]>): ResultSeries[] =>
    [...series]
      .map(([id, labels]) => ({ labels, points: points.get(id) ?? [] }))
      .filter((s) => s.points.length > 0)
      .sort((a, b) => compareKeys(canonicalLabels(a.labels), canonicalLabels(b.labels)));

  const maintenance = createMaintenance({ db, repo, clock, retention, compact: () => compactInBackground() });

  /** Reads for the query engine at the resolution that fits the range and step (see rollups.ts). */
  const fetcher: Fetcher = {
    async fetch(matchers, range, hint) {
      const series = await resolve(matchers);
      if (series.size === 0) return { series: [], resolutionMs: 0 };
      const resolution = maintenance.pickResolution(range, hint.step);
      if (resolution.name === 'raw')
        return { series: toResult(series, await readRaw(series, range)), resolutionMs: 0 };
      const points = await maintenance.readRollups(resolution, [...series.keys()], range, hint.field, (r) =>
        readRaw(series, r),
      );
      return { series: toResult(series, points), resolutionMs: resolution.width };
    },
  };
  const promql = createPromqlEngine(fetcher);

  return {
    append,
    async select(matchers, range) {
      const series = await resolve(matchers);
      if (series.size === 0) return [];
      return toResult(series, await readRaw(series, range));
    },
    queryRange: (q) => promql.range(q.query, q.start, q.end, q.step),
    async queryInstant(query, at) {
      const v = await promql.instant(query, at);
      if (v.resultType === 'vector') return v.result;
      if (v.resultType === 'scalar') return [{ labels: {}, points: [v.result] }];
      return [];
    },
    evaluate: (query, at) => promql.instant(query, at),
    async series(matchers, limit) {
      return [...(await resolve(matchers, limit)).values()];
    },
    async labelValues(name, matchers) {
      if (matchers.length === 0) return repo.distinctValues(db, name);
      const values = new Set<string>();
      for (const labels of (await resolve(matchers)).values()) {
        const v = labels[name];
        if (v !== undefined) values.add(v);
      }
      return [...values].sort(compareKeys);
    },
    async labelNames(matchers) {
      if (matchers.length === 0) return repo.distinctNames(db);
      const names = new Set<string>();
      for (const labels of (await resolve(matchers)).values())
        for (const n of Object.keys(labels)) names.add(n);
      return [...names].sort(compareKeys);
    },
    compact: () => compactInBackground(),
    runRollups: maintenance.runRollups,
    runRetention: maintenance.runRetention,
    pickResolution: maintenance.pickResolution,
    readRollups: maintenance.readRollups,
    async close() {
      closed = true;
      // Appends already under way finish (their callers wait for them); nothing is buffered in memory.
      if (inFlight > 0)
        await new Promise<void>((r) => {
          idle = r;
        });
      await compacting;
      await (await headWriter)?.close();
    },
  };
}

const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
