import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startShopServer } from '../../sim/server.ts';
import { createSimulation } from '../../sim/simulation.ts';
import { createIngestSink, SinkError } from '../../sim/sink.ts';
import { decodeRemoteWrite } from '../../src/modules/signals/ingest/remote-write.codec.ts';

interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A real HTTP server on loopback that answers each request with the next status in `statuses`. */
async function receiver(
  statuses: number[],
): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const status = statuses.shift() ?? 204;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status >= 400 ? JSON.stringify({ message: `status ${status} from the test receiver` }) : '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    got,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const START = Date.UTC(2026, 0, 7, 2, 0);
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe('ingest sink against a real HTTP server', () => {
  it('posts remote_write (snappy protobuf) with the bearer token and the spec headers', async () => {
    const rx = await receiver([]);
    closers.push(rx.close);
    const step = createSimulation({ seed: 42, start: START }).step(START + 60_000);
    const sink = createIngestSink({ url: rx.url, token: 'tok-123', maxSamplesPerRequest: 1000 });
    await sink.write(step.series);
    await sink.flush();
    const total = step.series.reduce((a, s) => a + s.points.length, 0);
    expect(rx.got.length).toBe(Math.ceil(total / 1000));
    const first = rx.got[0]!;
    expect(first.url).toBe('/api/v1/write');
    expect(first.headers.authorization).toBe('Bearer tok-123');
    expect(first.headers['content-encoding']).toBe('snappy');
    expect(first.headers['x-prometheus-remote-write-version']).toBe('0.1.0');
    let decoded = 0;
    for (const r of rx.got) {
      const { series } = await decodeRemoteWrite(new Uint8Array(r.body), 64 * 1024 * 1024);
      decoded += series.reduce((a, s) => a + s.points.length, 0);
    }
    expect(decoded).toBe(total);
    expect(sink.stats.samplesSent).toBe(total);
  });

  it('posts the JSON batch format to /api/v1/ingest', async () => {
    const rx = await receiver([]);
    closers.push(rx.close);
    const step = createSimulation({ seed: 1, start: START }).step(START);
    const sink = createIngestSink({ url: `${rx.url}/`, token: 't', format: 'json' });
    await sink.write(step.series);
    await sink.flush();
    expect(rx.got[0]!.url).toBe('/api/v1/ingest');
    const body = JSON.parse(rx.got[0]!.body.toString()) as {
      series: { labels: Record<string, string>; points: [number, number][] }[];
    };
    expect(body.series.length).toBe(step.series.length);
    expect(body.series[0]!.points[0]![0]).toBe(START);
    expect(body.series[0]!.labels.__name__).toBe(step.series[0]!.labels.__name__);
  });

  it('retries 503 and 429 and then succeeds, sending the same batch again', async () => {
    const rx = await receiver([503, 429, 204]);
    closers.push(rx.close);
    const step = createSimulation({ seed: 1, start: START }).step(START);
    const retries: (number | null)[] = [];
    const sink = createIngestSink({ url: rx.url, minBackoffMs: 5, onRetry: (r) => retries.push(r.status) });
    await sink.write(step.series);
    await sink.flush();
    expect(retries).toEqual([503, 429]);
    expect(rx.got.length).toBe(3);
    expect(rx.got[2]!.body.equals(rx.got[0]!.body)).toBe(true);
  });

  it('stops on a 400 (a bug in what was sent) and refuses further writes with the reason', async () => {
    const rx = await receiver([400]);
    closers.push(rx.close);
    const sim = createSimulation({ seed: 1, start: START });
    const sink = createIngestSink({ url: rx.url, minBackoffMs: 5 });
    await sink.write(sim.step(START).series);
    const err = await sink.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkError);
    expect((err as SinkError).status).toBe(400);
    expect((err as SinkError).message).toMatch(
      /refused the batch with 400: .*status 400 from the test receiver/,
    );
    await expect(sink.write(sim.step(START + 15_000).series)).rejects.toBeInstanceOf(SinkError);
    expect(rx.got.length).toBe(1);
  });

  it('applies backpressure: a writer waits while the queue is full', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => void gate.then(() => res.writeHead(204).end()));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sim = createSimulation({ seed: 1, start: START });
    const sink = createIngestSink({ url, maxSamplesPerRequest: 500, maxQueuedSamples: 600 });
    await sink.write(sim.step(START).series);
    let second = false;
    const pending = sink.write(sim.step(START + 15_000).series).then(() => {
      second = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(second).toBe(false);
    release();
    await pending;
    await sink.flush();
    expect(second).toBe(true);
  });
});

describe('shop server', () => {
  it('serves the storefront endpoints and a parseable /metrics', async () => {
    const sim = createSimulation({ seed: 3, start: START });
    sim.step(START + 60_000);
    const shop = await startShopServer(sim);
    closers.push(shop.close);
    const home = await fetch(`${shop.url}/`);
    expect([200, 503]).toContain(home.status);
    expect(await home.text()).toMatch(/Steady Shop|system busy/);
    const checkout = await fetch(`${shop.url}/checkout`, { method: 'POST' });
    expect([200, 503]).toContain(checkout.status);
    expect((await fetch(`${shop.url}/checkout`)).status).toBe(405);
    const metrics = await (await fetch(`${shop.url}/metrics`)).text();
    expect(metrics).toContain('# TYPE http_requests_total counter');
    expect(metrics).toMatch(
      /^http_requests_total\{service="storefront",instance="web-01:8080",host="web-01",code="200"\} \d+$/m,
    );
    for (const line of metrics.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/);
    }
  });

  it('drops connections once the storefront certificate has expired', async () => {
    const sim = createSimulation({
      seed: 3,
      start: START,
      scenarios: [{ name: 'tls-cert-expiry', at: START + 60_000, params: { expiresInHours: 0.05 } }],
    });
    sim.step(START + 10 * 60_000);
    const shop = await startShopServer(sim);
    closers.push(shop.close);
    await expect(fetch(`${shop.url}/`)).rejects.toThrow();
  });
});
