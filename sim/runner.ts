/**
 * Drives a simulation against the clock: in real time (speed 1: one tick per interval of wall time), sped
 * up (speed 60: an hour of shop in a minute), or as fast as the sink accepts (speed 0). Samples go to the
 * sink, events to the callback, and the batch job's heartbeats to its URL.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { SimEvent } from './events.ts';
import type { Simulation } from './simulation.ts';
import type { IngestSink } from './sink.ts';

export interface RunOptions {
  sim: Simulation;
  sink?: IngestSink;
  /** Simulated ms per wall ms; 0 runs as fast as the sink accepts. */
  speed: number;
  /** Stop after this simulated time (epoch ms); runs until aborted when absent. */
  until?: number;
  /** Simulated time per step when running flat out. */
  chunkMs?: number;
  /** The batch job calls this URL (POST) on every completed run. */
  heartbeatUrl?: string;
  onEvent?: (event: SimEvent) => void;
  onError?: (err: unknown) => void;
  signal?: AbortSignal;
}

export interface RunReport {
  ticks: number;
  samples: number;
  events: number;
  until: number;
}

export async function runSimulation(opts: RunOptions): Promise<RunReport> {
  const { sim } = opts;
  const report: RunReport = { ticks: 0, samples: 0, events: 0, until: sim.now };
  const wallStart = Date.now();
  const simStart = sim.now + sim.intervalMs;
  const until = opts.until ?? Number.POSITIVE_INFINITY;
  const pending = new Set<Promise<unknown>>();

  const deliver = async (target: number) => {
    const step = sim.step(target);
    if (step.until === null) return;
    report.ticks += Math.round((step.until - report.until) / sim.intervalMs);
    report.until = step.until;
    for (const s of step.series) report.samples += s.points.length;
    for (const e of step.events) {
      report.events++;
      opts.onEvent?.(e);
      if (e.type === 'heartbeat' && opts.heartbeatUrl) {
        const call = fetch(opts.heartbeatUrl, { method: 'POST' })
          .then((r) => r.body?.cancel())
          .catch((err: unknown) => opts.onError?.(err))
          .finally(() => pending.delete(call));
        pending.add(call);
      }
    }
    if (opts.sink) await opts.sink.write(step.series);
  };

  while (!opts.signal?.aborted && sim.now + sim.intervalMs <= until) {
    if (opts.speed <= 0) {
      await deliver(Math.min(until, sim.now + (opts.chunkMs ?? 10 * 60_000)));
      continue;
    }
    const next = sim.now + sim.intervalMs;
    const dueWall = wallStart + (next - simStart) / opts.speed;
    const wait = dueWall - Date.now();
    if (wait > 0) {
      try {
        await sleep(wait, undefined, opts.signal ? { signal: opts.signal } : undefined);
      } catch {
        break;
      }
    }
    // Catch up in one step if the process fell behind, never beyond what the clock allows.
    const reachable = simStart + (Date.now() - wallStart) * opts.speed;
    await deliver(Math.min(until, Math.max(next, reachable)));
  }
  if (opts.sink) await opts.sink.flush();
  await Promise.all(pending);
  return report;
}
