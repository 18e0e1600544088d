import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Actor, AuditRepo } from '../../../platform/audit/audit.repo.ts';
import type { Clock } from '../../../platform/clock.ts';
import { fromJson, toJson } from '../../../platform/db/constraint-errors.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { badRequest, notFound } from '../../../platform/errors.ts';
import { newId } from '../../../platform/ids.ts';
import type { JobQueue } from '../../../platform/jobs/worker.ts';
import type { SampleSink } from '../metric-store.ts';
import { nextSlotAfter, onGrid } from '../probes/schedule.ts';
import type { createTargetBody, ScrapeTarget, updateTargetBody } from './ingest.schemas.ts';
import type { ScrapeRepo, ScrapeTargetRow } from './scrape.repo.ts';
import { instanceOf, type ScrapeOutcome, scrape, withReport } from './scraper.ts';

export const SCRAPE_JOB = 'signals.scrape';
/** Hourly: re-queues the next slot of every enabled target, which restarts a chain whose job died. */
export const SCRAPE_UPKEEP_JOB = 'signals.scrape-upkeep';
const HOUR = 3_600_000;

/** Runs scrape upkeep now and then hourly (idempotent across instances: keyed by the hour). */
export async function scheduleScrapeUpkeep(jobs: JobQueue, clock: Clock): Promise<void> {
  const now = clock.now();
  await jobs.enqueue(SCRAPE_UPKEEP_JOB, null, { runAt: now, dedupeKey: `${SCRAPE_UPKEEP_JOB}:start:${now}` });
}

export interface ScrapeServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: ScrapeRepo;
  audit: Pick<AuditRepo, 'append'>;
  jobs: JobQueue;
  sink: SampleSink;
  logger: Pick<Logger, 'warn'>;
  /** Largest exposition read from a target. */
  maxBodyBytes: number;
}

const slotKey = (id: string, slot: number) => `scrape:${id}:${slot}`;

