import { type Kysely, type Selectable, sql } from 'kysely';
import type { DB, ProbeEventsTable, ProbeResultsTable, ProbesTable } from '../../../platform/db/schema.ts';

export type ProbeRow = Selectable<ProbesTable>;
export type ProbeRowWithService = ProbeRow & { serviceName: string | null };
export type ProbeResultRow = Selectable<ProbeResultsTable>;
export type ProbeEventRow = Selectable<ProbeEventsTable>;

export interface ProbeFilter {
  q?: string | undefined;
  serviceId?: string | undefined;
  kind?: string | undefined;
  state?: string | undefined;
}

const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const withService = (db: Kysely<DB>) =>
  db
    .selectFrom('probes')
    .leftJoin('services', 'services.id', 'probes.serviceId')
    .selectAll('probes')
    .select('services.name as serviceName');

/** SQL for probes, their recent results and their state transitions. */
export const probesRepo = {
  idByName: async (db: Kysely<DB>, name: string): Promise<string | undefined> =>
    (await db.selectFrom('probes').select('id').where('name', '=', name).executeTakeFirst())?.id,
  /** Whether the catalog service a probe names exists. */
  serviceExists: async (db: Kysely<DB>, id: string): Promise<boolean> =>
    !!(await db.selectFrom('services').select('id').where('id', '=', id).executeTakeFirst()),
  insert: (db: Kysely<DB>, row: ProbeRow) => db.insertInto('probes').values(row).execute(),
  find: (db: Kysely<DB>, id: string): Promise<ProbeRowWithService | undefined> =>
    withService(db).where('probes.id', '=', id).executeTakeFirst(),
  findByTokenHash: (db: Kysely<DB>, hash: string): Promise<ProbeRowWithService | undefined> =>
    withService(db).where('probes.heartbeatTokenHash', '=', hash).executeTakeFirst(),
  list: (db: Kysely<DB>, f: ProbeFilter): Promise<ProbeRowWithService[]> => {
    let q = withService(db);
    if (f.q)
      q = q.where(sql<boolean>`lower(probes.name) like ${containsPattern(f.q.toLowerCase())} escape '\\'`);
    if (f.serviceId) q = q.where('probes.serviceId', '=', f.serviceId);
    if (f.kind) q = q.where('probes.kind', '=', f.kind);
    if (f.state) q = q.where('probes.state', '=', f.state);
    return q.orderBy('probes.name').execute();
  },
  update: (db: Kysely<DB>, id: string, patch: Partial<ProbeRow>) =>
    db.updateTable('probes').set(patch).where('id', '=', id).execute(),
  delete: (db: Kysely<DB>, id: string) => db.deleteFrom('probes').where('id', '=', id).execute(),
  /** Enabled probes and their intervals, to (re)schedule at start-up. */
  listEnabled: (db: Kysely<DB>) =>
    db.selectFrom('probes').select(['id', 'intervalSeconds']).where('pausedAt', 'is', null).execute(),

  /**
   * Takes a slot for one run: true only for the first caller, and only while the probe is enabled, so a
   * slot never runs twice even when its job is retried after a crash or a lease ran out.
   */
  claimSlot: async (db: Kysely<DB>, id: string, slotAt: number): Promise<boolean> => {
    const r = await db
      .updateTable('probes')
      .set({ lastSlotAt: slotAt })
      .where('id', '=', id)
      .where('pausedAt', 'is', null)
      .where((eb) => eb.or([eb('lastSlotAt', 'is', null), eb('lastSlotAt', '<', slotAt)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  insertResult: (db: Kysely<DB>, row: ProbeResultRow) => db.insertInto('probeResults').values(row).execute(),
  insertEvent: (db: Kysely<DB>, row: ProbeEventRow) => db.insertInto('probeEvents').values(row).execute(),
  listResults: (db: Kysely<DB>, probeId: string, limit: number, onlyFailures: boolean) => {
    let q = db.selectFrom('probeResults').selectAll().where('probeId', '=', probeId);
    if (onlyFailures) q = q.where('ok', '=', 0);
    return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  },
  listEvents: (db: Kysely<DB>, probeId: string, limit: number) =>
    db
      .selectFrom('probeEvents')
      .selectAll()
      .where('probeId', '=', probeId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),

  /**
   * Drops results older than `resultsBefore` and beyond the newest `keep` per probe (passes and failures
   * counted apart, so a flood of passes never pushes out the failures), and events older than `eventsBefore`.
   */
  async prune(
    db: Kysely<DB>,
    resultsBefore: number,
    eventsBefore: number,
    keep: { passes: number; failures: number },
  ): Promise<number> {
    let removed = Number(
      (await db.deleteFrom('probeResults').where('at', '<', resultsBefore).executeTakeFirst()).numDeletedRows,
    );
    for (const [ok, limit] of [
      [1, keep.passes],
      [0, keep.failures],
    ] as const) {
      // Per probe, the `at` of its limit-th newest result of that kind; older ones go. A window function
      // keeps it one statement on both engines.
      const cut = await db
        .selectFrom(
          db
            .selectFrom('probeResults')
            .select([
              'probeId',
              'at',
              sql<number>`row_number() over (partition by probe_id order by at desc, id desc)`.as('rn'),
            ])
            .where('ok', '=', ok)
            .as('ranked'),
        )
        .select(['probeId', 'at'])
        .where('rn', '=', limit)
        .execute();
      for (const c of cut) {
        const r = await db
          .deleteFrom('probeResults')
          .where('probeId', '=', c.probeId)
          .where('ok', '=', ok)
          .where('at', '<', c.at)
          .executeTakeFirst();
        removed += Number(r.numDeletedRows);
      }
    }
    await db.deleteFrom('probeEvents').where('at', '<', eventsBefore).execute();
    return removed;
  },
};

export type ProbesRepo = typeof probesRepo;
