import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/app.ts';

/**
 * Monitoring in the console, in Debian's Chromium: an HTTP probe created in the console against a local
 * server goes up, and down with its reason once the server is stopped; the health overview and the
 * metric explorer chart samples ingested through the JSON API. Screenshots in both languages.
 */
const CHROMIUM = '/usr/bin/chromium';
const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results/screenshots', import.meta.url));
const STEP = 90_000;
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`Browser tests cannot run: ${CHROMIUM} is missing`);

/** Counters and a latency histogram per service, every 30 s over the last 90 minutes. */
function shopSamples(now: number) {
  const series: { labels: Record<string, string>; points: [number, number][] }[] = [];
  const shops = [
    { service: 'checkout', rps: 40, errors: 0.02, slow: 0.8 },
    { service: 'search', rps: 120, errors: 0.001, slow: 0.2 },
  ];
  const start = now - 90 * 60_000;
  for (const s of shops) {
    const ok: [number, number][] = [];
    const bad: [number, number][] = [];
    const buckets = new Map<string, [number, number][]>(['0.1', '0.5', '1', '+Inf'].map((le) => [le, []]));
    let okTotal = 0;
    let badTotal = 0;
    const b = { '0.1': 0, '0.5': 0, '1': 0, '+Inf': 0 } as Record<string, number>;
    for (let ts = start, i = 0; ts <= now; ts += 30_000, i++) {
      const wave = 1 + 0.3 * Math.sin(i / 12);
      const n = s.rps * 30 * wave;
      const e = n * s.errors * (i > 120 && i < 140 ? 6 : 1);
      okTotal += n - e;
      badTotal += e;
      b['0.1'] = (b['0.1'] ?? 0) + n * (1 - s.slow) * 0.6;
      b['0.5'] = (b['0.5'] ?? 0) + n * (1 - s.slow * 0.5) * 0.97;
      b['1'] = (b['1'] ?? 0) + n * 0.995;
      b['+Inf'] = (b['+Inf'] ?? 0) + n;
      ok.push([ts, Math.round(okTotal)]);
      bad.push([ts, Math.round(badTotal)]);
      for (const [le, pts] of buckets) pts.push([ts, Math.round(b[le] ?? 0)]);
    }
    series.push({ labels: { __name__: 'http_requests_total', service: s.service, code: '200' }, points: ok });
    series.push({
      labels: { __name__: 'http_requests_total', service: s.service, code: '503' },
      points: bad,
    });
    for (const [le, pts] of buckets)
      series.push({
        labels: { __name__: 'http_request_duration_seconds_bucket', service: s.service, le },
        points: pts,
      });
  }
  return { series };
}

