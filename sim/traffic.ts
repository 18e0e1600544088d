/**
 * Customer traffic of a Chinese online shop: a daily cycle in China Standard Time (quiet around 04:00,
 * a late-morning peak 10:00–12:00, the main peak 20:00–22:00), busier weekends, slow wander and
 * promotion events (11.11-style) that multiply traffic for hours. None of this is a fault.
 */

import { smoothNoise } from './random.ts';

/** China Standard Time is UTC+8 all year (no daylight saving). */
export const CST_OFFSET_MS = 8 * 3_600_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Relative traffic at each hour of the day (CST); 1.0 is the evening peak. */
const HOURLY = [
  0.45, 0.32, 0.22, 0.16, 0.13, 0.14, 0.2, 0.33, 0.5, 0.68, 0.84, 0.87, 0.8, 0.72, 0.73, 0.75, 0.74, 0.71,
  0.74, 0.86, 0.97, 1.0, 0.92, 0.68,
] as const;
/** Monday … Sunday. Friday evening starts the weekend; Saturday is the busiest day. */
const WEEKDAY = [1.0, 0.98, 1.0, 1.02, 1.06, 1.22, 1.16] as const;

export interface Promotion {
  /** When the ramp-up starts (epoch ms). */
  at: number;
  /** Traffic multiple at the top (e.g. 4 for four times normal). */
  peak: number;
  rampUpMs: number;
  holdMs: number;
  rampDownMs: number;
  name?: string;
}

export function promotionDefaults(at: number, overrides: Partial<Promotion> = {}): Promotion {
  return {
    at,
    peak: 4,
    rampUpMs: 2 * HOUR,
    holdMs: 2 * HOUR,
    rampDownMs: 3 * HOUR,
    name: '11.11',
    ...overrides,
  };
}

export function promotionEnd(p: Promotion): number {
  return p.at + p.rampUpMs + p.holdMs + p.rampDownMs;
}

const smoothstep = (x: number) => (x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x));

/** Hour of day (fractional) and weekday index (0 = Monday) in CST. */
export function cstClock(t: number): { hour: number; weekday: number } {
  const local = t + CST_OFFSET_MS;
  const dayIndex = Math.floor(local / DAY);
  // 1970-01-01 was a Thursday (index 3 when Monday is 0).
  const weekday = (((dayIndex + 3) % 7) + 7) % 7;
  return { hour: (local - dayIndex * DAY) / HOUR, weekday };
}

/** The daily × weekly cycle at time t, without noise; smooth across hours and midnights. */
export function cycle(t: number): number {
  const { hour, weekday } = cstClock(t);
  const h = Math.floor(hour);
  const f = hour - h;
  const g = (1 - Math.cos(f * Math.PI)) / 2;
  const daily = (HOURLY[h] as number) * (1 - g) + (HOURLY[(h + 1) % 24] as number) * g;
  // Blend the weekday factor over the hours around midnight so Saturday does not start with a step.
  const today = WEEKDAY[weekday] as number;
  const tomorrow = WEEKDAY[(weekday + 1) % 7] as number;
  const blend = smoothstep((hour - 21) / 6);
  return daily * (today * (1 - blend) + tomorrow * blend);
}

/** Traffic multiple from promotions at t (1 outside every promotion). */
export function promotionFactor(t: number, promotions: readonly Promotion[]): number {
  let factor = 1;
  for (const p of promotions) {
    const x = t - p.at;
    if (x <= 0 || x >= p.rampUpMs + p.holdMs + p.rampDownMs) continue;
    let level: number;
    if (x < p.rampUpMs) level = smoothstep(x / p.rampUpMs);
    else if (x < p.rampUpMs + p.holdMs) level = 1;
    else level = 1 - smoothstep((x - p.rampUpMs - p.holdMs) / p.rampDownMs);
    factor = Math.max(factor, 1 + (p.peak - 1) * level);
  }
  return factor;
}

/**
 * Capacity multiple at t: the shop scales out an hour before each promotion and back an hour after it,
 * to about 60% of the extra traffic (the rest is absorbed by running hotter), as teams do for 11.11.
 */
export function capacityFactor(t: number, promotions: readonly Promotion[]): number {
  let factor = 1;
  for (const p of promotions) {
    if (t >= p.at - HOUR && t < promotionEnd(p) + HOUR) factor = Math.max(factor, 1 + 0.6 * (p.peak - 1));
  }
  return factor;
}

/** Page views per second at t: cycle × promotions × slow wander (±5%); white noise is added per series. */
export function pageViews(
  t: number,
  peak: number,
  promotions: readonly Promotion[],
  noiseKey: number,
): number {
  const wander = 1 + 0.05 * smoothNoise(noiseKey, t, 20 * 60_000);
  return peak * cycle(t) * promotionFactor(t, promotions) * wander;
}
