import { DateTime } from 'luxon';

/**
 * Rotation maths, pure: from a schedule's layers and overrides to the final shifts of any period. Wall
 * times (hand-off at 09:00) are kept in the schedule's time zone through DST by luxon's calendar
 * arithmetic, so a daily shift across the spring change lasts 23 hours and still hands off at 09:00.
 */

export interface Restriction {
  /** ISO weekdays (1 = Monday … 7 = Sunday) the window applies to; empty or absent: every day. */
  days?: readonly number[] | undefined;
  /** Local "HH:mm"; `to` ≤ `from` crosses midnight (`from` = `to`: the whole day). */
  from: string;
  to: string;
}

export interface Layer {
  name: string;
  rotation: 'daily' | 'weekly' | 'custom';
  /** Length of one shift for a custom rotation. */
  shiftHours?: number | undefined;
  /** Local "HH:mm" of the hand-off. */
  handoffTime: string;
  /** ISO weekday of the hand-off for a weekly rotation (default Monday). */
  handoffWeekday?: number | undefined;
  /** Local date "YYYY-MM-DD" from which the first participant takes the first shift. */
  startDate: string;
  participants: readonly string[];
  restrictions?: readonly Restriction[] | undefined;
}

export interface Override {
  userId: string;
  /** A swap: the user covers only the shifts of this user within the window. */
  replacesUserId: string | null;
  startsAt: number;
  endsAt: number;
}

export interface Shift {
  start: number;
  end: number;
  userId: string | null;
  /** Where the final shift came from: a layer (by name), an override or a swap; null for a gap. */
  source: { kind: 'layer'; layer: string } | { kind: 'override' | 'swap' } | null;
}

interface Segment {
  start: number;
  end: number;
  userId: string;
}

const hm = (text: string): { hour: number; minute: number } => {
  const [h, m] = text.split(':').map(Number);
  return { hour: h ?? 0, minute: m ?? 0 };
};

function anchorOf(layer: Layer, zone: string): DateTime {
  let anchor = DateTime.fromISO(layer.startDate, { zone }).set({ ...hm(layer.handoffTime), second: 0 });
  if (layer.rotation === 'weekly') {
    const wd = layer.handoffWeekday ?? 1;
    anchor = anchor.plus({ days: (wd - anchor.weekday + 7) % 7 });
  }
  return anchor;
}

/** Start of shift k (k may be negative); calendar arithmetic for daily and weekly, absolute for custom. */
function boundary(layer: Layer, anchor: DateTime, k: number): number {
  if (layer.rotation === 'daily') return anchor.plus({ days: k }).toMillis();
  if (layer.rotation === 'weekly') return anchor.plus({ weeks: k }).toMillis();
  return anchor.toMillis() + k * (layer.shiftHours ?? 24) * 3_600_000;
}

const nominalMs = (layer: Layer) =>
  layer.rotation === 'daily'
    ? 86_400_000
    : layer.rotation === 'weekly'
      ? 7 * 86_400_000
      : (layer.shiftHours ?? 24) * 3_600_000;

/** Index of the shift that contains `t`. */
function shiftIndex(layer: Layer, anchor: DateTime, t: number): number {
  let k = Math.floor((t - anchor.toMillis()) / nominalMs(layer));
  while (boundary(layer, anchor, k) > t) k--;
  while (boundary(layer, anchor, k + 1) <= t) k++;
  return k;
}

/** Local restriction windows overlapping [from, to). */
function restrictionWindows(restrictions: readonly Restriction[], zone: string, from: number, to: number) {
  const out: { start: number; end: number }[] = [];
  let day = DateTime.fromMillis(from, { zone }).startOf('day').minus({ days: 1 });
  while (day.toMillis() < to) {
    for (const r of restrictions) {
      if (r.days && r.days.length > 0 && !r.days.includes(day.weekday)) continue;
      const start = day.set(hm(r.from));
      const endLocal = hm(r.to);
      const crosses = endLocal.hour * 60 + endLocal.minute <= start.hour * 60 + start.minute;
      const end = (crosses ? day.plus({ days: 1 }) : day).set(endLocal);
      if (end.toMillis() > from && start.toMillis() < to)
        out.push({ start: start.toMillis(), end: end.toMillis() });
    }
    day = day.plus({ days: 1 });
  }
  return out;
}

