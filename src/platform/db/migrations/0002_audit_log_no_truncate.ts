import { type Kysely, sql } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * PostgreSQL's row triggers of 0001 do not fire on TRUNCATE, which would empty the append-only audit log
 * in one statement; a statement trigger refuses it too. SQLite has no TRUNCATE (its DELETE fires the
 * row triggers).
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  if (engine !== 'postgres') return;
  await sql`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`.execute(db);
}
