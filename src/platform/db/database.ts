import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { type MigrationProvider, Migrator } from 'kysely/migration';
import pg from 'pg';
import { startCheckpointer } from './checkpointer.ts';
import type { Engine } from './engine.ts';
import { migrations } from './migrations/index.ts';
import type { DB } from './schema.ts';
import { WriteTurns, writeTurnsBuffer } from './write-turns.ts';

export interface DatabaseOptions {
  databaseUrl: string;
  dataDir: string;
  dbPoolMax: number;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  /** Where the data lives, without credentials, for logs. */
  location: string;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

// pg returns int8 as a string to be safe beyond 2^53; our bigints are epoch milliseconds and counters.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function openDatabase(options: DatabaseOptions): Database {
  const plugins = [new CamelCasePlugin()];
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.dbPoolMax });
    // An idle connection the server closes (a restart, a failover, an administrator) is an 'error'
    // event with nobody to hear it, which would end the process. The pool drops that connection and
    // opens another for the next query; a query under way fails on its own.
    pool.on('error', () => {});
    const url = new URL(options.databaseUrl);
    return {
      db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins }),
      engine: 'postgres',
      location: `postgres://${url.host}${url.pathname}`,
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: () => pool.end(),
    };
  }
  const dir = resolve(options.dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'steady.db');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Sorts and temporary b-trees (the metric store's compaction sorts 200,000 head rows at a time) stay
  // in memory: spilled to temporary files they took two thirds of the compaction's time.
  sqlite.pragma('temp_store = MEMORY');
  // Checkpoints run on a thread of their own (checkpointer.ts); this threshold is only the fallback.
  sqlite.pragma('wal_autocheckpoint = 20000');
  const checkpointer = startCheckpointer(file);
  const db = new Kysely<DB>({
    dialect: new SqliteDialect({
      database: withStatementCache(sqlite, new WriteTurns(writeTurnsBuffer(file))),
    }),
    plugins,
  });
  return {
    db,
    engine: 'sqlite',
    location: file,
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    close: async () => {
      await db.destroy();
      await checkpointer.stop();
    },
  };
}

/**
 * Applies every migration not yet applied, in the order of the hand-kept list; with `upTo`, only up to
 * and including that one (a test of the next migration starts there).
 */
export async function migrate(database: Database, upTo?: string): Promise<string[]> {
  const provider: MigrationProvider = {
    getMigrations: async () =>
      Object.fromEntries(
        Object.entries(migrations).map(([name, m]) => [
          name,
          { up: (db: Kysely<unknown>) => m.up(db, database.engine) },
        ]),
      ),
  };
  // Kysely's own bookkeeping tables; the migrator runs without our camelCase plugin.
  const migrator = new Migrator({ db: database.db.withoutPlugins() as Kysely<unknown>, provider });
  const { error, results } = await (upTo ? migrator.migrateTo(upTo) : migrator.migrateToLatest());
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every migration in the list has been applied (for /readyz). */
export async function migrationsApplied(database: Database): Promise<boolean> {
  const migrator = new Migrator({
    db: database.db.withoutPlugins() as Kysely<unknown>,
    provider: { getMigrations: async () => migrations as never },
  });
  const all = await migrator.getMigrations();
  return all.every((m) => m.executedAt !== undefined);
}

/**
 * Kysely's SQLite driver prepares every statement afresh; compiling SQL took about a third of the
 * server's time under an alert storm. Statements are reusable, and Kysely runs one query at a time on
 * its single connection, so a bounded cache of them keyed by SQL text is safe.
 */
function withStatementCache(sqlite: SQLite.Database, turns: WriteTurns, size = 500) {
  const cache = new Map<string, SQLite.Statement>();

  /**
   * A write takes the file's write turn (write-turns.ts): a transaction from its begin to its commit
   * or rollback, a statement outside one for its own run. Reads never wait.
   */
  function turnTaking(stmt: SQLite.Statement) {
    // The connection's own transaction state decides, so that a transaction SQLite ended by itself
    // (a failed statement, a full disk) or a failed commit leaves no turn behind.
    const around =
      <A extends unknown[], R>(run: (...args: A) => R) =>
      (...args: A): R => {
        if (!sqlite.inTransaction) turns.take();
        try {
          return run(...args);
        } finally {
          if (!sqlite.inTransaction) turns.release();
        }
      };
    return {
      reader: stmt.reader,
      run: around((p: unknown[]) => stmt.run(p)),
      all: around((p: unknown[]) => stmt.all(p)),
      iterate: (p: unknown[]) => stmt.iterate(p),
    };
  }

  return {
    prepare(text: string) {
      // Transactions take the write lock when they begin: the metric store writes samples on a
      // connection of its own (head-writer.ts), and a deferred transaction that read before that
      // connection committed could not write at all (SQLITE_BUSY, however long it waited).
      const sqlText = text === 'begin' ? 'begin immediate' : text;
      let stmt = cache.get(sqlText);
      if (stmt) {
        // Least recently used goes first: re-insert on every hit.
        cache.delete(sqlText);
      } else {
        stmt = sqlite.prepare(sqlText);
        if (cache.size >= size) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sqlText, stmt);
      // SQLite calls transaction control statements read-only; they take and release the turn.
      const control = sqlText === 'begin immediate' || sqlText === 'commit' || sqlText === 'rollback';
      return stmt.readonly && !control ? stmt : turnTaking(stmt);
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}
