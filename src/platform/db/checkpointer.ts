import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints the embedded store's write-ahead log from a thread of its own, on its own connection.
 *
 * SQLite otherwise checkpoints inside whichever commit crosses `wal_autocheckpoint`, on the connection
 * that serves every request: copying the log into the database and the fsyncs that go with it. Under an
 * alert storm that was two thirds of all commit time, and each such commit stalled every request for up
 * to a few hundred milliseconds. A PASSIVE checkpoint never blocks the writer, and commits stay as
 * durable as before: a committed transaction is in the log whether or not it was copied yet.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const tick = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
};
const timer = setInterval(tick, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  tick();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, everyMs = 500): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD, { eval: true, workerData: { file, driver, everyMs } });
  worker.unref();
  // A thread that cannot run leaves checkpoints to the main connection's (raised) automatic threshold.
  worker.on('error', () => {});
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Referenced again, so the process waits for the last checkpoint and the connection's close.
      worker.ref();
      worker.postMessage('stop');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') await worker.terminate();
    },
  };
}
