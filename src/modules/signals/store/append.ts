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

// last_seen_at is refreshed at most this often per series: the hot path writes no series rows.
const TOUCH_EVERY = 10 * 60_000;
// Most samples committed by one group transaction (see groupAppend).
const GROUP_MAX_SAMPLES = 50_000;

interface Settle {
  resolve(r: AppendResult): void;
  reject(err: unknown): void;
}

interface CachedSeries {
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
}

export function createAppender(deps: AppenderDeps) {
  const { db, repo, clock, onCommitted } = deps;
  const cache = new Map<string, CachedSeries>();
  const keys = new WeakMap<Labels, string>();

  /** The cache key of a label set; a producer that reuses its label objects (remote_write) pays once. */
  function keyOf(labels: Labels): string {
    let key = keys.get(labels);
    if (key === undefined) {
      key = labelsCacheKey(labels);
      keys.set(labels, key);
    }
    return key;
  }

  async function appendNow(batch: readonly SeriesSamples[]): Promise<AppendResult> {
    const now = clock.now();
    const batchKeys: string[] = new Array(batch.length);
    let missing: Map<string, Labels> | undefined;
    let total = 0;
    for (let i = 0; i < batch.length; i++) {
      const s = batch[i] as SeriesSamples;
      const key = keyOf(s.labels);
      batchKeys[i] = key;
      total += s.points.length;
      if (!cache.has(key)) {
        missing ??= new Map();
        missing.set(key, s.labels);
      }
    }
    if (!missing) return groupAppend(batch, batchKeys, total);

    const result = await db.transaction().execute(async (tx) => {
      const found = await resolveSeries(tx, missing, now);
      const ids = new Array<number>(total);
      const tss = new Array<number>(total);
      const values = new Array<number>(total);
      const stale = fill(batch, batchKeys, found.ids, now, ids, tss, values, 0);
      if (stale.length > 0) await repo.touchSeries(tx, stale, now);
      await repo.appendHead(tx, ids, tss, values);
      return found;
    });

    // Only once committed: a rolled-back batch must not leave ids of series that do not exist.
    for (const [key, id] of result.ids) cache.set(key, { id, touchedAt: now });
    committed([batchKeys], total, now);
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

  /** Writes the batch's samples into the arrays from `at`; returns the ids whose last_seen_at is due. */
  function fill(
    batch: readonly SeriesSamples[],
    batchKeys: readonly string[],
    found: Map<string, number> | undefined,
    now: number,
    ids: number[],
    tss: number[],
    values: number[],
    at: number,
  ): number[] {
    const stale: number[] = [];
    let n = at;
    for (let i = 0; i < batch.length; i++) {
      const key = batchKeys[i] as string;
      const cached = cache.get(key);
      const id = cached ? cached.id : (found?.get(key) as number);
      if (cached && now - cached.touchedAt > TOUCH_EVERY) stale.push(id);
      const points = (batch[i] as SeriesSamples).points;
      for (let j = 0; j < points.length; j++) {
        const p = points[j] as Point;
        ids[n] = id;
        tss[n] = p.ts;
        values[n] = p.value;
        n++;
      }
    }
    return stale;
  }

  /** After a commit: touched series are fresh again, and the head may be due for compaction. */
  function committed(keyLists: readonly (readonly string[])[], samples: number, now: number): void {
    for (const list of keyLists) {
      for (const key of list) {
        const c = cache.get(key);
        if (c && now - c.touchedAt > TOUCH_EVERY) c.touchedAt = now;
      }
    }
    onCommitted(samples);
  }

  /**
   * Group commit for batches of known series (the steady state): batches arriving while the event loop
   * is busy (other requests being decoded, a transaction being committed) share one transaction, and
   * each caller is answered once that transaction has committed. A failure fails every batch of the
   * group, and rolls all of them back, so each batch is still stored whole or not at all.
   */
  const group: { batch: readonly SeriesSamples[]; keys: string[]; total: number; done: Settle }[] = [];
  let flushing = false;

  function groupAppend(batch: readonly SeriesSamples[], batchKeys: string[], total: number) {
    return new Promise<AppendResult>((resolve, reject) => {
      group.push({ batch, keys: batchKeys, total, done: { resolve, reject } });
      if (group.length === 1 && !flushing) setImmediate(flushGroup);
    });
  }

  async function flushGroup(): Promise<void> {
    flushing = true;
    // Bounded, so that one transaction never holds the connection for long; the rest go next.
    let take = 0;
    let total = 0;
    while (take < group.length && (take === 0 || total + (group[take]?.total ?? 0) <= GROUP_MAX_SAMPLES)) {
      total += (group[take] as { total: number }).total;
      take++;
    }
    const members = group.splice(0, take);
    try {
      const now = clock.now();
      const ids = new Array<number>(total);
      const tss = new Array<number>(total);
      const values = new Array<number>(total);
      let at = 0;
      const stale: number[] = [];
      for (const m of members) {
        for (const id of fill(m.batch, m.keys, undefined, now, ids, tss, values, at)) stale.push(id);
        at += m.total;
      }
      await db.transaction().execute(async (tx) => {
        if (stale.length > 0) await repo.touchSeries(tx, stale, now);
        await repo.appendHead(tx, ids, tss, values);
      });
      committed(
        members.map((m) => m.keys),
        total,
        now,
      );
      for (const m of members) m.done.resolve({ samples: m.total, newSeries: 0 });
    } catch (err) {
      for (const m of members) m.done.reject(err);
    } finally {
      flushing = false;
      if (group.length > 0) setImmediate(flushGroup);
    }
  }

  return { append: appendNow };
}

const hashOf = (key: string): string => createHash('sha256').update(key).digest('base64url');
