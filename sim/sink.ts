/**
 * Sends simulated samples to Steady the way any producer would: Prometheus remote_write (with the
 * ingestion module's own encoder) or the JSON batch API, with a bearer token. Batches are bounded, one
 * request is in flight at a time (so every series' samples arrive in time order), writers wait when the
 * queue is full (backpressure), 5xx/429/network errors are retried with backoff, and any other 4xx is a
 * bug in what we sent: the sink stops and says why.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { encodeRemoteWrite, remoteWriteHeaders } from '../src/modules/signals/ingest/remote-write.codec.ts';
import type { SeriesSamples } from '../src/modules/signals/metric-store.ts';

export type SinkFormat = 'remote-write' | 'json';

export interface SinkOptions {
  /** Steady's base URL, e.g. http://127.0.0.1:8080 (the path is chosen by the format). */
  url: string;
  token?: string;
  format?: SinkFormat;
  /** Most samples in one request. */
  maxSamplesPerRequest?: number;
  /** Writers wait while more than this many samples are queued. */
  maxQueuedSamples?: number;
  /** Attempts per request before giving up on a retryable failure. */
  maxAttempts?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Told about every retry (for logging). */
  onRetry?: (info: { attempt: number; status: number | null; reason: string; waitMs: number }) => void;
}

export class SinkError extends Error {
  readonly status: number | null;
  readonly body: string;
  constructor(message: string, status: number | null, body: string) {
    super(message);
    this.name = 'SinkError';
    this.status = status;
    this.body = body;
  }
}

export interface SinkStats {
  requests: number;
  retries: number;
  samplesSent: number;
  queuedSamples: number;
}

export interface IngestSink {
  /** Queues the samples; resolves once they are queued (waits while the queue is full). */
  write(series: readonly SeriesSamples[]): Promise<void>;
  /** Resolves when everything queued so far has been accepted; rejects with the sink's fatal error. */
  flush(): Promise<void>;
  readonly stats: SinkStats;
}

const encodeValue = (v: number): number | string =>
  Number.isNaN(v)
    ? 'NaN'
    : v === Number.POSITIVE_INFINITY
      ? '+Inf'
      : v === Number.NEGATIVE_INFINITY
        ? '-Inf'
        : v;

export function jsonIngestBody(series: readonly SeriesSamples[]): string {
  return JSON.stringify({
    series: series.map((s) => ({
      labels: s.labels,
      points: s.points.map((p) => [p.ts, encodeValue(p.value)]),
    })),
  });
}

/** Cuts a step's series into requests of at most `max` samples (a long series may be split). */
export function chunkSeries(series: readonly SeriesSamples[], max: number): SeriesSamples[][] {
  const out: SeriesSamples[][] = [];
  let current: SeriesSamples[] = [];
  let size = 0;
  for (const s of series) {
    for (let i = 0; i < s.points.length; ) {
      const take = Math.min(s.points.length - i, max - size);
      current.push(
        i === 0 && take === s.points.length ? s : { labels: s.labels, points: s.points.slice(i, i + take) },
      );
      size += take;
      i += take;
      if (size >= max) {
        out.push(current);
        current = [];
        size = 0;
      }
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const when = Date.parse(header);
  return Number.isNaN(when) ? undefined : Math.max(0, when - Date.now());
}

export function createIngestSink(options: SinkOptions): IngestSink {
  const format = options.format ?? 'remote-write';
  const base = options.url.replace(/\/+$/, '');
  const endpoint = `${base}${format === 'json' ? '/api/v1/ingest' : '/api/v1/write'}`;
  const maxSamples = options.maxSamplesPerRequest ?? 20_000;
  const maxQueued = options.maxQueuedSamples ?? 200_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const minBackoff = options.minBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  const stats: SinkStats = { requests: 0, retries: 0, samplesSent: 0, queuedSamples: 0 };
  const queue: { batch: SeriesSamples[]; samples: number }[] = [];
  let fatal: SinkError | undefined;
  let running: Promise<void> | undefined;
  let drained: (() => void)[] = [];

  async function post(batch: SeriesSamples[]): Promise<void> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: Uint8Array | string;
    if (format === 'json') {
      headers['content-type'] = 'application/json';
      body = jsonIngestBody(batch);
    } else {
      Object.assign(headers, remoteWriteHeaders);
      body = new Uint8Array(await encodeRemoteWrite(batch));
    }
    for (let attempt = 1; ; attempt++) {
      stats.requests++;
      let status: number | null = null;
      let reason: string;
      let wait: number | undefined;
      try {
        const res = await fetch(endpoint, { method: 'POST', headers, body });
        status = res.status;
        const text = await res.text();
        if (res.ok) return;
        if (status !== 429 && status < 500) {
          throw new SinkError(
            `${endpoint} refused the batch with ${status}: ${text.slice(0, 500)} (not retried: a 4xx means ` +
              'the request is wrong, e.g. a bad token or a malformed sample)',
            status,
            text,
          );
        }
        reason = `${status} ${text.slice(0, 200)}`;
        wait = retryAfterMs(res.headers.get('retry-after'));
      } catch (err) {
        if (err instanceof SinkError) throw err;
        reason = (err as Error).cause ? String((err as Error & { cause: unknown }).cause) : String(err);
      }
      if (attempt >= maxAttempts) {
        throw new SinkError(
          `${endpoint}: gave up after ${attempt} attempts, last: ${reason}`,
          status,
          reason,
        );
      }
      const backoff = Math.min(maxBackoff, minBackoff * 2 ** (attempt - 1));
      const waitMs = Math.min(maxBackoff, wait ?? backoff * (0.5 + Math.random() / 2));
      stats.retries++;
      options.onRetry?.({ attempt, status, reason, waitMs });
      await sleep(waitMs);
    }
  }

  async function run(): Promise<void> {
    while (queue.length > 0 && !fatal) {
      const item = queue[0]!;
      try {
        await post(item.batch);
        stats.samplesSent += item.samples;
      } catch (err) {
        fatal = err instanceof SinkError ? err : new SinkError(String(err), null, '');
      }
      queue.shift();
      stats.queuedSamples -= item.samples;
      const waiting = drained;
      drained = [];
      for (const wake of waiting) wake();
    }
    if (fatal) {
      stats.queuedSamples -= queue.reduce((a, q) => a + q.samples, 0);
      queue.length = 0;
    }
    running = undefined;
  }

  const ensureRunning = () => {
    running ??= run();
  };
  const nextDrain = () => new Promise<void>((resolve) => drained.push(resolve));

  return {
    stats,
    async write(series) {
      if (fatal) throw fatal;
      for (const batch of chunkSeries(series, maxSamples)) {
        const samples = batch.reduce((a, s) => a + s.points.length, 0);
        while (stats.queuedSamples + samples > maxQueued && queue.length > 0) {
          ensureRunning();
          await nextDrain();
          if (fatal) throw fatal;
        }
        queue.push({ batch, samples });
        stats.queuedSamples += samples;
      }
      ensureRunning();
    },
    async flush() {
      while (running) await running;
      if (fatal) throw fatal;
    },
  };
}
