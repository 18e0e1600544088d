import { badRequest } from '../../../platform/errors.ts';
import type { Point } from '../metric-store.ts';

/**
 * A hand-written reader for the part of `prometheus.WriteRequest` the hot path needs. protobufjs builds
 * an object per label and per sample and a Long per timestamp, then the route copied them all again;
 * this reader makes the points directly and leaves each series' labels as bytes. Equal label bytes mean
 * equal labels, so the ingest service maps them to a series it has already checked without decoding a
 * single string (`hash`, `wireKey`). Anything it does not expect makes it throw, and the caller falls back to
 * protobufjs, which gives the exact error (or the answer, for an encoding this reader does not know).
 */

export interface WireSeries {
  /**
   * FNV-1a of the series' label fields exactly as sent (`wireKey`), the identity of the label set:
   * hashed from the bytes, so a known series costs no string at all.
   */
  hash: number;
  /** Byte range [start, end) of the label fields inside the decoded body (-1 when there are none)… */
  start: number;
  end: number;
  /** …or, when other fields come between them, every range as [start, end, start, end, …]. */
  split: number[] | undefined;
  points: Point[];
  /** Set by the ingest service once the labels are known (so the series travels on as it is). */
  labels: Record<string, string> | undefined;
}

export interface WireRequest {
  raw: Buffer;
  series: WireSeries[];
  /** Whether the request carries metadata (field 3), which this reader does not decode. */
  hasMetadata: boolean;
}

class WireError extends Error {}
const fail = (): never => {
  throw new WireError('unexpected encoding');
};

/** Reads a varint of up to 64 bits as a number (two's complement for negatives, as protobuf int64). */
function varint(buf: Uint8Array, state: { pos: number }): number {
  let pos = state.pos;
  let lo = 0;
  let shift = 0;
  let b: number;
  do {
    if (pos >= buf.length) fail();
    b = buf[pos++] as number;
    if (shift < 28) lo |= (b & 0x7f) << shift;
    else if (shift === 28) {
      lo |= (b & 0x0f) << 28;
      // The 5th byte's upper 3 bits start the high word.
      let hi = (b & 0x70) >>> 4;
      let hshift = 3;
      while (b & 0x80) {
        if (pos >= buf.length || hshift > 32) fail();
        b = buf[pos++] as number;
        hi |= (b & 0x7f) << hshift;
        hshift += 7;
      }
      state.pos = pos;
      return (hi | 0) * 4294967296 + (lo >>> 0);
    }
    shift += 7;
  } while (b & 0x80);
  state.pos = pos;
  return lo >>> 0;
}

