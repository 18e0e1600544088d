import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { finalShifts, type Layer, layerSegments, onCallAt } from './rotation.ts';

const BERLIN = 'Europe/Berlin';
const SHANGHAI = 'Asia/Shanghai';
const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toMillis();
const local = (ms: number, zone: string) =>
  DateTime.fromMillis(ms, { zone }).toFormat('ccc yyyy-MM-dd HH:mm');
const HOUR = 3_600_000;

const daily = (participants: string[], extra: Partial<Layer> = {}): Layer => ({
  name: 'primary',
  rotation: 'daily',
  handoffTime: '09:00',
  startDate: '2026-03-25',
  participants,
  ...extra,
});

describe('rotations', () => {
  it('a daily rotation across the spring DST change in Berlin hands off at 09:00 local; that shift lasts 23 h', () => {
    const layer = daily(['ana', 'ben', 'cai']);
    const from = at('2026-03-27T09:00', BERLIN);
    const segs = layerSegments(layer, BERLIN, from, at('2026-03-31T09:00', BERLIN));
    expect(segs.map((s) => [local(s.start, BERLIN), s.userId, (s.end - s.start) / HOUR])).toEqual([
      ['Fri 2026-03-27 09:00', 'cai', 24],
      ['Sat 2026-03-28 09:00', 'ana', 23], // 29 March 02:00 → 03:00
      ['Sun 2026-03-29 09:00', 'ben', 24],
      ['Mon 2026-03-30 09:00', 'cai', 24],
    ]);
  });

  it('and across the autumn change the shift lasts 25 h', () => {
    const layer = daily(['ana', 'ben'], { startDate: '2026-10-20' });
    const segs = layerSegments(layer, BERLIN, at('2026-10-24T09:00', BERLIN), at('2026-10-26T09:00', BERLIN));
    expect(segs.map((s) => [local(s.start, BERLIN), s.userId, (s.end - s.start) / HOUR])).toEqual([
      ['Sat 2026-10-24 09:00', 'ana', 25],
      ['Sun 2026-10-25 09:00', 'ben', 24],
    ]);
  });

  it('a weekly rotation in Asia/Shanghai hands off on the given weekday and time', () => {
    const layer: Layer = {
      name: 'weekly',
      rotation: 'weekly',
      handoffTime: '10:30',
      handoffWeekday: 3, // Wednesday
      startDate: '2026-01-05', // a Monday: the first hand-off is Wednesday the 7th
      participants: ['wang', 'li'],
    };
    const segs = layerSegments(
      layer,
      SHANGHAI,
      at('2026-01-01T00:00', SHANGHAI),
      at('2026-01-22T00:00', SHANGHAI),
    );
    expect(segs.map((s) => [local(s.start, SHANGHAI), local(s.end, SHANGHAI), s.userId])).toEqual([
      ['Wed 2026-01-07 10:30', 'Wed 2026-01-14 10:30', 'wang'],
      ['Wed 2026-01-14 10:30', 'Wed 2026-01-21 10:30', 'li'],
      ['Wed 2026-01-21 10:30', 'Thu 2026-01-22 00:00', 'wang'],
    ]);
    // Before the first hand-off nobody is on call: a gap.
    expect(onCallAt([layer], [], SHANGHAI, at('2026-01-06T12:00', SHANGHAI))?.userId ?? null).toBeNull();
    expect(onCallAt([layer], [], SHANGHAI, at('2026-03-04T10:29', SHANGHAI))?.userId).toBe('li');
    expect(onCallAt([layer], [], SHANGHAI, at('2026-03-04T10:30', SHANGHAI))?.userId).toBe('wang');
  });

  it('a custom rotation of 12-hour shifts counts absolute hours', () => {
    const layer: Layer = {
      name: 'half days',
      rotation: 'custom',
      shiftHours: 12,
      handoffTime: '08:00',
      startDate: '2026-03-28',
      participants: ['a', 'b', 'c'],
    };
    const segs = layerSegments(layer, BERLIN, at('2026-03-28T08:00', BERLIN), at('2026-03-30T08:00', BERLIN));
    expect(segs.map((s) => (s.end - s.start) / HOUR)).toEqual([12, 12, 12, 11]); // clipped by the range after DST
    expect(segs.map((s) => s.userId)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('restriction windows limit a layer (weekday office hours); the upper layer wins where it covers', () => {
    const base = daily(['night'], { name: 'base', startDate: '2026-01-01' });
    const office = daily(['day'], {
      name: 'office',
      startDate: '2026-01-01',
      restrictions: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }],
    });
    const from = at('2026-01-09T00:00', SHANGHAI); // a Friday
    const shifts = finalShifts([base, office], [], SHANGHAI, from, at('2026-01-11T00:00', SHANGHAI));
    expect(shifts.map((s) => [local(s.start, SHANGHAI), local(s.end, SHANGHAI), s.userId])).toEqual([
      ['Fri 2026-01-09 00:00', 'Fri 2026-01-09 09:00', 'night'],
      ['Fri 2026-01-09 09:00', 'Fri 2026-01-09 18:00', 'day'],
      ['Fri 2026-01-09 18:00', 'Sun 2026-01-11 00:00', 'night'],
    ]);
  });

  it('a window crossing midnight, and gaps where nobody is on call', () => {
    const nights = daily(['owl'], {
      startDate: '2026-01-01',
      restrictions: [{ from: '22:00', to: '06:00' }],
    });
    const from = at('2026-01-10T00:00', SHANGHAI);
    const shifts = finalShifts([nights], [], SHANGHAI, from, from + 24 * HOUR);
    expect(shifts.map((s) => [local(s.start, SHANGHAI), s.userId])).toEqual([
      ['Sat 2026-01-10 00:00', 'owl'],
      ['Sat 2026-01-10 06:00', null],
      ['Sat 2026-01-10 22:00', 'owl'],
    ]);
  });

  it('an override covers its window whoever was on call; a swap replaces only the named person', () => {
    const layer = daily(['ana', 'ben'], { startDate: '2026-01-01' }); // ana on odd days from the 1st
    const day = (d: number, h = 9) =>
      at(`2026-01-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00`, BERLIN);
    const overrides = [
      { userId: 'cai', replacesUserId: null, startsAt: day(3, 12), endsAt: day(3, 14) },
      { userId: 'dan', replacesUserId: 'ben', startsAt: day(2), endsAt: day(6) },
    ];
    const shifts = finalShifts([layer], overrides, BERLIN, day(2), day(6));
    expect(shifts.map((s) => [local(s.start, BERLIN), s.userId, s.source?.kind])).toEqual([
      ['Fri 2026-01-02 09:00', 'dan', 'swap'],
      ['Sat 2026-01-03 09:00', 'ana', 'layer'],
      ['Sat 2026-01-03 12:00', 'cai', 'override'],
      ['Sat 2026-01-03 14:00', 'ana', 'layer'],
      ['Sun 2026-01-04 09:00', 'dan', 'swap'],
      ['Mon 2026-01-05 09:00', 'ana', 'layer'],
    ]);
    expect(onCallAt([layer], overrides, BERLIN, day(3, 13))).toMatchObject({
      userId: 'cai',
      start: day(3, 12),
      end: day(3, 14),
    });
  });
});
