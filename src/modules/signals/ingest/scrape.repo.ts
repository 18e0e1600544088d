import type { Kysely, Selectable } from 'kysely';
import type { DB, ScrapeTargetsTable } from '../../../platform/db/schema.ts';

export type ScrapeTargetRow = Selectable<ScrapeTargetsTable>;

/** SQL for scrape targets. */
export const scrapeRepo = {
  list: (db: Kysely<DB>) =>
    db.selectFrom('scrapeTargets').selectAll().orderBy('jobName').orderBy('url').execute(),
  listEnabled: (db: Kysely<DB>) =>
    db
      .selectFrom('scrapeTargets')
      .select(['id', 'intervalSeconds'])
      .where('disabledAt', 'is', null)
      .execute(),
  find: (db: Kysely<DB>, id: string) =>
    db.selectFrom('scrapeTargets').selectAll().where('id', '=', id).executeTakeFirst(),
  insert: (db: Kysely<DB>, row: ScrapeTargetRow) => db.insertInto('scrapeTargets').values(row).execute(),
  update: (db: Kysely<DB>, id: string, patch: Partial<ScrapeTargetRow>) =>
    db.updateTable('scrapeTargets').set(patch).where('id', '=', id).execute(),
  delete: (db: Kysely<DB>, id: string) => db.deleteFrom('scrapeTargets').where('id', '=', id).execute(),

  /** Takes a schedule slot for this instance; false when another instance (or a retry) already took it. */
  claimSlot: async (db: Kysely<DB>, id: string, slot: number): Promise<boolean> => {
    const r = await db
      .updateTable('scrapeTargets')
      .set({ lastSlotAt: slot })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('lastSlotAt', 'is', null), eb('lastSlotAt', '<', slot)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  recordScrape: (
    db: Kysely<DB>,
    id: string,
    outcome: { at: number; durationMs: number; samples: number; error: string | null },
  ) =>
    db
      .updateTable('scrapeTargets')
      .set({
        lastScrapeAt: outcome.at,
        lastDurationMs: outcome.durationMs,
        lastSamples: outcome.samples,
        lastError: outcome.error,
      })
      .where('id', '=', id)
      .execute(),
};

export type ScrapeRepo = typeof scrapeRepo;
