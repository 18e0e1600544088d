/** A local HTTP receiver for notification webhooks, timing each arrival, for latency benchmarks. */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface Arrival {
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  body: unknown;
  /** performance.now() when the request's headers arrived. */
  at: number;
}

interface Waiter {
  path: string;
  match: (a: Arrival) => boolean;
  resolve: (a: Arrival) => void;
}

export interface WebhookReceiver {
  port: number;
  url(path: string): string;
  /** Resolves with the first arrival on `path` (from now on) that `match` accepts. */
  next(path: string, match: (a: Arrival) => boolean, timeoutMs: number): Promise<Arrival>;
  /** Serves GET `path` with what `body()` returns (a Prometheus exposition, say). */
  serve(path: string, body: () => string): void;
  /** How many requests arrived per path. */
  counts: Map<string, number>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<WebhookReceiver> {
  const waiters = new Set<Waiter>();
  const pages = new Map<string, () => string>();
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const at = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const page = req.method === 'GET' ? pages.get(path) : undefined;
    if (page) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(page());
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200).end();
      counts.set(path, (counts.get(path) ?? 0) + 1);
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      try {
        body = JSON.parse(raw);
      } catch {}
      const arrival: Arrival = { path, headers: req.headers, raw, body, at };
      for (const w of waiters) {
        if (w.path === path && w.match(arrival)) {
          waiters.delete(w);
          w.resolve(arrival);
        }
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    port,
    counts,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    next(path, match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          path,
          match,
          resolve: (a) => {
            clearTimeout(timer);
            resolve(a);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`nothing matching arrived on ${path} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    serve(path, body) {
      pages.set(path, body);
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
