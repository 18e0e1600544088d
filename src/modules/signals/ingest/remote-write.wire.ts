import { badRequest } from '../../../platform/errors.ts';
import type { Point } from '../metric-store.ts';

/**
 * A hand-written reader for the part of `prometheus.WriteRequest` the hot path needs. protobufjs builds
 * an object per label and per sample and a Long per timestamp, then the route copied them all again;
 * this reader makes the points directly and leaves each series' labels as bytes. Equal label bytes mean
 * equal labels, so the ingest service maps them to a series it has already checked without decoding a
 * single string (`key`). Anything it does not expect makes it throw, and the caller falls back to
 * protobufjs, which gives the exact error (or the answer, for an encoding this reader does not know).
 */

export interface WireSeries {
  /** The series' label fields exactly as sent (latin1, one char per byte): the identity of the label set. */
  key: string;
  /** Byte ranges [start, end) of the label fields inside the decoded body, for `wireLabels`. */
  ranges: number[];
  points: Point[];
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
  const ranges: number[] = [];
  const points: Point[] = [];
  while (st.pos < end) {
    const start = st.pos;
    const tag = varint(raw, st);
    if (tag === 0x0a) {
      const len = varint(raw, st);
      st.pos += len;
      if (st.pos > end) fail();
      // Adjacent label fields (the normal case) make one range.
      if (ranges.length > 0 && ranges[ranges.length - 1] === start) ranges[ranges.length - 1] = st.pos;
      else ranges.push(start, st.pos);
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
      points.push({ ts, value });
    } else skip(raw, st, tag & 7);
  }
  if (st.pos !== end) fail();
  let key = '';
  for (let i = 0; i < ranges.length; i += 2) key += raw.toString('latin1', ranges[i], ranges[i + 1]);
  return { key, ranges, points };
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
  for (let r = 0; r < s.ranges.length; r += 2) {
    st.pos = s.ranges[r] as number;
    const end = s.ranges[r + 1] as number;
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