const toTarget = (row: ScrapeTargetRow): ScrapeTarget => ({
  id: row.id,
  jobName: row.jobName,
  url: row.url,
  instance: instanceOf(row.url),
  intervalSeconds: row.intervalSeconds,
  timeoutSeconds: row.timeoutSeconds,
  labels: fromJson<Record<string, string>>(row.labels) ?? {},
  enabled: row.disabledAt === null,
  health: row.lastScrapeAt === null ? 'unknown' : row.lastError === null ? 'up' : 'down',
  lastScrape:
    row.lastScrapeAt === null
      ? null
      : {
          at: row.lastScrapeAt,
          durationMs: row.lastDurationMs ?? 0,
          samples: row.lastSamples ?? 0,
          error: row.lastError,
        },
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

function payloadOf(payload: unknown): { targetId: string; slotAt: number } {
  const p = payload as { targetId?: unknown; slotAt?: unknown } | null;
  if (typeof p?.targetId !== 'string' || typeof p.slotAt !== 'number') {
    throw new Error(`bad scrape job payload ${JSON.stringify(payload)}`);
  }
  return { targetId: p.targetId, slotAt: p.slotAt };
}

/**
 * Scrape targets: configuration (audited) and the scraping itself. Each target runs on its own slot grid
 * (phase from its id); every slot is a durable job whose dedupe key is the target and slot, and the slot
 * is claimed in the target's row before scraping, so several instances scrape a slot once.
 */
export function createScrapeService(deps: ScrapeServiceDeps) {
  const { db, clock, repo, audit, jobs, sink, logger } = deps;

  async function mustFind(ex: Kysely<DB>, id: string): Promise<ScrapeTargetRow> {
    const row = await repo.find(ex, id);
    if (!row) throw notFound('Scrape target', id);
    return row;
  }

  async function scheduleNext(id: string, intervalSeconds: number, after: number): Promise<void> {
    const next = nextSlotAfter(id, intervalSeconds * 1000, after);
    await jobs.enqueue(
      SCRAPE_JOB,
      { targetId: id, slotAt: next },
      { runAt: next, dedupeKey: slotKey(id, next), maxAttempts: 3 },
    );
  }

  /** Scrapes and stores; the outcome is recorded on the target whatever happens. */
  async function scrapeOnce(row: ScrapeTargetRow, at: number): Promise<ScrapeOutcome> {
    const spec = {
      jobName: row.jobName,
      url: row.url,
      timeoutSeconds: row.timeoutSeconds,
      labels: fromJson<Record<string, string>>(row.labels) ?? {},
    };
    let outcome = await scrape(spec, at, deps.maxBodyBytes);
    try {
      await sink.ingest(outcome.series);
    } catch (err) {
      // Samples the sink refuses (an invalid name, the cardinality limit) fail the scrape, as in Prometheus.
      const error = `samples not stored: ${(err as Error).message}`;
      const report = outcome.series.filter((s) =>
        ['up', 'scrape_duration_seconds'].includes(s.labels.__name__ ?? ''),
      );
      const target = report[0]?.labels ?? {};
      const { __name__: _, ...labels } = target;
      outcome = withReport([], labels, at, outcome.durationMs, error);
      try {
        await sink.ingest(outcome.series);
      } catch (again) {
        logger.warn({ err: again, targetId: row.id }, 'scrape report series could not be stored');
      }
    }
    await repo.recordScrape(db, row.id, {
      at,
      durationMs: Math.round(outcome.durationMs),
      samples: outcome.samples,
      error: outcome.error,
    });
    return outcome;
  }

  function checkTimes(intervalSeconds: number, timeoutSeconds: number): void {
    if (timeoutSeconds > intervalSeconds) {
      throw badRequest('Invalid request: body.timeoutSeconds: must not exceed intervalSeconds', {
        issues: [{ path: 'body.timeoutSeconds', message: 'must not exceed intervalSeconds' }],
      });
    }
  }

  return {
    list: async (): Promise<ScrapeTarget[]> => (await repo.list(db)).map(toTarget),
    get: async (id: string): Promise<ScrapeTarget> => toTarget(await mustFind(db, id)),

    async create(actor: Actor, input: z.output<typeof createTargetBody>): Promise<ScrapeTarget> {
      checkTimes(input.intervalSeconds, input.timeoutSeconds);
      const now = clock.now();
      const row: ScrapeTargetRow = {
        id: newId(),
        jobName: input.jobName,
        url: input.url,
        intervalSeconds: input.intervalSeconds,
        timeoutSeconds: input.timeoutSeconds,
        labels: toJson(input.labels),
        disabledAt: input.enabled ? null : now,
        lastSlotAt: null,
        lastScrapeAt: null,
        lastDurationMs: null,
        lastSamples: null,
        lastError: null,
        createdAt: now,
        updatedAt: now,
      };
      const target = await db.transaction().execute(async (trx) => {
        await repo.insert(trx, row);
        const after = toTarget(row);
        await audit.append(trx, now, actor, {
          action: 'scrape_target.create',
          entityType: 'scrape_target',
          entityId: row.id,
          after,
        });
        return after;
      });
      // The first scrape right away, then on the target's grid.
      if (target.enabled) await this.scrapeSoon(row.id, now);
      return target;
    },

    async update(actor: Actor, id: string, input: z.output<typeof updateTargetBody>): Promise<ScrapeTarget> {
      const now = clock.now();
      const { before, after } = await db.transaction().execute(async (trx) => {
        const row = await mustFind(trx, id);
        const before = toTarget(row);
        const { labels, enabled, ...rest } = input;
        checkTimes(rest.intervalSeconds ?? row.intervalSeconds, rest.timeoutSeconds ?? row.timeoutSeconds);
        await repo.update(trx, id, {
          ...rest,
          ...(labels ? { labels: toJson(labels) } : {}),
          ...(enabled === undefined ? {} : { disabledAt: enabled ? null : (row.disabledAt ?? now) }),
          updatedAt: now,
        });
        const after = toTarget(await mustFind(trx, id));
        await audit.append(trx, now, actor, {
          action: 'scrape_target.update',
          entityType: 'scrape_target',
          entityId: id,
          before,
          after,
        });
        return { before, after };
      });
      // Re-enabled or moved to another interval: start the chain on the current grid (idempotent).
      if (after.enabled && (!before.enabled || before.intervalSeconds !== after.intervalSeconds)) {
        await this.scrapeSoon(id, now);
      }
      return after;
    },

    async delete(actor: Actor, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const before = toTarget(await mustFind(trx, id));
        await repo.delete(trx, id);
        await audit.append(trx, clock.now(), actor, {
          action: 'scrape_target.delete',
          entityType: 'scrape_target',
          entityId: id,
          before,
        });
      });
    },

    /** Queues a scrape now, outside the grid; its job continues the chain on the grid. */
    async scrapeSoon(id: string, now: number): Promise<void> {
      await jobs.enqueue(
        SCRAPE_JOB,
        { targetId: id, slotAt: now },
        { runAt: now, dedupeKey: slotKey(id, now), maxAttempts: 3 },
      );
    },

    /** The job handler of one slot. Idempotent: re-reads the target and claims the slot before scraping. */
    async runSlot(payload: unknown): Promise<void> {
      const { targetId, slotAt } = payloadOf(payload);
      const row = await repo.find(db, targetId);
      if (!row || row.disabledAt !== null) return; // deleted or disabled: the chain ends here
      const intervalMs = row.intervalSeconds * 1000;
      const now = clock.now();
      // A slot from before an interval change (not on the grid and not a first scrape): a newer chain runs.
      const first = row.lastSlotAt === null || slotAt >= row.updatedAt;
      if (!onGrid(row.id, intervalMs, slotAt) && !first) return;
      // The next slot first, so a crash during the scrape cannot end the chain.
      await scheduleNext(row.id, row.intervalSeconds, Math.max(slotAt, now));
      if (!(await repo.claimSlot(db, row.id, slotAt))) return;
      await scrapeOnce(row, now);
    },

    /** Makes sure every enabled target has its next slot queued (at start-up and hourly); idempotent. */
    async scheduleAll(): Promise<number> {
      const now = clock.now();
      const targets = await repo.listEnabled(db);
      for (const t of targets) await scheduleNext(t.id, t.intervalSeconds, now);
      return targets.length;
    },

    /** The upkeep job: chain repair, then its own next run on the next hour. */
    async upkeep(): Promise<void> {
      await this.scheduleAll();
      const next = Math.floor(clock.now() / HOUR + 1) * HOUR;
      await jobs.enqueue(SCRAPE_UPKEEP_JOB, null, { runAt: next, dedupeKey: `${SCRAPE_UPKEEP_JOB}:${next}` });
    },
  };
}

export type ScrapeService = ReturnType<typeof createScrapeService>;
