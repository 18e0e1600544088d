/** Time ranges of the metric pages: presets, the step that fits a range, and how both sit in the URL. */

export const RANGE_PRESETS = ['15m', '1h', '6h', '24h', '7d'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

const PRESET_MS: Record<RangePreset, number> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
};

/** A preset moves with the clock; a custom range (from a picker or a chart zoom) is fixed. */
export type TimeRange = { preset: RangePreset } | { from: number; to: number };

export function resolveRange(r: TimeRange, now = Date.now()): { from: number; to: number } {
  if ('preset' in r) return { from: now - PRESET_MS[r.preset], to: now };
  return r;
}

// Round steps, so that neighbouring ranges share points and the rollups line up with the step.
const STEPS_S = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400];

/** About 240 points across the chart, never finer than 15 s. */
export function stepFor(rangeMs: number, points = 240): number {
  const want = rangeMs / 1000 / points;
  return STEPS_S.find((s) => s >= want) ?? (STEPS_S.at(-1) as number);
}

export const formatStep = (s: number): string =>
  s % 86_400 === 0
    ? `${s / 86_400}d`
    : s % 3600 === 0
      ? `${s / 3600}h`
      : s % 60 === 0
        ? `${s / 60}m`
        : `${s}s`;

export function rangeFromParams(p: URLSearchParams, fallback: RangePreset = '1h'): TimeRange {
  const from = Number(p.get('from'));
  const to = Number(p.get('to'));
  if (from > 0 && to > from) return { from, to };
  const preset = p.get('range') as RangePreset | null;
  return { preset: preset && RANGE_PRESETS.includes(preset) ? preset : fallback };
}

export function rangeToParams(r: TimeRange, p: URLSearchParams): void {
  p.delete('range');
  p.delete('from');
  p.delete('to');
  if ('preset' in r) p.set('range', r.preset);
  else {
    p.set('from', String(Math.round(r.from)));
    p.set('to', String(Math.round(r.to)));
  }
}
