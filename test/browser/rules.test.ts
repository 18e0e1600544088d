import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/app.ts';

/**
 * Alert rules in the console, in Debian's Chromium: the rule list, a threshold rule previewed over a
 * week of stored samples before it is saved, an anomaly rule's expected band, and the weekly review.
 * Screenshots in both languages.
 */
const CHROMIUM = '/usr/bin/chromium';
const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results/screenshots', import.meta.url));
const STEP = 90_000;
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`Browser tests cannot run: ${CHROMIUM} is missing`);

/** Three days of checkout p99 latency every 5 minutes: a daily cycle and two bad half-hours. */
function latency(now: number) {
  const points: [number, number][] = [];
  const start = now - 3 * 86_400_000;
  for (let ts = start; ts <= now; ts += 300_000) {
    const day = ((ts % 86_400_000) / 86_400_000) * 2 * Math.PI;
    const incident =
      (ts > now - 30 * 3_600_000 && ts < now - 29.5 * 3_600_000) ||
      (ts > now - 6 * 3_600_000 && ts < now - 5.5 * 3_600_000);
    points.push([ts, incident ? 2.4 : 0.6 + 0.25 * Math.sin(day)]);
  }
  return { series: [{ labels: { __name__: 'http_p99_seconds', service: 'checkout' }, points }] };
}

describe.skipIf(!haveChromium)('alert rules in the console (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;

  const shot = async (name: string) => {
    // A page scrolled by the form's focus would be captured with the sticky header half-way down.
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
  };

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, 'index.html')))
      throw new Error('The console is not built: npm run build:web');
    mkdirSync(SHOTS, { recursive: true });
    t = await startTestApp('sqlite', { webDist: WEB_DIST });
    baseUrl = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
    const token = await t.token('admin', ['ingest']);
    const ingest = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/ingest',
      headers: { authorization: `Bearer ${token}` },
      payload: latency(Date.now()),
    });
    expect(ingest.statusCode, ingest.body).toBe(200);
    const anomaly = await t.admin.request({
      method: 'POST',
      url: '/api/v1/rules',
      payload: {
        name: 'checkout p99 anomaly',
        kind: 'anomaly',
        severity: 'P2',
        spec: { query: 'http_p99_seconds{service="checkout"}', sensitivity: 'medium' },
      },
    });
    expect(anomaly.statusCode, anomaly.body).toBe(201);

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
    await t?.close();
  });

  it(
    'previews a threshold rule over the stored week, saves it, and lists it beside the others',
    async () => {
      await page.goto(`${baseUrl}/rules/new`);
      await page.getByLabel('Name').fill('checkout p99 slow');
      // The condition through the threshold form: a query the server cannot parse comes back on its field.
      const query = page.getByLabel('Metric query (PromQL)');
      await query.fill('http_p99_seconds{service="checkout"');
      await page.getByLabel('Threshold', { exact: true }).fill('1.5');
      await page.getByRole('button', { name: 'Preview' }).click();
      const queryError = page.locator('#spec_query_help');
      await queryError.waitFor();
      expect(await queryError.textContent()).toMatch(/\S/);
      await query.fill('http_p99_seconds{service="checkout"}');
      await page.getByLabel('Recovery threshold').fill('1.2');
      expect(await page.getByLabel('For', { exact: true }).inputValue()).toBe('5'); // 5 min by default
      await page.getByLabel('When data stops').click();
      await page.getByTitle('Fire an alert').click();
      await page.getByLabel('After no data for').fill('15');
      // The advanced JSON view shows the same condition, and hands it back to the form.
      await page.getByTestId('rule-json-toggle').click();
      expect(JSON.parse(await page.getByLabel('Condition (JSON)').inputValue())).toMatchObject({
        op: '>',
        value: 1.5,
        recovery: 1.2,
        forSeconds: 300,
        noData: { state: 'alert', afterSeconds: 900 },
      });
      await page.getByTestId('rule-json-toggle').click();
      expect(await page.getByLabel('Recovery threshold').inputValue()).toBe('1.2');
      await page.getByRole('button', { name: 'Preview' }).click();
      // The two bad half-hours, each longer than `for`: two firings, drawn on the chart.
      const firings = page.locator('.ant-statistic').filter({ hasText: 'Would have fired' });
      await expect
        .poll(() => firings.locator('.ant-statistic-content-value').textContent(), { timeout: 20_000 })
        .toBe('2');
      await page.locator('canvas').first().waitFor();
      await page.waitForTimeout(500);
      await shot('rule-editor-preview');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Rule "checkout p99 slow" saved').waitFor();

      await page.goto(`${baseUrl}/rules`);
      await page.getByText('checkout p99 slow').waitFor();
      await page.getByText('checkout p99 anomaly').waitFor();
      await shot('rules');
      const saved = (await t.admin.request({ method: 'GET', url: '/api/v1/rules' })).json().items;
      expect(saved.map((r: { name: string }) => r.name).sort()).toEqual([
        'checkout p99 anomaly',
        'checkout p99 slow',
      ]);
      const slow = saved.find((r: { name: string }) => r.name === 'checkout p99 slow');
      expect(slow).toMatchObject({
        kind: 'threshold',
        spec: {
          query: 'http_p99_seconds{service="checkout"}',
          op: '>',
          value: 1.5,
          recovery: 1.2,
          forSeconds: 300,
          noData: { state: 'alert', afterSeconds: 900 },
        },
      });
    },
    STEP,
  );

  it(
    "draws the anomaly rule's expected band, and shows the review, in Chinese too",
    async () => {
      await page.getByText('checkout p99 anomaly').click();
      await page.waitForURL(/\/rules\/[0-9a-f-]+$/);
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.locator('.ant-statistic').filter({ hasText: 'Would have fired' }).waitFor();
      await page.locator('canvas').first().waitFor();
      await page.waitForTimeout(500);
      await shot('rule-anomaly-band');

      // A new SLO burn-rate rule starts from the SRE workbook's three window pairs.
      await page.goto(`${baseUrl}/rules/new`);
      await page.getByLabel('Kind').click();
      await page.getByTitle('SLO burn rate').click();
      await expect.poll(() => page.getByTestId('burn-window').count()).toBe(3);
      expect(await page.getByLabel('Objective').inputValue()).toBe('99.9');
      await shot('rule-editor-burn-rate');

      await page.goto(`${baseUrl}/rules/review`);
      await page.waitForTimeout(1000);
      await shot('rule-review');
      const me = await t.admin.request({ method: 'PATCH', url: '/api/v1/me', payload: { locale: 'zh-CN' } });
      expect(me.statusCode, me.body).toBeLessThan(300);
      await page.goto(`${baseUrl}/rules`);
      await page.waitForTimeout(1000);
      await shot('rules-zh');
      await page.goto(`${baseUrl}/rules/new`);
      await page.getByText('指标查询（PromQL）').waitFor();
      await shot('rule-editor-zh');
    },
    STEP,
  );
});