/** The shifts of one layer within [from, to), restricted to its windows when it has any. */
export function layerSegments(layer: Layer, zone: string, from: number, to: number): Segment[] {
  if (layer.participants.length === 0 || to <= from) return [];
  const anchor = anchorOf(layer, zone);
  const out: Segment[] = [];
  let k = Math.max(0, shiftIndex(layer, anchor, from));
  for (;;) {
    const start = boundary(layer, anchor, k);
    if (start >= to) break;
    const end = boundary(layer, anchor, k + 1);
    const s = Math.max(start, from);
    const e = Math.min(end, to);
    const userId = layer.participants[k % layer.participants.length] as string;
    if (e > s) {
      if (layer.restrictions && layer.restrictions.length > 0) {
        for (const w of restrictionWindows(layer.restrictions, zone, s, e)) {
          const ws = Math.max(w.start, s);
          const we = Math.min(w.end, e);
          if (we > ws) out.push({ start: ws, end: we, userId });
        }
      } else out.push({ start: s, end: e, userId });
    }
    k++;
  }
  return out;
}

/**
 * The final shifts of [from, to): the last layer that covers a moment wins, then overrides and swaps
 * (later ones win); adjacent pieces of the same person are merged; moments nobody covers are gaps.
 */
export function finalShifts(
  layers: readonly Layer[],
  overrides: readonly Override[],
  zone: string,
  from: number,
  to: number,
): Shift[] {
  const perLayer = layers.map((l) => layerSegments(l, zone, from, to));
  const cuts = new Set<number>([from, to]);
  for (const segs of perLayer) {
    for (const s of segs) {
      cuts.add(s.start);
      cuts.add(s.end);
    }
  }
  const relevant = overrides.filter((o) => o.endsAt > from && o.startsAt < to);
  for (const o of relevant) {
    if (o.startsAt > from) cuts.add(o.startsAt);
    if (o.endsAt < to) cuts.add(o.endsAt);
  }
  const points = [...cuts].filter((p) => p >= from && p <= to).sort((a, b) => a - b);
  const cursors = perLayer.map(() => 0);
  const out: Shift[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i] as number;
    const end = points[i + 1] as number;
    let userId: string | null = null;
    let source: Shift['source'] = null;
    for (let l = perLayer.length - 1; l >= 0; l--) {
      const segs = perLayer[l] as Segment[];
      let c = cursors[l] as number;
      while (c < segs.length && (segs[c] as Segment).end <= start) c++;
      cursors[l] = c;
      const seg = segs[c];
      if (seg && seg.start <= start && seg.end >= end) {
        userId = seg.userId;
        source = { kind: 'layer', layer: (layers[l] as Layer).name };
        break;
      }
    }
    for (const o of relevant) {
      if (o.startsAt > start || o.endsAt < end) continue;
      if (o.replacesUserId === null) {
        userId = o.userId;
        source = { kind: 'override' };
      } else if (userId === o.replacesUserId) {
        userId = o.userId;
        source = { kind: 'swap' };
      }
    }
    const last = out[out.length - 1];
    if (last && last.end === start && last.userId === userId && sameSource(last.source, source)) {
      last.end = end;
    } else out.push({ start, end, userId, source });
  }
  return out;
}

const sameSource = (a: Shift['source'], b: Shift['source']) => JSON.stringify(a) === JSON.stringify(b);

/** Who is on call at `t` (null: nobody, a gap). */
export function onCallAt(
  layers: readonly Layer[],
  overrides: readonly Override[],
  zone: string,
  t: number,
): Shift | null {
  // The shift's real extent, not just the one millisecond asked about.
  const around = finalShifts(layers, overrides, zone, t - 32 * 86_400_000, t + 32 * 86_400_000);
  return around.find((s) => s.start <= t && s.end > t) ?? null;
}

/** True when the IANA zone is one luxon (and so Intl) knows. */
export const isValidZone = (zone: string): boolean => DateTime.now().setZone(zone).isValid;
