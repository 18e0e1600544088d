import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import {
  flushVictoriaMetrics,
  type Peer,
  PROMETHEUS,
  requireBinary,
  startPrometheus,
  startVictoriaMetrics,
  VICTORIA_METRICS,
} from '../helpers/tsdb.ts';

const MIN = 60_000;
// Recent, minute-aligned times (see remote-store.test.ts).
const T = Math.floor(Date.now() / MIN) * MIN - 10 * MIN;

/** Steady itself on a remote TSDB: what its ingestion API takes in, its query API gives back. */
const PEERS: { name: string; binary: string; start(): Promise<Peer>; settle(url: string): Promise<void> }[] =
  [
    {
      name: 'Prometheus',
      binary: PROMETHEUS,
      start: () => startPrometheus({ args: ['--web.enable-remote-write-receiver'] }),
      settle: async () => {},
    },
    {
      name: 'VictoriaMetrics',
      binary: VICTORIA_METRICS,
      start: () => startVictoriaMetrics(),
      settle: flushVictoriaMetrics,
    },
  ];

for (const peer of PEERS) {
  const available = requireBinary(peer.binary, 'the remote metric store tests');
  (available ? describe : describe.skip)(`Steady end to end on ${peer.name}`, () => {
    let tsdb: Peer;
    let t: TestApp;
    beforeAll(async () => {
      tsdb = await peer.start();
      t = await startTestApp('sqlite', {
        config: {
          metricsRemoteWriteUrl: `${tsdb.url}/api/v1/write`,
          metricsRemoteQueryUrl: tsdb.url,
        },
      });
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      await tsdb?.stop();
    });

    it('POST /api/v1/ingest stores in the TSDB; /api/v1/query_range reads it back', async () => {
      expect(t.app.embeddedMetrics).toBe(false);
      const token = await t.token('agent', ['ingest']);
      const points = Array.from({ length: 9 }, (_, i) => [T + i * 15_000, i * 30]);
      const res = await t.app.http.inject({
        method: 'POST',
        url: '/api/v1/ingest',
        headers: { authorization: `Bearer ${token}` },
        payload: { series: [{ labels: { __name__: 'e2e_orders_total', service: 'checkout' }, points }] },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().samples).toBe(9);
      // The TSDB holds them: asked directly, not through Steady.
      await peer.settle(tsdb.url);
      const direct = await fetch(`${tsdb.url}/api/v1/series?match[]=e2e_orders_total`);
      expect(((await direct.json()) as { data: unknown }).data).toEqual([
        { __name__: 'e2e_orders_total', service: 'checkout' },
      ]);

      const viewer = await t.as('viewer');
      const q = new URLSearchParams({
        query: 'sum(rate(e2e_orders_total{service="checkout"}[1m]))',
        start: String((T + MIN) / 1000),
        end: String((T + 2 * MIN) / 1000),
        step: '30',
      });
      const range = await viewer.request({ method: 'GET', url: `/api/v1/query_range?${q}` });
      expect(range.statusCode, range.body).toBe(200);
      const body = range.json();
      expect(body.status).toBe('success');
      expect(body.data.result).toHaveLength(1);
      expect(body.data.result[0].values).toHaveLength(3);
      for (const [, v] of body.data.result[0].values) expect(Number(v)).toBeCloseTo(2, 6);

      const instant = await viewer.request({
        method: 'GET',
        url: `/api/v1/query?query=e2e_orders_total&time=${(T + MIN) / 1000}`,
      });
      expect(instant.json().data.result).toEqual([
        { metric: { __name__: 'e2e_orders_total', service: 'checkout' }, value: [(T + MIN) / 1000, '120'] },
      ]);
      const values = await viewer.request({ method: 'GET', url: '/api/v1/label/service/values' });
      expect(values.json().data).toEqual(['checkout']);
    });

    it('a refused query is a Prometheus-shaped 4xx; the TSDB being gone is a 503', async () => {
      const viewer = await t.as('viewer');
      const bad = await viewer.request({ method: 'GET', url: '/api/v1/query?query=rate(x%5B' });
      expect([400, 422]).toContain(bad.statusCode);
      expect(bad.json()).toMatchObject({ status: 'error' });
      await tsdb.stop();
      const token = await t.token('agent', ['ingest']);
      const res = await t.app.http.inject({
        method: 'POST',
        url: '/api/v1/ingest',
        headers: { authorization: `Bearer ${token}` },
        payload: { series: [{ labels: { __name__: 'e2e_lost' }, points: [[T, 1]] }] },
      });
      expect(res.statusCode, res.body).toBe(503);
    });
  });
}
