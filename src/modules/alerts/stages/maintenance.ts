import { DateTime } from 'luxon';
import { type Matcher, matchesAll } from '../matchers.ts';
import type { MuteCandidate, MutedBy, MuteStage } from './types.ts';

export interface WindowRule {
  id: string;
  name: string;
  matchers: readonly Matcher[];
  timeZone: string;
  /** Local `YYYY-MM-DDTHH:mm` of the first occurrence. */
  start: string;
  durationMinutes: number;
  recurrence: 'once' | 'daily' | 'weekly' | 'monthly';
  /** ISO weekdays (1 = Monday) for weekly windows. */
  weekdays: readonly number[];
  /** Last local date an occurrence may start on. */
  until: string | null;
}

export interface Occurrence {
  start: number;
  end: number;
}

const DAY = 86_400_000;

/**
 * The occurrence of `w` that would start on local calendar day `day` (in the window's zone), if any. The
 * wall-clock start is kept across DST changes (02:00 stays 02:00); a start inside a spring-forward gap
 * moves to the first valid instant after it, as luxon does.
 */
function occurrenceOn(w: WindowRule, first: DateTime, day: DateTime): Occurrence | null {
  if (day < first.startOf('day')) return null;
  if (w.until && day.toISODate()! > w.until) return null;
  const onDay =
    w.recurrence === 'once'
      ? day.hasSame(first, 'day')
      : w.recurrence === 'daily'
        ? true
        : w.recurrence === 'weekly'
          ? w.weekdays.includes(day.weekday)
          : day.day === first.day;
  if (!onDay) return null;
  const start = day.set({ hour: first.hour, minute: first.minute, second: 0, millisecond: 0 });
  if (start < first) return null;
  const s = start.toMillis();
  return { start: s, end: s + w.durationMinutes * 60_000 };
}

const firstOf = (w: WindowRule) => DateTime.fromISO(w.start, { zone: w.timeZone });

/** The occurrence in effect at `now`, if any. */
export function activeOccurrence(w: WindowRule, now: number): Occurrence | null {
  const first = firstOf(w);
  if (!first.isValid) return null;
  const today = DateTime.fromMillis(now, { zone: w.timeZone }).startOf('day');
  // An occurrence that started up to `duration` ago may still be running.
  const back = Math.ceil(w.durationMinutes / 1440) + 1;
  for (let i = 0; i <= back; i++) {
    const o = occurrenceOn(w, first, today.minus({ days: i }));
    if (o && o.start <= now && now < o.end) return o;
  }
  return null;
}

/** The next `count` occurrences starting at or after `from` (and the running one, if any). */
export function nextOccurrences(w: WindowRule, from: number, count: number): Occurrence[] {
  const first = firstOf(w);
  if (!first.isValid) return [];
  const out: Occurrence[] = [];
  const running = activeOccurrence(w, from);
  if (running) out.push(running);
  let day = DateTime.fromMillis(Math.max(from, first.toMillis() - DAY), { zone: w.timeZone }).startOf('day');
  // Ten years of days bounds the search for windows that rarely or never recur (e.g. the 31st).
  for (let i = 0; i < 3660 && out.length < count; i++, day = day.plus({ days: 1 })) {
    const o = occurrenceOn(w, first, day);
    if (o && o.start >= from && o.start !== running?.start) out.push(o);
    if (w.recurrence === 'once' && o) break;
  }
  return out.slice(0, count);
}

export function inMaintenance(windows: readonly WindowRule[], alert: MuteCandidate, now: number) {
  return windows.find((w) => matchesAll(w.matchers, alert.labels) && activeOccurrence(w, now)) ?? null;
}

export function maintenanceStage(deps: { windows: () => Promise<WindowRule[]> }): MuteStage {
  return {
    kind: 'maintenance',
    async load(now) {
      const windows = (await deps.windows()).filter((w) => activeOccurrence(w, now));
      return async (alert): Promise<MutedBy | null> => {
        const w = inMaintenance(windows, alert, now);
        return w ? { id: w.id, name: w.name } : null;
      };
    },
  };
}
