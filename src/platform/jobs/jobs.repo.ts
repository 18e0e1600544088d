import { type Kysely, sql } from 'kysely';
import type { Engine } from '../db/engine.ts';
import type { DB, JobsTable } from '../db/schema.ts';

export type JobRow = JobsTable;

/** Limits a claim to some job kinds (`only`) or to all but some (`except`), for a worker lane. */
export interface KindFilter {
  only?: readonly string[];
  except?: readonly string[];
}

/** SQL for the durable job table. States: queued → running → (deleted when done) | dead. */
export function createJobsRepo(db: Kysely<DB>, engine: Engine) {
  return {
    /** Inserts a job; with a dedupe key an existing job of the same key wins and nothing is added. */
    async insert(row: JobRow): Promise<boolean> {
      const result = await db
        .insertInto('jobs')
        .values(row)
        .onConflict((oc) => oc.column('dedupeKey').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /**
     * Claims up to `limit` due jobs for `workerId` until `leaseUntil`: queued jobs whose time has come, and
     * running jobs whose lease ran out (their worker died). One UPDATE … RETURNING, with SKIP LOCKED on
     * PostgreSQL so concurrent workers never claim the same row.
     */
    async claimDue(
      workerId: string,
      now: number,
      leaseUntil: number,
      limit: number,
      kinds?: KindFilter,
    ): Promise<JobRow[]> {
      // A job whose worker died on its last allowed attempt is dead, not claimed again: a job that kills
      // its worker (out of memory, say) must not take down every instance in turn, forever.
      await db
        .updateTable('jobs')
        .set({
          state: 'dead',
          lockedBy: null,
          lockedUntil: null,
          lastError: 'the worker running the last attempt stopped before finishing (lease expired)',
          updatedAt: now,
        })
        .where('state', '=', 'running')
        .where('lockedUntil', '<', now)
        .where((eb) => eb('attempts', '>=', eb.ref('maxAttempts')))
        .execute();
      let due = db
        .selectFrom('jobs')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('state', '=', 'queued'), eb('runAt', '<=', now)]),
            eb.and([eb('state', '=', 'running'), eb('lockedUntil', '<', now)]),
          ]),
        )
        .orderBy('runAt')
        .limit(limit);
      if (kinds?.only) due = due.where('kind', 'in', kinds.only.length ? [...kinds.only] : ['']);
      if (kinds?.except?.length) due = due.where('kind', 'not in', [...kinds.except]);
      if (engine === 'postgres') due = due.forUpdate().skipLocked();
      return db
        .updateTable('jobs')
        .set({
          state: 'running',
          lockedBy: workerId,
          lockedUntil: leaseUntil,
          attempts: sql`attempts + 1`,
          updatedAt: now,
        })
        .where('id', 'in', due)
        .returningAll()
        .execute();
    },

    /** Removes a finished job, if this worker still holds it. */
    async complete(id: string, workerId: string): Promise<boolean> {
      const r = await db
        .deleteFrom('jobs')
        .where('id', '=', id)
        .where('lockedBy', '=', workerId)
        .where('state', '=', 'running')
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** Puts a failed job back in the queue for `runAt`, or marks it dead, if this worker still holds it. */
    async fail(
      id: string,
      workerId: string,
      error: string,
      now: number,
      retryAt: number | null,
    ): Promise<void> {
      await db
        .updateTable('jobs')
        .set({
          state: retryAt === null ? 'dead' : 'queued',
          runAt: retryAt ?? now,
          lockedBy: null,
          lockedUntil: null,
          lastError: error.slice(0, 2000),
          updatedAt: now,
        })
        .where('id', '=', id)
        .where('lockedBy', '=', workerId)
        .execute();
    },

    async countByState(
      now: number,
    ): Promise<{ due: number; scheduled: number; running: number; dead: number }> {
      const rows = await db
        .selectFrom('jobs')
        .select((eb) => [
          eb.fn.count<number>('id').filterWhere('state', '=', 'running').as('running'),
          eb.fn.count<number>('id').filterWhere('state', '=', 'dead').as('dead'),
          eb.fn
            .count<number>('id')
            .filterWhere((w) => w.and([w('state', '=', 'queued'), w('runAt', '<=', now)]))
            .as('due'),
          eb.fn
            .count<number>('id')
            .filterWhere((w) => w.and([w('state', '=', 'queued'), w('runAt', '>', now)]))
            .as('scheduled'),
        ])
        .executeTakeFirstOrThrow();
      return {
        due: Number(rows.due),
        scheduled: Number(rows.scheduled),
        running: Number(rows.running),
        dead: Number(rows.dead),
      };
    },

    async findById(id: string): Promise<JobRow | undefined> {
      return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    },
  };
}

export type JobsRepo = ReturnType<typeof createJobsRepo>;
