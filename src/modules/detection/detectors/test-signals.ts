/** Synthetic series for the detector tests: seeded, so every run sees the same numbers. */
import type { AnomalyDetector, AnomalyResult } from './types.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const STEP = 5 * MINUTE;
/** A Monday, midnight UTC. */
export const START = Date.UTC(2026, 0, 5);

/** Uniform [0, 1) numbers from a seed (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal numbers from a seed (Box-Muller). */
export function gaussian(seed: number): () => number {
  const u = random(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export interface Series {
  ts: number[];
  values: number[];
}

/** `days` of samples every `STEP`, valued by `value(t)` where `t` is ms since `START`. */
export function series(days: number, value: (t: number, i: number) => number): Series {
  const ts: number[] = [];
  const values: number[] = [];
  for (let i = 0, t = 0; t < days * DAY; i++, t += STEP) {
    ts.push(START + t);
    values.push(value(t, i));
  }
  return { ts, values };
}

/** A daily cycle between 60 and 140 (peak at 06:00) with N(0, noise) on top. */
export function dailyTraffic(noise = 2, seed = 1): (t: number) => number {
  const n = gaussian(seed);
  return (t) => 100 + 40 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + noise * n();
}

/** Index of the sample at `t` ms since `START`. */
export const at = (t: number) => Math.round(t / STEP);

export function run(detector: AnomalyDetector, s: Series, from = 0, to = s.ts.length): AnomalyResult[] {
  const out: AnomalyResult[] = [];
  for (let i = from; i < to; i++) out.push(detector.update(s.ts[i]!, s.values[i]!));
  return out;
}

/** Indexes in [from, to) whose score reaches `threshold`. */
export function alarms(results: AnomalyResult[], threshold: number, from = 0, to = results.length): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) if (results[i]!.score >= threshold) out.push(i);
  return out;
}
