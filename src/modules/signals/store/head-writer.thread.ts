/**
 * The thread of head-writer.ts: a connection of its own to the SQLite file, running one request at a
 * time. Each request is one IMMEDIATE transaction (the write lock is taken before anything is read),
 * run in the file's write turn (write-turns.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { WriteTurns } from '../../../platform/db/write-turns.ts';
import { sqliteCompaction, sqliteHeadStatements } from './head-rows.ts';

export type HeadOp =
  | { op: 'append'; ids: Float64Array; ts: Float64Array; values: Float64Array }
  | { op: 'compact'; limit: number }
  | { op: 'close' };
export type HeadRequest = HeadOp & { id: number };

export type HeadReply =
  | { id: number; ok: true; n: number }
  | { id: number; ok: false; message: string; code: string | undefined };

const port = parentPort as NonNullable<typeof parentPort>;
const { file, turnsBuffer } = workerData as { file: string; turnsBuffer: SharedArrayBuffer };
const db = new Database(file);
const turns = new WriteTurns(turnsBuffer);
// As the main connection (database.ts): the same durability, and the same patience with its lock.
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
db.pragma('temp_store = MEMORY');
db.pragma('wal_autocheckpoint = 20000');

const statements = new Map<string, Database.Statement>();
const oldest = db.prepare<[number], { upTo: number | null; n: number }>(sqliteCompaction.oldest);
const move = db.prepare(sqliteCompaction.move);
const drop = db.prepare(sqliteCompaction.drop);

const append = db.transaction((ids: Float64Array, ts: Float64Array, values: Float64Array): number => {
  for (const { sql, params } of sqliteHeadStatements(ids, ts, values)) {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    stmt.run(params);
  }
  return ids.length;
});

const compact = db.transaction((limit: number): number => {
  const top = oldest.get(limit);
  if (top?.upTo === null || top?.upTo === undefined) return 0;
  move.run(top.upTo);
  drop.run(top.upTo);
  return top.n;
});

function inTurn(write: () => number): number {
  turns.take();
  try {
    return write();
  } finally {
    turns.release();
  }
}

port.on('message', (req: HeadRequest) => {
  try {
    let n = 0;
    if (req.op === 'append') n = inTurn(() => append.immediate(req.ids, req.ts, req.values));
    else if (req.op === 'compact') n = inTurn(() => compact.immediate(req.limit));
    else {
      db.close();
      port.postMessage({ id: req.id, ok: true, n: 0 } satisfies HeadReply);
      port.close();
      return;
    }
    port.postMessage({ id: req.id, ok: true, n } satisfies HeadReply);
  } catch (err) {
    const e = err as { message?: string; code?: string };
    port.postMessage({ id: req.id, ok: false, message: String(e.message), code: e.code } satisfies HeadReply);
  }
});
