import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../../platform/clock.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { AppError } from '../../../platform/errors.ts';
import type { AppendResult, Labels, Point, SeriesSamples } from '../metric-store.ts';
import { canonicalLabels, labelsCacheKey } from './matchers.ts';
import type { StoreRepo } from './store.repo.ts';

/**
 * The embedded store's write path: label sets to series ids (a cache in front of the series table, new
 * series created in bulk under the cardinality limit), then the samples into the head table, batches of
 * known series sharing one transaction (group commit).
 */

// How long a cached series id is trusted. Past it, the series is looked up again (and last_seen_at
// refreshed) in the batch's own transaction: the hot path writes no series rows, and an id that
// retention (here or on another instance) has dropped since is never written to. Retention only drops
// series unseen for days, so an id confirmed this recently still exists.
const TOUCH_EVERY = 10 * 60_000;
// Most samples committed by one group transaction (see groupAppend).
const GROUP_MAX_SAMPLES = 50_000;
// Most series ids cached; beyond it the ones not confirmed lately go first.
const CACHE_MAX = 1_000_000;

interface Settle {
  resolve(r: AppendResult): void;
  reject(err: unknown): void;
}

/** A label set's series id, shared by every label object of that set (see `entryOf`). */
interface CachedSeries {
  key: string;
  /** 0 until a committed transaction has confirmed the series. */
  id: number;
  touchedAt: number;
}

export interface AppenderDeps {
  db: Kysely<DB>;
  repo: StoreRepo;
  clock: Clock;
  maxSeries: () => number;
  /** Told how many samples each commit added to the head. */
  onCommitted: (samples: number) => void;
  /**
   * Commits a group of samples of known series to the head, in a transaction of its own (the store's
   * sample writer thread on SQLite, a pool connection on PostgreSQL).
   */
  writeHead: (ids: Float64Array, ts: Float64Array, values: Float64Array) => Promise<void>;
  /**
   * Group transactions that may be committing at once (default 1): with more, one group's insert
   * overlaps the previous group's commit (PostgreSQL's pool) or its decoding the writer's work (SQLite).
   */
  concurrentCommits?: number;
}

