import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, inject } from 'vitest';
import { type Database, migrate, openDatabase } from '../../src/platform/db/database.ts';
import type { Engine } from '../../src/platform/db/engine.ts';

export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

export const pgAvailable = (): boolean => inject('pgAdminUrl') !== '';

/**
 * Runs a suite once per storage engine. A PostgreSQL suite with no server is skipped loudly, and under
 * CI (where global-setup already failed) never silently.
 */
export function describeEachEngine(name: string, body: (engine: Engine) => void): void {
  for (const engine of ENGINES) {
    if (engine === 'postgres' && !pgAvailable()) {
      console.warn(`!!! SKIPPED: "${name}" on PostgreSQL (no server) !!!`);
      describe.skip(`${name} [${engine}]`, () => body(engine));
      continue;
    }
    describe(`${name} [${engine}]`, () => body(engine));
  }
}

export interface TestDatabase {
  /** Settings that open this database again (e.g. in a child process). */
  settings: { databaseUrl: string; dataDir: string; dbPoolMax: number };
  open(): Database;
  drop(): Promise<void>;
}

/** A fresh, empty database of the given engine, migrated unless `migrated: false`. */
export async function createTestDatabase(
  engine: Engine,
  options: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'steady-test-'));
  let databaseUrl = '';
  let dbName = '';
  if (engine === 'postgres') {
    const admin = inject('pgAdminUrl');
    dbName = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE DATABASE ${dbName}`);
    await client.end();
    const url = new URL(admin);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
  }
  const settings = { databaseUrl, dataDir, dbPoolMax: 10 };
  if (options.migrated !== false) {
    const first = openDatabase(settings);
    await migrate(first);
    await first.close();
  }
  return {
    settings,
    open: () => openDatabase(settings),
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
      if (engine === 'postgres') {
        const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await client.end();
      }
    },
  };
}