function skip(buf: Uint8Array, state: { pos: number }, wireType: number): void {
  if (wireType === 0) varint(buf, state);
  else if (wireType === 1) state.pos += 8;
  else if (wireType === 2) {
    const len = varint(buf, state);
    state.pos += len;
  } else if (wireType === 5) state.pos += 4;
  else fail();
  if (state.pos > buf.length) fail();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a decoded (inflated) WriteRequest; throws on anything unexpected (see the file comment). */
export function readWireRequest(bytes: Uint8Array): WireRequest {
  const raw = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const st = { pos: 0 };
  const series: WireSeries[] = [];
  let hasMetadata = false;
  while (st.pos < raw.length) {
    const tag = varint(raw, st);
    if (tag === 0x0a) {
      const len = varint(raw, st);
      const end = st.pos + len;
      if (end > raw.length) fail();
      series.push(readSeries(raw, view, st, end));
      st.pos = end;
    } else {
      if (tag >>> 3 === 3) hasMetadata = true;
      skip(raw, st, tag & 7);
    }
  }
  if (st.pos !== raw.length) fail();
  return { raw, series, hasMetadata };
}

function readSeries(raw: Buffer, view: DataView, st: { pos: number }, end: number): WireSeries {
  // One range and one point in the usual case: no array grown per series for either.
  let first = -1;
  let last = -1;
  let split: number[] | undefined;
  let points: Point[] | undefined;
  while (st.pos < end) {
    const start = st.pos;
    const tag = varint(raw, st);
    if (tag === 0x0a) {
      const len = varint(raw, st);
      st.pos += len;
      if (st.pos > end) fail();
      // Adjacent label fields (the normal case) make one range.
      if (split !== undefined) {
        if (split[split.length - 1] === start) split[split.length - 1] = st.pos;
        else split.push(start, st.pos);
      } else if (first === -1) {
        first = start;
        last = st.pos;
      } else if (last === start) last = st.pos;
      else split = [first, last, start, st.pos];
    } else if (tag === 0x12) {
      const len = varint(raw, st);
      const sEnd = st.pos + len;
      if (sEnd > end) fail();
      let value = 0;
      let ts = 0;
      while (st.pos < sEnd) {
        const t = varint(raw, st);
        if (t === 0x09) {
          if (st.pos + 8 > sEnd) fail();
          value = view.getFloat64(st.pos, true);
          st.pos += 8;
        } else if (t === 0x10) ts = varint(raw, st);
        else skip(raw, st, t & 7);
      }
      if (st.pos !== sEnd) fail();
      if (points === undefined) points = [{ ts, value }];
      else points.push({ ts, value });
    } else skip(raw, st, tag & 7);
  }
  if (st.pos !== end) fail();
  let hash = 0x811c9dc5;
  const ranges = split ?? [first, last];
  for (let r = 0; r < ranges.length; r += 2) {
    const to = ranges[r + 1] as number;
    for (let i = ranges[r] as number; i < to; i++) hash = Math.imul(hash ^ (raw[i] as number), 0x01000193);
  }
  return { hash: hash >>> 0, start: first, end: last, split, points: points ?? [], labels: undefined };
}

/** Every byte range of a series' label fields, in order. */
const rangesOf = (s: WireSeries): number[] => s.split ?? (s.start === -1 ? [] : [s.start, s.end]);

/**
 * The label fields of a series as sent, as [buffer, start, end): a view of the body in the usual case
 * of adjacent fields, else a joined copy. Equal bytes mean equal labels.
 */
export function wireKey(req: WireRequest, s: WireSeries): [Buffer, number, number] {
  if (s.split === undefined) return [req.raw, Math.max(0, s.start), Math.max(0, s.end)];
  const parts: Buffer[] = [];
  for (let i = 0; i < s.split.length; i += 2) parts.push(req.raw.subarray(s.split[i], s.split[i + 1]));
  const joined = Buffer.concat(parts);
  return [joined, 0, joined.length];
}

/** The labels of one series read by `readWireRequest`; a label name given twice is a 400. */
export function wireLabels(req: WireRequest, s: WireSeries): Record<string, string> {
  try {
    return readLabels(req, s);
  } catch (err) {
    if (!(err instanceof WireError || err instanceof TypeError)) throw err;
    throw badRequest(`Body is not a valid remote_write WriteRequest protobuf: bad label (${err.message})`);
  }
}

function readLabels(req: WireRequest, s: WireSeries): Record<string, string> {
  const raw = req.raw;
  const labels: Record<string, string> = {};
  const st = { pos: 0 };
  const ranges = rangesOf(s);
  for (let r = 0; r < ranges.length; r += 2) {
    st.pos = ranges[r] as number;
    const end = ranges[r + 1] as number;
    while (st.pos < end) {
      varint(raw, st); // the Label field's tag
      const lEnd = varint(raw, st) + st.pos;
      let name = '';
      let value = '';
      while (st.pos < lEnd) {
        const t = varint(raw, st);
        if (t === 0x0a || t === 0x12) {
          const len = varint(raw, st);
          if (st.pos + len > lEnd) fail();
          const text = utf8.decode(raw.subarray(st.pos, st.pos + len));
          st.pos += len;
          if (t === 0x0a) name = text;
          else value = text;
        } else skip(raw, st, t & 7);
      }
      if (name in labels) {
        const list = Object.entries(labels).map(([n, v]) => ({ name: n, value: v }));
        throw badRequest(`Series has the label "${name}" twice`, { labels: [...list, { name, value }] });
      }
      labels[name] = value;
    }
  }
  return labels;
}
