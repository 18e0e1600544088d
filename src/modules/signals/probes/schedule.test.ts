import { describe, expect, it } from 'vitest';
import { newId } from '../../../platform/ids.ts';
import { nextSlotAfter, onGrid, phaseOf, slotKey } from './schedule.ts';

describe('probe slots', () => {
  it('puts each probe on its own grid, the same in every process', () => {
    const id = '0190f0e2-7c1a-7000-8000-000000000001';
    const t = Date.UTC(2026, 0, 5, 9, 0, 0);
    const a = nextSlotAfter(id, 60_000, t);
    expect(a).toBeGreaterThan(t);
    expect(a - t).toBeLessThanOrEqual(60_000);
    expect((a - phaseOf(id, 60_000)) % 60_000).toBe(0);
    expect(nextSlotAfter(id, 60_000, a)).toBe(a + 60_000);
    expect(nextSlotAfter(id, 60_000, a - 1)).toBe(a);
    expect(onGrid(id, 60_000, a)).toBe(true);
    expect(onGrid(id, 60_000, a + 1000)).toBe(false);
    expect(slotKey(id, a)).toBe(`probe:${id}:${a}`);
  });

  it('spreads 10,000 probes evenly over the interval', () => {
    const buckets = new Array(60).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[Math.floor(phaseOf(newId(), 60_000) / 1000)]++;
    // About 167 a second; no second gets more than twice its share.
    expect(Math.max(...buckets)).toBeLessThan(334);
    expect(Math.min(...buckets)).toBeGreaterThan(60);
  });
});
