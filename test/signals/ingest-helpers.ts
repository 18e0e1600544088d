import { createServer, type Server } from 'node:http';
import type { LabelMatcher, Labels, MetricStore, ResultSeries } from '../../src/modules/signals/index.ts';
import { createEmbeddedMetricStore } from '../../src/modules/signals/index.ts';
import type { Database } from '../../src/platform/db/database.ts';
import type { TestApp } from '../helpers/app.ts';

/** A second store on the test database, for reading back what the app stored (appends are durable). */
export function storeReader(t: TestApp): { store: MetricStore; database: Database } {
  const database = t.testDb.open();
  return {
    store: createEmbeddedMetricStore({ db: database.db, clock: t.clock, config: t.config }),
    database,
  };
}

export const eq = (name: string, value: string): LabelMatcher => ({ name, op: '=', value });

export async function seriesOf(store: MetricStore, ...matchers: LabelMatcher[]): Promise<ResultSeries[]> {
  return store.select(matchers, { start: 0, end: 8_640_000_000_000_000 });
}

export const sortedLabels = (s: { labels: Labels }[]) =>
  s.map((x) => x.labels).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** A local HTTP server answering every request with `handler`; returns its base URL. */
export async function fixtureServer(
  handler: (url: string) => { status: number; body: string; type?: string },
): Promise<{ url: string; server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const r = handler(req.url ?? '/');
    res.writeHead(r.status, { 'content-type': r.type ?? 'text/plain; version=0.0.4' });
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server, hits: () => hits };
}
