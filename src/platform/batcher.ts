/**
 * Collects the items submitted in the same turn of the event loop (and while a batch is running) and hands
 * them to `run` at most `max` at a time, one batch after the other. It is how a stage shares one
 * transaction among many callers: on SQLite the commit is the dearest statement. `run` settles each item
 * itself; if it throws, every item of the batch is rejected with that error (settled ones ignore it).
 */
export function createBatcher<T extends { reject(err: unknown): void }>(
  max: number,
  run: (batch: T[]) => Promise<void>,
): (item: T) => void {
  const queue: T[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, max);
      try {
        await run(batch);
      } catch (err) {
        for (const item of batch) item.reject(err);
      }
    }
    draining = false;
  }

  return (item) => {
    queue.push(item);
    if (!draining) {
      draining = true;
      setImmediate(() => void drain());
    }
  };
}
