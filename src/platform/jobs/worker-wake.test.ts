import pino from 'pino';
import { expect, it } from 'vitest';
import { FakeClock } from '../clock.ts';
import type { JobRow } from './jobs.repo.ts';
import { JobWorker } from './worker.ts';

const job = (id: string): JobRow => ({
  id,
  kind: 'k',
  payload: 'null',
  runAt: 0,
  attempts: 1,
  maxAttempts: 3,
  state: 'running',
  lockedBy: null,
  lockedUntil: null,
  lastError: null,
  dedupeKey: null,
  createdAt: 0,
  updatedAt: 0,
});

it('does not lose a wake-up that comes while a claim is in flight (no poll-interval wait)', async () => {
  const committed: JobRow[] = [];
  let gate: Promise<void> | null = null;
  let claims = 0;
  let claimStarted: () => void = () => {};
  const ran = Promise.withResolvers<void>();
  const worker = new JobWorker({
    repo: {
      // Reads what is committed when the claim starts, then (when gated) answers later, like a claim
      // that waits for the database connection while another transaction commits new work.
      claimDue: async () => {
        claims++;
        const seen = committed.splice(0);
        claimStarted();
        if (gate) await gate;
        return seen;
      },
      complete: async () => true,
      fail: async () => {},
    },
    clock: new FakeClock(),
    logger: pino({ level: 'silent' }),
    handlers: new Map([['k', async () => ran.resolve()]]),
    // Far beyond the test's timeout: the job can only run in time if the wake-up is kept.
    pollMs: 60_000,
    concurrency: 2,
    leaseMs: 60_000,
  });
  worker.start();
  while (claims === 0) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20)); // the first (empty) claim is done: the lane sleeps

  const release = Promise.withResolvers<void>();
  gate = release.promise;
  const inClaim = new Promise<void>((r) => {
    claimStarted = r;
  });
  worker.wake();
  await inClaim;
  committed.push(job('j1'));
  worker.wake(); // arrives while the claim above, which did not see j1, is still in flight
  gate = null;
  release.resolve();

  await ran.promise;
  await worker.stop();
  expect(claims).toBeGreaterThanOrEqual(3);
});
