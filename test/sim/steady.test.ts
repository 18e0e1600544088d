import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSimulation } from '../../sim/runner.ts';
import { createSimulation } from '../../sim/simulation.ts';
import { createIngestSink, SinkError, type SinkFormat } from '../../sim/sink.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';

const START = Date.UTC(2026, 0, 7, 2, 0);
const MIN = 60_000;

describeEachEngine('simulator feeding a real Steady', (engine) => {
  let t: TestApp;
  let url: string;
  let ingestToken: string;
  let readToken: string;

  beforeAll(async () => {
    t = await startTestApp(engine, { clock: new FakeClock(START + 30 * MIN) });
    url = await t.app.http.listen({ host: '127.0.0.1', port: 0 });
    ingestToken = await t.token('agent', ['ingest']);
    readToken = await t.token('viewer', ['read']);
  });
  afterAll(async () => {
    await t?.close();
  });

  const query = async (promql: string, at: number) => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}&time=${at / 1000}`, {
      headers: { authorization: `Bearer ${readToken}` },
    });
    expect(res.status).toBe(200);
    return (
      (await res.json()) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      }
    ).data.result;
  };

  for (const [format, offset] of [
    ['json', 0],
    ['remote-write', 10 * MIN],
  ] as [SinkFormat, number][]) {
    it(`stores ten simulated minutes sent through ${format}`, async () => {
      const sim = createSimulation({ seed: 42, start: START + offset, services: ['storefront', 'order'] });
      const sink = createIngestSink({ url, token: ingestToken, format });
      const report = await runSimulation({ sim, sink, speed: 0, until: START + offset + 10 * MIN });
      expect(report.samples).toBeGreaterThan(1000);
      expect(sink.stats.samplesSent).toBe(report.samples);
      const at = START + offset + 10 * MIN;
      const rate = await query('sum(rate(http_requests_total{service="storefront",code="200"}[5m]))', at);
      // Page views at 10:00 CST on a Wednesday are in the low hundreds per second.
      expect(Number(rate[0]!.value[1])).toBeGreaterThan(100);
      const orders = await query('sum(increase(shop_orders_total[5m]))', at);
      expect(Number(orders[0]!.value[1])).toBeGreaterThan(0);
    });
  }

  it('stops with the reason when the token is not accepted', async () => {
    const sim = createSimulation({ seed: 1, start: START });
    const sink = createIngestSink({ url, token: 'not-a-token', format: 'json' });
    const err = await runSimulation({ sim, sink, speed: 0, until: START + MIN }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkError);
    expect((err as SinkError).status).toBe(401);
  });
});
