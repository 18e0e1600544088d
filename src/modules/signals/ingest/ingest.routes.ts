import type { FastifyReply, FastifyRequest } from 'fastify';
import { access } from '../../../platform/auth/roles.ts';
import { AppError, badRequest } from '../../../platform/errors.ts';
import type { Api } from '../../../platform/http/api.ts';
import { errorReply, noContent } from '../../../platform/http/api.ts';
import type { AppendResult, SampleSink } from '../metric-store.ts';
import { ingestReply, jsonIngestBody, parseSampleValue } from './ingest.schemas.ts';
import { decodeOtlpRequest, encodeOtlpResponse, gunzipBody, type OtlpEncoding } from './otlp.codec.ts';
import { convertOtlp } from './otlp.convert.ts';
import { decodeRemoteWrite, decodeRemoteWriteWire } from './remote-write.codec.ts';
import type { WireRequest } from './remote-write.wire.ts';

export interface IngestRoutesOptions {
  /** With `ingestWire` (the ingest service), remote_write bodies skip building label objects. */
  sink: SampleSink & { ingestWire?: (req: WireRequest) => Promise<AppendResult> };
  /** Largest body as sent (compressed); decompressed bodies may be DECODED_FACTOR times this. */
  bodyLimitBytes: number;
}

/** How much larger than the body limit a decompressed body may be (snappy and gzip shrink text ~5-10×). */
export const DECODED_FACTOR = 8;

const tags = ['ingest'];
const PROTOBUF = 'application/x-protobuf';
const rawBody = (req: FastifyRequest): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

const unsupported = (message: string) => new AppError(415, 'unsupported_media_type', message);

/**
 * Ingestion over HTTP: Prometheus remote_write 1.0, OTLP/HTTP metrics and a plain JSON batch API. All
 * take `ingest`-scoped API tokens (Bearer, or Basic with the token as password). A 2xx means every
 * sample is durably stored; any 4xx means nothing from the request was.
 */
export async function registerMetricIngestRoutes(app: Api, opts: IngestRoutesOptions): Promise<void> {
  const { sink, bodyLimitBytes } = opts;
  const maxDecoded = bodyLimitBytes * DECODED_FACTOR;
  const config = { access: access.ingest() };

  // The binary endpoints read their bodies raw, in their own scope so the rest of the API keeps its JSON parser.
  await app.register(async (scope: Api) => {
    scope.addContentTypeParser(
      PROTOBUF,
      { parseAs: 'buffer', bodyLimit: bodyLimitBytes },
      (_req, body, done) => done(null, body),
    );
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: bodyLimitBytes },
      (_req, body, done) => done(null, body),
    );

    scope.post(
      '/api/v1/write',
      {
        config,
        bodyLimit: bodyLimitBytes,
        schema: {
          tags,
          summary: 'Prometheus remote_write 1.0',
          description:
            'Body: a snappy-compressed (block format) protobuf prometheus.WriteRequest, Content-Type application/x-protobuf, Content-Encoding snappy, X-Prometheus-Remote-Write-Version 0.1.0. 204 when stored; 400 for bad snappy, protobuf or labels (not retried by Prometheus); 413 over the ingest body limit; 422 over the series-cardinality limit.',
          response: { 204: noContent, '4xx': errorReply },
        },
      },
      async (req, reply) => {
        const type = String(req.headers['content-type'] ?? '');
        if (/proto=io\.prometheus\.write\.v2/i.test(type)) {
          throw unsupported(
            'Remote write 2.0 is not supported; send remote_write 1.0 (prometheus.WriteRequest)',
          );
        }
        const encoding = String(req.headers['content-encoding'] ?? 'snappy').toLowerCase();
        if (encoding !== 'snappy') {
          throw unsupported(
            `Content-Encoding "${encoding}" is not supported: remote_write bodies are snappy`,
          );
        }
        const version = req.headers['x-prometheus-remote-write-version'];
        if (typeof version === 'string' && !version.startsWith('0.1.')) {
          throw badRequest(`X-Prometheus-Remote-Write-Version ${version} is not supported (expected 0.1.0)`);
        }
        if (sink.ingestWire) await sink.ingestWire(await decodeRemoteWriteWire(rawBody(req), maxDecoded));
        else await sink.ingest((await decodeRemoteWrite(rawBody(req), maxDecoded)).series);
        return reply.status(204).send(null);
      },
    );

    const otlp = async (req: FastifyRequest, reply: FastifyReply) => {
      const type = String(req.headers['content-type'] ?? '').toLowerCase();
      const encoding: OtlpEncoding = type.startsWith(PROTOBUF) ? 'protobuf' : 'json';
      const contentEncoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
      let body = rawBody(req);
      if (contentEncoding === 'gzip') body = await gunzipBody(body, maxDecoded);
      else if (contentEncoding !== 'identity') {
        throw unsupported(`Content-Encoding "${contentEncoding}" is not supported (use gzip or none)`);
      }
      const conversion = convertOtlp(decodeOtlpRequest(body, encoding));
      if (conversion.acceptedPoints === 0 && conversion.rejectedPoints > 0) {
        throw badRequest(
          `All ${conversion.rejectedPoints} data points were rejected: ${conversion.rejections.join('; ')}`,
          {
            rejectedDataPoints: conversion.rejectedPoints,
          },
        );
      }
      await sink.ingest(conversion.series);
      const partial =
        conversion.rejectedPoints > 0
          ? { rejectedDataPoints: conversion.rejectedPoints, errorMessage: conversion.rejections.join('; ') }
          : undefined;
      return reply
        .status(200)
        .type(encoding === 'protobuf' ? PROTOBUF : 'application/json')
        .send(encodeOtlpResponse(partial, encoding));
    };
    // Only under /api: routes outside it are public by the access rules, and this one needs a token.
    const otlpSchema = {
      tags,
      summary: 'OTLP/HTTP metrics',
      description:
        'Body: an OTLP ExportMetricsServiceRequest as protobuf (application/x-protobuf) or OTLP/JSON (application/json), optionally Content-Encoding gzip. Point your exporter at <base>/api/v1/otlp (the SDK appends /v1/metrics). Cumulative temporality only; exponential histograms are refused. Replies ExportMetricsServiceResponse (partial_success lists rejected points).',
    };
    scope.post('/api/v1/otlp/v1/metrics', { config, bodyLimit: bodyLimitBytes, schema: otlpSchema }, otlp);
  });

  app.post(
    '/api/v1/ingest',
    {
      config,
      bodyLimit: bodyLimitBytes,
      schema: {
        tags,
        summary: 'Plain JSON batch of samples',
        body: jsonIngestBody,
        response: { 200: ingestReply },
      },
    },
    async (req) =>
      sink.ingest(
        req.body.series.map((s) => ({
          labels: s.labels,
          points: s.points.map(([ts, value]) => ({ ts, value: parseSampleValue(value) })),
        })),
      ),
  );
}
