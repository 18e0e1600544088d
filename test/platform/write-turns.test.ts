import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { releaseTurnOf, WriteTurns } from '../../src/platform/db/write-turns.ts';

const holder = (buffer: SharedArrayBuffer) =>
  new Worker(new URL('./fixtures/hold-turn.ts', import.meta.url), { workerData: buffer });

describe('write turns', () => {
  it('a thread waits while another holds the turn, then goes on without it past its timeout', async () => {
    const buffer = new SharedArrayBuffer(8);
    const w = holder(buffer);
    const threadId = w.threadId;
    await new Promise((r) => w.once('message', r));
    await w.terminate();
    const turns = new WriteTurns(buffer);
    const started = Date.now();
    turns.take(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(turns.holds).toBe(false);

    // The thread ended holding it: its owner frees it, and the next take is immediate.
    releaseTurnOf(buffer, threadId);
    turns.take(300);
    expect(turns.holds).toBe(true);
    turns.release();
    expect(turns.holds).toBe(false);
  });

  it('frees only a turn the ended thread holds', () => {
    const buffer = new SharedArrayBuffer(8);
    const turns = new WriteTurns(buffer);
    turns.take();
    releaseTurnOf(buffer, 12345);
    expect(turns.holds).toBe(true);
    const other = new WriteTurns(buffer);
    other.take(50);
    expect(other.holds).toBe(false);
    turns.release();
  });
});