export function createAppender(deps: AppenderDeps) {
  const { db, repo, clock, onCommitted } = deps;
  const cache = new Map<string, CachedSeries>();
  const byLabels = new WeakMap<Labels, CachedSeries>();

  /**
   * The cache entry of a label set; a producer that reuses its label objects (remote_write) finds it by
   * identity, without building the key.
   */
  function entryOf(labels: Labels): CachedSeries {
    let entry = byLabels.get(labels);
    if (entry === undefined) {
      const key = labelsCacheKey(labels);
      entry = cache.get(key);
      if (entry === undefined) {
        // Entries of batches that were refused (series limit) count too: the bound holds regardless.
        if (cache.size >= CACHE_MAX) prune(clock.now());
        entry = { key, id: 0, touchedAt: 0 };
        cache.set(key, entry);
      }
      byLabels.set(labels, entry);
    }
    return entry;
  }

  async function appendNow(batch: readonly SeriesSamples[]): Promise<AppendResult> {
    const now = clock.now();
    const entries: CachedSeries[] = new Array(batch.length);
    let missing: Map<string, Labels> | undefined;
    let total = 0;
    for (let i = 0; i < batch.length; i++) {
      const s = batch[i] as SeriesSamples;
      const entry = entryOf(s.labels);
      entries[i] = entry;
      total += s.points.length;
      if (entry.id === 0 || now - entry.touchedAt > TOUCH_EVERY) {
        missing ??= new Map();
        missing.set(entry.key, s.labels);
      }
    }
    if (!missing) return groupAppend(batch, entries, total);

    const result = await db.transaction().execute(async (tx) => {
      const found = await resolveSeries(tx, missing, now);
      const ids = new Float64Array(total);
      const tss = new Float64Array(total);
      const values = new Float64Array(total);
      fill(batch, entries, found.ids, ids, tss, values, 0);
      await repo.appendHead(tx, ids, tss, values);
      return found;
    });

    // Only once committed: a rolled-back batch must not leave ids of series that do not exist.
    for (const entry of entries) {
      const id = result.ids.get(entry.key);
      if (id === undefined) continue;
      entry.id = id;
      entry.touchedAt = now;
      // Pruned meanwhile: back in, so that other label objects of the set find it.
      if (cache.get(entry.key) !== entry) cache.set(entry.key, entry);
    }
    onCommitted(total);
    return { samples: total, newSeries: result.newSeries };
  }

  /** Ids of the label sets not in the cache, creating the series that do not exist yet. */
  async function resolveSeries(
    tx: Transaction<DB>,
    missing: Map<string, Labels>,
    now: number,
  ): Promise<{ ids: Map<string, number>; newSeries: number }> {
    const found = new Map<string, number>();
    let newSeries = 0;
    const byHash = new Map<string, string>();
    const canonical = new Map<string, string>();
    for (const [key, labels] of missing) {
      const json = canonicalLabels(labels);
      canonical.set(key, json);
      byHash.set(hashOf(json), key);
    }
    for (const row of await repo.seriesByHash(tx, [...byHash.keys()])) {
      found.set(byHash.get(row.hash) as string, row.id);
    }
    if (found.size > 0) await repo.touchSeries(tx, [...found.values()], now);
    const fresh = [...missing.keys()].filter((k) => !found.has(k));
    if (fresh.length === 0) return { ids: found, newSeries };
    const existing = await repo.countSeries(tx);
    const limit = deps.maxSeries();
    if (existing + fresh.length > limit) {
      throw new AppError(
        422,
        'cardinality_limit',
        `Series limit reached: ${existing} series exist, this batch would add ${fresh.length} new ones, ` +
          `and the limit is ${limit} (STEADY_METRICS_MAX_SERIES); nothing was stored`,
        { existing, newSeries: fresh.length, limit },
      );
    }
    const rows = fresh.map((key) => {
      const labels = missing.get(key) as Labels;
      return {
        hash: hashOf(canonical.get(key) as string),
        name: labels.__name__ ?? '',
        service: labels.service ?? null,
        labels: canonical.get(key) as string,
        createdAt: now,
        lastSeenAt: now,
      };
    });
    const inserted = await repo.insertSeries(tx, rows);
    const labelRows: { name: string; value: string; seriesId: number }[] = [];
    for (const row of inserted) {
      const key = byHash.get(row.hash) as string;
      if (!found.has(key)) newSeries++;
      found.set(key, row.id);
      for (const [name, value] of Object.entries(missing.get(key) as Labels)) {
        labelRows.push({ name, value, seriesId: row.id });
      }
    }
    await repo.insertLabels(tx, labelRows);
    return { ids: found, newSeries };
  }

  /** Writes the batch's samples into the arrays from `at`; ids from `found` before the entries'. */
  function fill(
    batch: readonly SeriesSamples[],
    entries: readonly CachedSeries[],
    found: Map<string, number> | undefined,
    ids: Float64Array,
    tss: Float64Array,
    values: Float64Array,
    at: number,
  ): void {
    let n = at;
    for (let i = 0; i < batch.length; i++) {
      const entry = entries[i] as CachedSeries;
      const id = found?.get(entry.key) ?? entry.id;
      const points = (batch[i] as SeriesSamples).points;
      for (let j = 0; j < points.length; j++) {
        const p = points[j] as Point;
        ids[n] = id;
        tss[n] = p.ts;
        values[n] = p.value;
        n++;
      }
    }
  }

  /** Drops the entries due for a lookup anyway (series that stopped reporting), and all if that is not enough. */
  function prune(now: number): void {
    for (const [key, c] of cache) if (c.id === 0 || now - c.touchedAt > TOUCH_EVERY) cache.delete(key);
    if (cache.size > CACHE_MAX / 2) cache.clear();
  }

  /**
   * Group commit for batches of known series (the steady state): batches arriving while the event loop
   * is busy (other requests being decoded, a transaction being committed) share one transaction, and
   * each caller is answered once that transaction has committed. A failure fails every batch of the
   * group, and rolls all of them back, so each batch is still stored whole or not at all.
   */
  const group: { batch: readonly SeriesSamples[]; entries: CachedSeries[]; total: number; done: Settle }[] =
    [];
  let flushes = 0;
  let scheduled = false;
  const maxFlushes = deps.concurrentCommits ?? 1;

  function schedule(): void {
    if (scheduled || flushes >= maxFlushes || group.length === 0) return;
    scheduled = true;
    setImmediate(flushGroup);
  }

  function groupAppend(batch: readonly SeriesSamples[], entries: CachedSeries[], total: number) {
    return new Promise<AppendResult>((resolve, reject) => {
      group.push({ batch, entries, total, done: { resolve, reject } });
      schedule();
    });
  }

  async function flushGroup(): Promise<void> {
    scheduled = false;
    flushes++;
    // Bounded, so that one transaction never holds the connection for long; the rest go next.
    let take = 0;
    let total = 0;
    while (take < group.length && (take === 0 || total + (group[take]?.total ?? 0) <= GROUP_MAX_SAMPLES)) {
      total += (group[take] as { total: number }).total;
      take++;
    }
    const members = group.splice(0, take);
    // What did not fit goes in a transaction of its own, at once where the engine takes several.
    schedule();
    try {
      const ids = new Float64Array(total);
      const tss = new Float64Array(total);
      const values = new Float64Array(total);
      let at = 0;
      for (const m of members) {
        fill(m.batch, m.entries, undefined, ids, tss, values, at);
        at += m.total;
      }
      await deps.writeHead(ids, tss, values);
      onCommitted(total);
      for (const m of members) m.done.resolve({ samples: m.total, newSeries: 0 });
    } catch (err) {
      for (const m of members) m.done.reject(err);
    } finally {
      flushes--;
      schedule();
    }
  }

  return { append: appendNow };
}

const hashOf = (key: string): string => createHash('sha256').update(key).digest('base64url');
