/**
 * The simulated shop on a local port, so Steady's probes and scrapes meet it like a real one: the customer
 * endpoints answer with the latency and error rate the simulation has at that moment, and /metrics serves
 * the latest values in the Prometheus text format.
 */

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sequence } from './random.ts';
import type { Simulation } from './simulation.ts';

/** Path → the service whose current latency and errors the endpoint follows. */
export const SHOP_ENDPOINTS: Readonly<Record<string, { method: string; service: string }>> = {
  '/': { method: 'GET', service: 'storefront' },
  '/search': { method: 'GET', service: 'search' },
  '/cart': { method: 'GET', service: 'cart' },
  '/checkout': { method: 'POST', service: 'order' },
  '/payment/callback': { method: 'POST', service: 'payment' },
};

const MAX_DELAY_MS = 10_000;

export interface ShopServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function inverseNormal(p: number): number {
  // Acklam's rational approximation is overkill here; the logit scaled to the normal matches within 3%.
  return Math.log(p / (1 - p)) / 1.702;
}

export async function startShopServer(
  sim: Simulation,
  opts: { host?: string; port?: number } = {},
): Promise<ShopServer> {
  const rnd = sequence(sim.seed ^ 0x5eed);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://shop.local');
    if (url.pathname === '/metrics' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(sim.exposition());
      return;
    }
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    const endpoint = SHOP_ENDPOINTS[url.pathname];
    if (!endpoint) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found' }));
      return;
    }
    if (req.method !== endpoint.method && !(req.method === 'HEAD' && endpoint.method === 'GET')) {
      res.writeHead(405, { allow: endpoint.method, 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `use ${endpoint.method}` }));
      return;
    }
    req.resume();
    const world = sim.current();
    const state = world?.services.get(endpoint.service);
    const storefront = world?.services.get('storefront');
    // With an expired certificate customers' browsers never get this far: drop the connection.
    if (world && world.pageViews < world.demandPageViews * 0.5) {
      req.socket.destroy();
      return;
    }
    let delayMs = 5;
    let failed = false;
    if (state && storefront) {
      const mu = Math.log(state.p50);
      const sigma = Math.max(1e-3, (Math.log(state.p99) - mu) / 2.326);
      const u = Math.min(0.9999, Math.max(0.0001, rnd()));
      delayMs = Math.min(MAX_DELAY_MS, Math.exp(mu + sigma * inverseNormal(u)) * 1000);
      const errorRatio =
        endpoint.service === 'storefront'
          ? state.errorRatio
          : Math.max(state.errorRatio, storefront.errorRatio);
      failed = rnd() < errorRatio;
    }
    const timer = setTimeout(() => {
      if (failed) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ status: 'error', service: endpoint.service, message: 'system busy, try again' }),
        );
        return;
      }
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          '<!doctype html><html><head><title>Steady Shop 商城</title></head><body><h1>Steady Shop</h1></body></html>\n',
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', service: endpoint.service, simTime: world?.t ?? null }));
    }, delayMs);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
