import protobuf from 'protobufjs';
import { compress, uncompress } from 'snappy';
import { AppError, badRequest } from '../../../platform/errors.ts';
import type { SeriesSamples } from '../metric-store.ts';
import { readWireRequest, type WireRequest } from './remote-write.wire.ts';

/**
 * Prometheus remote_write 1.0 (https://prometheus.io/docs/specs/remote_write_spec/): a snappy block
 * compressed protobuf `prometheus.WriteRequest`. The schema is Prometheus's prompb/types.proto and
 * remote.proto, cut to what 1.0 senders fill in; exemplars and native histograms are declared so the
 * decoder skips them cleanly, and are not stored.
 */
const PROTO = `
syntax = "proto3";
package prometheus;
message WriteRequest {
  repeated TimeSeries timeseries = 1;
  reserved 2;
  repeated MetricMetadata metadata = 3;
}
message MetricMetadata {
  enum MetricType {
    UNKNOWN = 0; COUNTER = 1; GAUGE = 2; HISTOGRAM = 3; GAUGEHISTOGRAM = 4; SUMMARY = 5; INFO = 6; STATESET = 7;
  }
  MetricType type = 1;
  string metric_family_name = 2;
  string help = 4;
  string unit = 5;
}
message Sample {
  double value = 1;
  int64 timestamp = 2;
}
message Label {
  string name = 1;
  string value = 2;
}
message TimeSeries {
  repeated Label labels = 1;
  repeated Sample samples = 2;
}
`;

const root = protobuf.parse(PROTO, { keepCase: false }).root;
const WriteRequest = root.lookupType('prometheus.WriteRequest');

export const REMOTE_WRITE_CONTENT_TYPE = 'application/x-protobuf';
export const REMOTE_WRITE_VERSION = '0.1.0';

export interface MetricMetadata {
  type: number;
  metricFamilyName: string;
  help: string;
  unit: string;
}

interface DecodedRequest {
  timeseries?: {
    labels?: { name: string; value: string }[];
    samples?: { value: number; timestamp: unknown }[];
  }[];
  metadata?: MetricMetadata[];
}

/** int64 arrives as a long.js Long (protobufjs' choice when `long` is installed) or a number. */
const toNumber = (v: unknown): number =>
  typeof v === 'number' ? v : v ? (v as { toNumber(): number }).toNumber() : 0;

/** The uncompressed length snappy's block format starts with (a varint), to refuse a bomb before inflating. */
export function snappyDecodedLength(block: Uint8Array): number {
  let result = 0;
  for (let i = 0, shift = 1; i < 5 && i < block.length; i++, shift *= 128) {
    const byte = block[i] as number;
    result += (byte & 0x7f) * shift;
    if ((byte & 0x80) === 0) return result;
  }
  throw badRequest('Body is not valid snappy-compressed data: bad length header');
}

/** Inflates a remote_write body: bad snappy is a 400, an inflated size above the limit a 413. */
async function inflate(body: Uint8Array, maxDecodedBytes: number): Promise<Buffer> {
  if (body.length === 0) throw badRequest('Body is empty: expected a snappy-compressed WriteRequest');
  const size = snappyDecodedLength(body);
  if (size > maxDecodedBytes) {
    throw new AppError(
      413,
      'body_too_large',
      `Decompressed body would be ${size} bytes (the limit is ${maxDecodedBytes})`,
      { limit: maxDecodedBytes },
    );
  }
  try {
    return (await uncompress(body, { asBuffer: true })) as Buffer;
  } catch (err) {
    throw badRequest(`Body is not valid snappy-compressed data (block format): ${(err as Error).message}`);
  }
}

function decodeWithProtobufjs(raw: Buffer): DecodedRequest {
  try {
    return WriteRequest.decode(raw) as unknown as DecodedRequest;
  } catch (err) {
    throw badRequest(`Body is not a valid remote_write WriteRequest protobuf: ${(err as Error).message}`);
  }
}

/**
 * Decodes a remote_write body for the ingest hot path: points made directly, labels left as bytes (see
 * remote-write.wire.ts). Same errors as `decodeRemoteWrite`, except that a label given twice is found
 * when the labels are read (`wireLabels`).
 */
export async function decodeRemoteWriteWire(body: Uint8Array, maxDecodedBytes: number): Promise<WireRequest> {
  const raw = await inflate(body, maxDecodedBytes);
  try {
    return readWireRequest(raw);
  } catch {
    // Not what the fast reader expects: protobufjs says what is wrong, or reads it after all.
    const msg = decodeWithProtobufjs(raw);
    try {
      return readWireRequest(WriteRequest.encode(msg as protobuf.Message).finish());
    } catch (err) {
      throw badRequest(`Body is not a valid remote_write WriteRequest protobuf: ${(err as Error).message}`);
    }
  }
}

/**
 * Decodes a remote_write body into series. Bad snappy, bad protobuf and duplicate label names are 400s
 * naming the problem; an inflated size above `maxDecodedBytes` is a 413.
 */
export async function decodeRemoteWrite(
  body: Uint8Array,
  maxDecodedBytes: number,
): Promise<{ series: SeriesSamples[]; metadata: MetricMetadata[] }> {
  const raw = await inflate(body, maxDecodedBytes);
  const msg = decodeWithProtobufjs(raw);
  const series: SeriesSamples[] = [];
  for (const ts of msg.timeseries ?? []) {
    const labels: Record<string, string> = {};
    for (const l of ts.labels ?? []) {
      if (l.name in labels) {
        throw badRequest(`Series has the label "${l.name}" twice`, { labels: ts.labels });
      }
      labels[l.name] = l.value;
    }
    const samples = ts.samples ?? [];
    const points = new Array(samples.length);
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i] as { value: number; timestamp: unknown };
      points[i] = { ts: toNumber(s.timestamp), value: s.value };
    }
    series.push({ labels, points });
  }
  return { series, metadata: msg.metadata ?? [] };
}

/** Encodes series as a remote_write 1.0 body (labels sorted by name, as the spec requires). */
export async function encodeRemoteWrite(
  series: readonly SeriesSamples[],
  metadata: readonly MetricMetadata[] = [],
): Promise<Buffer> {
  const timeseries = series.map((s) => ({
    labels: Object.keys(s.labels)
      .sort()
      .map((name) => ({ name, value: s.labels[name] })),
    samples: s.points.map((p) => ({ value: p.value, timestamp: p.ts })),
  }));
  // Plain objects encode directly (numbers are fine for int64), skipping fromObject's copy.
  const bytes = WriteRequest.encode({ timeseries, metadata }).finish();
  return compress(bytes);
}

/** The headers a remote_write 1.0 sender adds. */
export const remoteWriteHeaders = {
  'content-type': REMOTE_WRITE_CONTENT_TYPE,
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': REMOTE_WRITE_VERSION,
} as const;
