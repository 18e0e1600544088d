import { realpathSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

/**
 * Turns at an SQLite file's write lock, for the connections of one process on different threads (the
 * main connection and the metric store's sample writer, head-writer.ts).
 *
 * SQLite's own lock is not fair: a connection that finds it taken sleeps and retries, and one that begins
 * again right after committing can keep another waiting past its busy timeout (SQLITE_BUSY). Here a
 * writer waits on a flag in shared memory and is woken the moment the turn is released; a thread that
 * releases while another waits hands the turn over (it cannot take it back for HAND_OVER_MS unless
 * the other took it), so two busy writers alternate. SQLite's busy timeout still covers other processes.
 *
 * The flag: 0 free; n > 0 held by thread n - 1; n < 0 free for any thread but -n - 1 (handed over).
 */
const FLAG = 0;
const WAITING = 1;
const HAND_OVER_MS = 20;

const buffers = new Map<string, SharedArrayBuffer>();

/**
 * The shared flag of a database file: the same memory for every connection to it in this process,
 * whichever path (symlinks, relative) it was opened by.
 */
export function writeTurnsBuffer(file: string): SharedArrayBuffer {
  const key = realpathSync(file);
  let buffer = buffers.get(key);
  if (!buffer) {
    buffer = new SharedArrayBuffer(8);
    buffers.set(key, buffer);
  }
  return buffer;
}

/** Frees the turn if a thread that ended (it cannot release any more) still holds it. */
export function releaseTurnOf(buffer: SharedArrayBuffer, deadThreadId: number): void {
  const cells = new Int32Array(buffer);
  if (Atomics.compareExchange(cells, FLAG, deadThreadId + 1, 0) === deadThreadId + 1)
    Atomics.notify(cells, FLAG);
}

export class WriteTurns {
  private readonly cells: Int32Array;
  private readonly me = threadId + 1;
  private held = false;

  constructor(buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
  }

  /**
   * Blocks this thread until it has the turn, at most `timeoutMs`; past it, goes on without the turn
   * and leaves the waiting to SQLite (another connection of this thread holding the turn across a long
   * transaction would otherwise stop it for good).
   */
  take(timeoutMs = 5000): void {
    if (this.held) return;
    const started = Date.now();
    for (;;) {
      const cur = Atomics.load(this.cells, FLAG);
      const handedAway = cur === -this.me;
      const free = cur === 0 || (cur < 0 && (!handedAway || Date.now() - started >= HAND_OVER_MS));
      if (free && Atomics.compareExchange(this.cells, FLAG, cur, this.me) === cur) {
        this.held = true;
        return;
      }
      if (free) continue;
      const left = timeoutMs - (Date.now() - started);
      if (left <= 0) return;
      Atomics.add(this.cells, WAITING, 1);
      Atomics.wait(this.cells, FLAG, cur, Math.min(left, handedAway ? HAND_OVER_MS : 100));
      Atomics.sub(this.cells, WAITING, 1);
    }
  }

  /** True while this connection holds the turn. */
  get holds(): boolean {
    return this.held;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    Atomics.store(this.cells, FLAG, Atomics.load(this.cells, WAITING) > 0 ? -this.me : 0);
    Atomics.notify(this.cells, FLAG);
  }
}
