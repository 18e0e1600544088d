import type { ControlledTransaction, Kysely } from 'kysely';
import type { DB } from './schema.ts';

/**
 * One transaction for work that many callers submitted together (see platform/batcher.ts): `fn` runs in
 * it and it commits, or rolls back whole and the error is thrown. Each caller's piece goes in a savepoint
 * of its own (`inSavepoint`), so one that fails rolls back alone and the others still commit.
 */
export async function sharedTransaction<T>(
  db: Kysely<DB>,
  fn: (trx: ControlledTransaction<DB>) => Promise<T>,
): Promise<T> {
  const trx = await db.startTransaction().execute();
  try {
    const value = await fn(trx);
    await trx.commit().execute();
    return value;
  } catch (err) {
    await trx
      .rollback()
      .execute()
      .catch(() => {});
    throw err;
  }
}

export type SavepointOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs `fn` in a savepoint of `trx`: kept if it returns, rolled back alone (error returned) if it throws. */
export async function inSavepoint<T>(
  trx: ControlledTransaction<DB>,
  fn: (sp: Kysely<DB>) => Promise<T>,
): Promise<SavepointOutcome<T>> {
  const sp = await trx.savepoint('piece').execute();
  try {
    const value = await fn(sp);
    await sp.releaseSavepoint('piece').execute();
    return { ok: true, value };
  } catch (error) {
    await sp.rollbackToSavepoint('piece').execute();
    return { ok: false, error };
  }
}
