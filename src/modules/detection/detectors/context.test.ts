import { describe, expect, it } from 'vitest';
import { ContextNoveltyDetector } from './context.ts';
import { alarms, at, DAY, dailyTraffic, gaussian, HOUR, run, START, STEP, series } from './test-signals.ts';

describe('context novelty detector', () => {
  it('scores a record by how far it goes beyond the range seen so far', () => {
    const d = new ContextNoveltyDetector({ warmup: 5 });
    for (let i = 0; i < 200; i++) d.update(START + i * STEP, i % 2 === 0 ? 0 : 10);
    const slightly = d.update(START + 200 * STEP, 10.1).score;
    const far = new ContextNoveltyDetector({ warmup: 5 });
    for (let i = 0; i < 200; i++) far.update(START + i * STEP, i % 2 === 0 ? 0 : 10);
    const beyond = far.update(START + 200 * STEP, 30).score;
    expect(slightly).toBeGreaterThanOrEqual(0.8);
    expect(slightly).toBeLessThan(0.9);
    expect(beyond).toBe(1);
  });

  it('flags a move between levels never seen, and not once it is known', () => {
    // A square wave between 0 and 10 (levels far apart), then a first visit to 5 on the way down.
    const d = new ContextNoveltyDetector({ warmup: 10, dailyAfterDays: 100, weeklyAfterDays: 100 });
    let i = 0;
    const feed = (v: number) => d.update(START + i++ * STEP, v).score;
    for (let k = 0; k < 300; k++) feed(Math.floor(k / 10) % 2 === 0 ? 0 : 10);
    expect(feed(10)).toBe(0);
    expect(feed(5)).toBeGreaterThanOrEqual(0.85);
    for (let k = 0; k < 50; k++) feed(k % 3 === 0 ? 10 : k % 3 === 1 ? 5 : 0);
    expect(feed(10)).toBe(0);
    expect(feed(5)).toBe(0);
  });

  it('notices a daily shape that stops, with its daily context only', () => {
    const traffic = dailyTraffic(2, 1);
    const flat = gaussian(3);
    const r = run(
      new ContextNoveltyDetector(),
      series(14, (t) => (t >= 10 * DAY ? 100 + 2 * flat() : traffic(t))),
    );
    expect(alarms(r, 0.82, at(4 * DAY), at(10 * DAY))).toEqual([]);
    expect(alarms(r, 0.82, at(10 * DAY), at(10 * DAY + 12 * HOUR)).length).toBeGreaterThan(0);
  });

  it('forgets its contexts when the range breaks out, and relearns', () => {
    const d = new ContextNoveltyDetector({ dailyAfterDays: 100, weeklyAfterDays: 100 });
    const noise = gaussian(5);
    const s = series(6, (t) => (t >= 3 * DAY ? 1000 : 100) + 3 * noise());
    const r = run(d, s);
    expect(r[at(3 * DAY)]!.score).toBe(1);
    expect(alarms(r, 0.82, at(3 * DAY) + 50)).toEqual([]);
    expect(r.at(-1)!.upper).toBeGreaterThan(1000);
  });

  it('puts the day and week boundaries in local time', () => {
    const utc = new ContextNoveltyDetector({ dailyBins: 24 });
    const shifted = new ContextNoveltyDetector({ dailyBins: 24, utcOffsetMinutes: 480 });
    const s = series(8, dailyTraffic(2, 4));
    // Same data, different slots: the learnt memories differ.
    run(utc, s);
    run(shifted, s);
    expect(JSON.stringify(utc.snapshot())).not.toBe(JSON.stringify(shifted.snapshot()));
  });
});
