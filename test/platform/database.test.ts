import pg from 'pg';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Database } from '../../src/platform/db/database.ts';
import { createTestDatabase, pgAvailable, type TestDatabase } from '../helpers/engines.ts';

if (!pgAvailable()) console.warn('!!! SKIPPED: "PostgreSQL connection pool" (no server) !!!');
describe.skipIf(!pgAvailable())('PostgreSQL connection pool', () => {
  let testDb: TestDatabase;
  let database: Database;
  beforeEach(async () => {
    testDb = await createTestDatabase('postgres');
    database = testDb.open();
  });
  afterEach(async () => {
    await database.close();
    await testDb.drop();
  });

  it('outlives the server closing its idle connections (a restart, a failover), and goes on', async () => {
    const one = async () =>
      Number(
        (
          await database.db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await one()).toBe(0);
    const name = new URL(testDb.settings.databaseUrl).pathname.slice(1);
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    try {
      const killed = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      expect(killed.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    // The idle connection's error arrives as an event: without a listener it would end the process.
    await new Promise((r) => setTimeout(r, 200));
    expect(await one()).toBe(0);
  });
});