describe.skipIf(!haveChromium)('monitoring console: probes, health, explorer (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let target: Server;
  let targetUrl: string;
  let probeId: string;

  const shot = (name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
  const api = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await t.admin.request({ method, url, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, 'index.html')))
      throw new Error('The console is not built: npm run build:web');
    mkdirSync(SHOTS, { recursive: true });
    t = await startTestApp('sqlite', { webDist: WEB_DIST });
    t.app.worker.start();
    baseUrl = await t.app.http.listen({ port: 0, host: '127.0.0.1' });

    target = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('shop home: OK');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;

    const team = await api('POST', '/api/v1/teams', { name: 'Shop SRE' });
    for (const [name, tier] of [
      ['checkout', 1],
      ['search', 2],
      ['order-reconcile', 3],
    ] as const)
      await api('POST', '/api/v1/services', { name, ownerTeamId: team.id, tier });
    const services = (await api('GET', '/api/v1/services')).items as { id: string; name: string }[];
    const byName = new Map(services.map((s) => [s.name, s.id]));

    const token = await t.token('admin', ['ingest']);
    const ingest = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/ingest',
      headers: { authorization: `Bearer ${token}` },
      payload: shopSamples(Date.now()),
    });
    expect(ingest.statusCode, ingest.body).toBe(200);

    // Neighbours for the list: a TCP probe against a closed port and a heartbeat that has not been called.
    const tcp = await api('POST', '/api/v1/probes', {
      name: 'search-db port',
      kind: 'tcp',
      serviceId: byName.get('search'),
      retries: 0,
      timeoutMs: 1000,
      tcp: { host: '127.0.0.1', port: 1 },
    });
    await api('POST', `/api/v1/probes/${tcp.id}/run`);
    await api('POST', '/api/v1/probes', {
      name: 'nightly order reconciliation',
      kind: 'heartbeat',
      serviceId: byName.get('order-reconcile'),
      heartbeat: { periodSeconds: 86_400, graceSeconds: 1800 },
    });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  }, STEP);

  afterAll(async () => {
    await browser?.close();
    target?.closeAllConnections();
    target?.close();
    await t?.close();
  });

  it(
    'creates an HTTP probe in the console, sees it go up, then down with the reason when the server stops',
    async () => {
      await page.goto(`${baseUrl}/monitoring/probes`);
      await page.getByTestId('probe-new').click();
      await page.getByTestId('probe-name').fill('shop home page');
      await page.getByTestId('probe-url').fill(targetUrl);
      await page.getByTestId('probe-service').click();
      await page.locator('.ant-select-item-option[title="checkout"]').click();
      await page.getByTestId('probe-interval').fill('10');
      await page.getByTestId('probe-timeout').fill('3000');
      await page.getByTestId('probe-retries').fill('0');
      await page.locator('#probe-save').click();
      await page.getByTestId('probes-table').getByText('shop home page').click();
      await page.waitForURL(/\/monitoring\/probes\/[0-9a-f-]+$/);
      probeId = page.url().split('/').at(-1) as string;

      await page.getByTestId('probe-title').getByText('shop home page').waitFor();
      // Scheduled every 10 s; "run now" makes the first result immediate.
      await page.getByTestId('probe-run').click();
      await page.getByTestId('probe-header-state').locator('[data-state="up"]').waitFor();
      await expect.poll(async () => (await api('GET', `/api/v1/probes/${probeId}`)).state).toBe('up');
      await page.getByTestId('probe-duration-chart').waitFor();

      await new Promise<void>((resolve) => {
        target.closeAllConnections();
        target.close(() => resolve());
      });
      await page.getByTestId('probe-run').click();
      await page.getByTestId('probe-header-state').locator('[data-state="down"]').waitFor();
      const reason = page.getByTestId('probe-reason');
      await expect.poll(() => reason.textContent()).toMatch(/ECONNREFUSED|refused/i);
      await page
        .getByTestId('probe-failures')
        .getByText(/ECONNREFUSED|refused/i)
        .first()
        .waitFor();
      await page.getByTestId('event-down').first().waitFor();
      const detail = await api('GET', `/api/v1/probes/${probeId}`);
      expect(detail.state).toBe('down');
      await page.waitForTimeout(500);
      await shot('probe-detail');

      await page.goto(`${baseUrl}/monitoring/probes`);
      await page.getByTestId('probes-table').getByText('nightly order reconciliation').waitFor();
      await page.getByTestId('probes-table').locator('[data-state="down"]').first().waitFor();
      await shot('probes');
    },
    STEP,
  );

  it(
    'shows service health with sparklines, and charts a query in the explorer',
    async () => {
      await page.goto(`${baseUrl}/monitoring`);
      const table = page.getByTestId('health-table');
      await table.getByTestId('spark-requestRate-checkout').locator('canvas').waitFor();
      await table.getByTestId('spark-p99-search').locator('canvas').waitFor();
      await table.getByTestId('spark-errorRatio-checkout').locator('canvas').waitFor();
      // A service without metrics says so instead of drawing an empty chart.
      await expect
        .poll(() => table.getByTestId('spark-requestRate-order-reconcile').getAttribute('data-empty'))
        .toBe('true');
      await table.locator('[data-state="down"]').first().waitFor();
      await shot('service-health');

      const query = 'sum by (service) (rate(http_requests_total[5m]))';
      await page.goto(`${baseUrl}/monitoring/explore?${new URLSearchParams({ q: query, range: '1h' })}`);
      await page.getByTestId('explorer-chart').locator('canvas').waitFor();
      await expect.poll(() => page.getByTestId('promql-input').inputValue()).toBe(query);
      await page.getByText('2 series').waitFor();
      await shot('explorer');

      // A bad query shows the API's own message.
      await page.getByTestId('promql-input').fill('sum(rate(http_requests_total[5m]) by');
      await page.getByTestId('promql-run').click();
      await page.getByTestId('query-error').waitFor();
      expect(await page.getByTestId('query-error').textContent()).toMatch(/refused/i);
      expect(new URL(page.url()).searchParams.get('q')).toBe('sum(rate(http_requests_total[5m]) by');

      // Pick a metric and a label value with the builder; the URL keeps the query.
      await page.goto(`${baseUrl}/monitoring/explore`);
      await page.getByTestId('metric-select').click();
      await page.locator('.ant-select-item-option[title="http_requests_total"]').click();
      await page.getByTestId('explorer-chart').locator('canvas').waitFor();
      await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('http_requests_total');
    },
    STEP,
  );

  it(
    'shows the same pages in Chinese',
    async () => {
      await page.getByTestId('lang-switch').click();
      await page.getByText('简体中文').last().click();
      await page.goto(`${baseUrl}/monitoring`);
      await page.getByText('服务健康').first().waitFor();
      await page
        .getByTestId('health-table')
        .getByTestId('spark-requestRate-checkout')
        .locator('canvas')
        .waitFor();
      await page.getByTestId('health-table').getByText('无数据').first().waitFor();
      await shot('service-health-zh');
      await page.goto(
        `${baseUrl}/monitoring/explore?${new URLSearchParams({ q: 'histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket[5m])))', range: '1h' })}`,
      );
      await page.getByTestId('explorer-chart').locator('canvas').waitFor();
      await page.getByText('步长').waitFor();
      await shot('explorer-zh');
      await page.goto(`${baseUrl}/monitoring/probes`);
      await page.getByTestId('probes-table').getByText('故障').first().waitFor();
      await shot('probes-zh');
      await page.goto(`${baseUrl}/monitoring/probes/${probeId}`);
      await page.getByText('最近失败').waitFor();
      await page.getByTestId('probe-duration-chart').locator('canvas').waitFor();
      await shot('probe-detail-zh');
    },
    STEP,
  );
});
