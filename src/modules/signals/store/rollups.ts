import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.ts';
import type { DB } from '../../../platform/db/schema.ts';
import type { Point, TimeRange } from '../metric-store.ts';
import type { RollupField } from '../query/engine.ts';
import type { RollupRow, RollupTable, StoreRepo } from './store.repo.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Samples may arrive this late and still be counted in their 1 min bucket (and so in its hour). */
export const ROLLUP_LATENESS_MS = 10 * MINUTE;
const SERIES_CHUNK = 500;

export interface Resolution {
  name: 'raw' | 'minute' | 'hour';
  /** Bucket width in ms; 0 for raw samples. */
  width: number;
}
const RAW: Resolution = { name: 'raw', width: 0 };
const MINUTES: Resolution = { name: 'minute', width: MINUTE };
const HOURS: Resolution = { name: 'hour', width: HOUR };
const TABLE: Record<'minute' | 'hour', RollupTable> = {
  minute: 'metricRollupsMinute',
  hour: 'metricRollupsHour',
};

export interface RollupReport {
  minutesUntil: number;
  hoursUntil: number;
}

export interface RetentionReport {
  samples: number;
  minuteRollups: number;
  hourRollups: number;
  series: number;
}

export interface Maintenance {
  /**
   * Compacts, then rolls complete minutes (and hours) up, and merges the packed chunks of hours closed to
   * late samples (PostgreSQL); idempotent, recomputes the late-data window.
   */
  runRollups(): Promise<RollupReport>;
  /** Deletes what is past each resolution's retention, in bounded chunks. */
  runRetention(): Promise<RetentionReport>;
  /** The stored resolution a query over `range` at `step` reads. */
  pickResolution(range: TimeRange, step: number): Resolution;
  readRollups(
    resolution: Resolution,
    ids: readonly number[],
    range: TimeRange,
    field: RollupField,
    readRaw: (range: TimeRange) => Promise<Map<number, Point[]>>,
  ): Promise<Map<number, Point[]>>;
}

