/**
 * Turns at an SQLite file's write lock, for the connections of one process on different threads (the
 * main connection and the metric store's sample writer, head-writer.ts).
 *
 * SQLite's own lock is not fair: a connection that finds it taken sleeps and retries, and one that begins
 * again right after committing can keep another waiting past its busy timeout (SQLITE_BUSY). A writer
 * here waits on a flag in shared memory instead, and is woken the moment the turn is released; SQLite's
 * busy timeout still covers other processes.
 */
const buffers = new Map<string, SharedArrayBuffer>();

/** The shared flag of a database file: the same memory for every connection to it in this process. */
export function writeTurnsBuffer(file: string): SharedArrayBuffer {
  let buffer = buffers.get(file);
  if (!buffer) {
    buffer = new SharedArrayBuffer(4);
    buffers.set(file, buffer);
  }
  return buffer;
}

export class WriteTurns {
  private readonly flag: Int32Array;
  private held = false;

  constructor(buffer: SharedArrayBuffer) {
    this.flag = new Int32Array(buffer);
  }

  /**
   * Blocks this thread until the turn is free, at most `timeoutMs`; past it, goes on without the turn
   * and leaves the waiting to SQLite (a connection of this process holding the turn across a long
   * transaction would otherwise stop this thread for good).
   */
  take(timeoutMs = 5000): void {
    if (this.held) return;
    const deadline = Date.now() + timeoutMs;
    while (Atomics.compareExchange(this.flag, 0, 0, 1) !== 0) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      Atomics.wait(this.flag, 0, 1, Math.min(left, 100));
    }
    this.held = true;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    Atomics.store(this.flag, 0, 0);
    Atomics.notify(this.flag, 0, 1);
  }
}
