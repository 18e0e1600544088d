import { gunzip } from 'node:zlib';
import protobuf from 'protobufjs';
import { AppError, badRequest } from '../../../platform/errors.ts';

/**
 * The part of opentelemetry-proto (v1.x: common, resource, metrics and the metrics collector service)
 * that OTLP/HTTP metrics needs. Field numbers are the upstream ones; exemplars are left out, so the
 * protobuf decoder skips them and the JSON reader ignores them (OTLP/JSON says unknown fields are ignored).
 */
const PROTO = `
syntax = "proto3";
package otlp;
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4;
}
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }

message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }

message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message Metric {
  string name = 1; string description = 2; string unit = 3;
  oneof data {
    Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9;
    ExponentialHistogram exponential_histogram = 10; Summary summary = 11;
  }
  repeated KeyValue metadata = 12;
}
enum AggregationTemporality {
  AGGREGATION_TEMPORALITY_UNSPECIFIED = 0; AGGREGATION_TEMPORALITY_DELTA = 1; AGGREGATION_TEMPORALITY_CUMULATIVE = 2;
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; }
message ExponentialHistogram {
  repeated ExponentialHistogramDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2;
}
message Summary { repeated SummaryDataPoint data_points = 1; }
message NumberDataPoint {
  repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; }
  uint32 flags = 8;
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; optional double sum = 5; repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7;
  uint32 flags = 10; optional double min = 11; optional double max = 12;
}
message ExponentialHistogramDataPoint {
  repeated KeyValue attributes = 1; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; optional double sum = 5; sint32 scale = 6; fixed64 zero_count = 7;
  uint32 flags = 10;
}
message SummaryDataPoint {
  repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; double sum = 5; repeated ValueAtQuantile quantile_values = 6; uint32 flags = 8;
  message ValueAtQuantile { double quantile = 1; double value = 2; }
}
`;

const root = protobuf.parse(PROTO, { keepCase: false }).root;
const Request = root.lookupType('otlp.ExportMetricsServiceRequest');
const Response = root.lookupType('otlp.ExportMetricsServiceResponse');

/** A 64-bit integer as protobufjs gives it: long.js Long, a number, or (from JSON) a string. */
export type Int64 = number | string | { toString(): string; toNumber(): number } | null | undefined;

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue | null;
}
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: Uint8Array;
}
interface PointBase {
  attributes?: OtlpKeyValue[];
  timeUnixNano?: Int64;
  flags?: number;
}
export interface NumberPoint extends PointBase {
  asDouble?: number;
  asInt?: Int64;
}
export interface HistogramPoint extends PointBase {
  count?: Int64;
  sum?: number;
  bucketCounts?: Int64[];
  explicitBounds?: number[];
}
export interface SummaryPoint extends PointBase {
  count?: Int64;
  sum?: number;
  quantileValues?: { quantile?: number; value?: number }[];
}
export interface OtlpMetric {
  name: string;
  unit?: string;
  gauge?: { dataPoints?: NumberPoint[] };
  sum?: { dataPoints?: NumberPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: { dataPoints?: HistogramPoint[]; aggregationTemporality?: number };
  exponentialHistogram?: { dataPoints?: PointBase[]; aggregationTemporality?: number };
  summary?: { dataPoints?: SummaryPoint[] };
}
export interface OtlpRequest {
  resourceMetrics?: {
    resource?: { attributes?: OtlpKeyValue[] } | null;
    scopeMetrics?: { scope?: { name?: string; version?: string } | null; metrics?: OtlpMetric[] }[];
  }[];
}

export type OtlpEncoding = 'json' | 'protobuf';

/** Inflates a gzip body (Content-Encoding: gzip), refusing one that inflates past `maxBytes` with 413. */
export async function gunzipBody(body: Buffer, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    gunzip(body, { maxOutputLength: maxBytes }, (err, out) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return reject(
          new AppError(413, 'body_too_large', `Decompressed body exceeds ${maxBytes} bytes`, {
            limit: maxBytes,
          }),
        );
      }
      reject(badRequest(`Body is not valid gzip data: ${err.message}`));
    }),
  );
}

/** Decodes an ExportMetricsServiceRequest from protobuf or from OTLP/JSON (lowerCamelCase, int64 as strings). */
export function decodeOtlpRequest(body: Buffer, encoding: OtlpEncoding): OtlpRequest {
  if (encoding === 'protobuf') {
    try {
      return Request.decode(body) as unknown as OtlpRequest;
    } catch (err) {
      throw badRequest(
        `Body is not a valid OTLP ExportMetricsServiceRequest protobuf: ${(err as Error).message}`,
      );
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`Body is not valid JSON: ${(err as Error).message}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw badRequest('Body must be a JSON object (an OTLP ExportMetricsServiceRequest)');
  }
  try {
    // fromObject checks shapes (arrays, objects), turns int64 strings into Longs and enum names into numbers.
    return Request.fromObject(json) as unknown as OtlpRequest;
  } catch (err) {
    throw badRequest(`Body is not a valid OTLP ExportMetricsServiceRequest: ${(err as Error).message}`);
  }
}

export interface PartialSuccess {
  rejectedDataPoints: number;
  errorMessage: string;
}

/** The reply body in the request's encoding; partial_success only when some points were rejected. */
export function encodeOtlpResponse(
  partial: PartialSuccess | undefined,
  encoding: OtlpEncoding,
): Buffer | string {
  const message = partial
    ? {
        partialSuccess: {
          rejectedDataPoints: partial.rejectedDataPoints,
          errorMessage: partial.errorMessage,
        },
      }
    : {};
  if (encoding === 'protobuf') return Buffer.from(Response.encode(message).finish());
  return JSON.stringify(
    partial
      ? {
          partialSuccess: {
            rejectedDataPoints: String(partial.rejectedDataPoints),
            errorMessage: partial.errorMessage,
          },
        }
      : {},
  );
}

/** For tests and senders: an OTLP request object (as decodeOtlpRequest returns) as protobuf bytes. */
export function encodeOtlpRequest(request: unknown): Buffer {
  return Buffer.from(Request.encode(Request.fromObject(request as Record<string, unknown>)).finish());
}

/** For tests: a protobuf reply decoded to a plain object (longs as numbers). */
export function decodeOtlpResponse(body: Uint8Array): { partialSuccess?: PartialSuccess } {
  return Response.toObject(Response.decode(body), { longs: Number }) as { partialSuccess?: PartialSuccess };
}