export function createMaintenance(deps: {
  db: Kysely<DB>;
  repo: StoreRepo;
  clock: Clock;
  retention: { raw: number; minute: number; hour: number };
  compact: () => Promise<number>;
}): Maintenance {
  const { db, repo, clock, retention } = deps;
  const floor = (t: number, w: number) => Math.floor(t / w) * w;
  /** Hours before this have had their chunks merged (by this process; a restart redoes the last three). */
  let merged: number | undefined;

  async function eachChunk(ids: number[], fn: (chunk: number[]) => Promise<void>): Promise<void> {
    for (let i = 0; i < ids.length; i += SERIES_CHUNK) await fn(ids.slice(i, i + SERIES_CHUNK));
  }

  return {
    async runRollups() {
      const now = clock.now();
      await deps.compact();
      // A minute is complete once a further minute has passed (appends in flight have landed).
      const to = floor(now - MINUTE, MINUTE);
      const done = (await repo.rollupState(db, 'minute')) ?? floor(now - retention.raw, MINUTE);
      const from = Math.max(floor(done - ROLLUP_LATENESS_MS, MINUTE), floor(now - retention.raw, MINUTE));
      if (to > from) {
        // Series not seen since before the window have nothing in it (last_seen lags by at most an hour).
        const ids = await repo.activeSeriesIds(db, from - HOUR);
        await eachChunk(ids, (chunk) => repo.rollupRawToMinutes(db, chunk, from, to));
        await repo.setRollupState(db, 'minute', to);
      }
      const minutesUntil = Math.max(to, done);
      const toH = floor(minutesUntil, HOUR);
      const doneH = (await repo.rollupState(db, 'hour')) ?? floor(now - retention.minute, HOUR);
      const fromH = Math.max(floor(doneH - ROLLUP_LATENESS_MS, HOUR), floor(now - retention.minute, HOUR));
      if (toH > fromH) {
        const ids = await repo.activeSeriesIds(db, fromH - HOUR);
        await eachChunk(ids, (chunk) => repo.rollupMinutesToHours(db, chunk, fromH, toH));
        await repo.setRollupState(db, 'hour', toH);
      }
      // Hours closed to late samples (PostgreSQL packs each compaction's samples apart: one row each).
      const closedH = floor(now - ROLLUP_LATENESS_MS, HOUR);
      if (closedH > (merged ?? Number.NEGATIVE_INFINITY)) {
        const fromM = Math.max(merged ?? closedH - 3 * HOUR, floor(now - retention.raw, HOUR));
        const ids = await repo.activeSeriesIds(db, fromM - HOUR);
        await eachChunk(ids, (chunk) => repo.mergeChunks(db, chunk, fromM, closedH));
        merged = closedH;
      }
      return { minutesUntil, hoursUntil: Math.max(toH, doneH) };
    },

    async runRetention() {
      const now = clock.now();
      const report: RetentionReport = { samples: 0, minuteRollups: 0, hourRollups: 0, series: 0 };
      await deps.compact();
      const ids = await repo.allSeriesIds(db);
      await eachChunk(ids, async (chunk) => {
        report.samples += await repo.deleteBefore(db, 'samples', chunk, now - retention.raw);
        report.minuteRollups += await repo.deleteBefore(
          db,
          'metricRollupsMinute',
          chunk,
          now - retention.minute,
        );
        report.hourRollups += await repo.deleteBefore(db, 'metricRollupsHour', chunk, now - retention.hour);
      });
      await repo.deleteHeadBefore(db, now - retention.raw);
      // A series unseen for longer than the longest retention has nothing left; it stops counting
      // against the series limit.
      const unseen = now - Math.max(retention.raw, retention.minute, retention.hour);
      for (;;) {
        const gone = await repo.deleteSeriesUnseenSince(db, unseen, 1000);
        report.series += gone.length;
        if (gone.length < 1000) break;
      }
      return report;
    },

    pickResolution(range, step) {
      const now = clock.now();
      if (range.start >= now - retention.raw && step <= 5 * MINUTE) return RAW;
      if (range.start >= now - retention.minute && step < HOUR) return MINUTES;
      if (range.start >= now - retention.raw && step < HOUR) return RAW;
      return HOURS;
    },

    async readRollups(resolution, ids, range, field, readRaw) {
      const out = new Map<number, Point[]>();
      if (resolution.name === 'raw') return readRaw(range);
      const width = resolution.width;
      const watermark = (await repo.rollupState(db, resolution.name)) ?? Number.NEGATIVE_INFINITY;
      // A bucket's point stands at its end: the value as of then (its last, min, max… over the bucket).
      const rows = await repo.readRollups(db, TABLE[resolution.name], ids, range.start - width, range.end);
      for (const r of rows) {
        const ts = r.ts + width;
        if (ts < range.start || ts > range.end || r.ts + width > watermark) continue;
        let pts = out.get(r.seriesId);
        if (!pts) {
          pts = [];
          out.set(r.seriesId, pts);
        }
        pts.push({ ts, value: fieldOf(r, field) });
      }
      // Past the last complete bucket, the raw samples answer (so recent data is never missing).
      const tailFrom = Math.max(range.start, watermark);
      if (tailFrom <= range.end) {
        const raw = await readRaw({ start: tailFrom, end: range.end });
        for (const [id, points] of raw) {
          let pts = out.get(id);
          if (!pts) {
            pts = [];
            out.set(id, pts);
          }
          for (const p of points) {
            const value = field === 'count' ? 1 : p.value;
            const last = pts[pts.length - 1];
            if (last && last.ts >= p.ts) last.value = value;
            else pts.push({ ts: p.ts, value });
          }
        }
      }
      return out;
    },
  };
}

function fieldOf(r: RollupRow, field: RollupField): number {
  switch (field) {
    case 'min':
      return r.min;
    case 'max':
      return r.max;
    case 'sum':
      return r.sum;
    case 'count':
      return Number(r.count);
    case 'avg':
      return r.count > 0 ? r.sum / Number(r.count) : Number.NaN;
    default:
      return r.last;
  }
}
