import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.ts';

interface Item {
  n: number;
  resolve(v: number): void;
  reject(err: unknown): void;
}

function submit(add: (item: Item) => void, n: number): Promise<number> {
  return new Promise((resolve, reject) => add({ n, resolve, reject }));
}

describe('createBatcher', () => {
  it('runs what is submitted together as batches of at most `max`, in order', async () => {
    const batches: number[][] = [];
    const add = createBatcher<Item>(3, async (batch) => {
      batches.push(batch.map((i) => i.n));
      for (const i of batch) i.resolve(i.n * 10);
    });
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => submit(add, n)));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    // Later submissions start a new drain.
    expect(await submit(add, 6)).toBe(60);
  });

  it('a batch that throws rejects its items; the next batch still runs', async () => {
    const add = createBatcher<Item>(2, async (batch) => {
      if (batch.some((i) => i.n === 2)) throw new Error('commit failed');
      for (const i of batch) i.resolve(i.n);
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => submit(add, n)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('commit failed');
  });
});
