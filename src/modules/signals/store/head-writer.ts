import { Worker } from 'node:worker_threads';
import { releaseTurnOf, writeTurnsBuffer } from '../../../platform/db/write-turns.ts';
import { AppError } from '../../../platform/errors.ts';
import type { HeadOp, HeadReply } from './head-writer.thread.ts';

/**
 * The embedded store's SQLite writes of samples (the head inserts of known series and compaction), on a
 * thread of their own with a connection of their own.
 *
 * better-sqlite3 runs every statement on the calling thread. On the main thread, inserting and
 * compacting took half of its time under a remote_write load, time in which no request was decoded and
 * no query answered. Here the main thread decodes the next requests while this one writes, and reads
 * (WAL) never wait for it. Commits are as durable as before: a caller is answered once its transaction
 * has committed. The two connections take turns at the write lock (write-turns.ts), and the main one
 * begins its transactions IMMEDIATE (database.ts) rather than fail to write on a stale read snapshot.
 */
export interface HeadWriter {
  /** Inserts the samples in one transaction; resolves once it has committed. */
  append(ids: Float64Array, ts: Float64Array, values: Float64Array): Promise<void>;
  /** Moves up to `limit` of the oldest head rows into the clustered table; returns how many moved. */
  compact(limit: number): Promise<number>;
  /** Lets requests already sent finish, then closes the connection and ends the thread. */
  close(): Promise<void>;
}

type Pending = { resolve(n: number): void; reject(err: unknown): void };

export function startHeadWriter(file: string): HeadWriter {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let thread: Worker | undefined;
  let closed = false;

  const turnsBuffer = writeTurnsBuffer(file);

  function start(): Worker {
    const w = new Worker(new URL('./head-writer.thread.ts', import.meta.url), {
      workerData: { file, turnsBuffer },
    });
    const threadId = w.threadId;
    w.unref();
    w.on('message', (reply: HeadReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (pending.size === 0) w.unref();
      if (reply.ok) p.resolve(reply.n);
      else p.reject(writeError(reply.message, reply.code));
    });
    // A thread that died (out of memory, a native fault) fails what it held; the next request starts
    // a new one. Its transaction, uncommitted, was rolled back by SQLite.
    const fail = (err: unknown) => {
      if (thread === w) thread = undefined;
      // A thread that died inside a transaction cannot give its turn back.
      releaseTurnOf(turnsBuffer, threadId);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(writeError(`the sample writer thread exited (code ${code})`, undefined)));
    return w;
  }

  function send(req: HeadOp, transfer: ArrayBuffer[] = []): Promise<number> {
    if (closed) return Promise.reject(new AppError(503, 'store_closed', 'The metric store is closed'));
    thread ??= start();
    const id = nextId++;
    const w = thread;
    return new Promise<number>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      // Referenced while it holds work, so the process does not exit under an unanswered write.
      w.ref();
      w.postMessage({ ...req, id }, transfer);
    });
  }

  return {
    async append(ids, ts, values) {
      await send({ op: 'append', ids, ts, values }, [
        ids.buffer as ArrayBuffer,
        ts.buffer as ArrayBuffer,
        values.buffer as ArrayBuffer,
      ]);
    },
    compact: (limit) => send({ op: 'compact', limit }),
    async close() {
      if (closed) return;
      if (thread) {
        const w = thread;
        const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
        // Requests are run in order: the close comes after every write already sent.
        await send({ op: 'close' });
        // Referenced until it has exited: an unreferenced thread would let the process end first,
        // with the rest of the shutdown still waiting.
        w.ref();
        await exited;
      }
      closed = true;
    },
  };
}

/** The error as the driver raised it in the thread: its message and its code (SQLITE_BUSY, SQLITE_FULL…). */
function writeError(message: string, code: string | undefined): Error {
  return Object.assign(new Error(message), { code });
}
