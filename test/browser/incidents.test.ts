import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/app.ts';

/**
 * Incidents and on-call in the console, in Debian's Chromium: the routing tree is edited (and tried) in
 * the console, an Alertmanager webhook opens an incident through it, the incident is acknowledged in the
 * console, and the MTTA figure moves. Screenshots in both languages.
 */
const CHROMIUM = '/usr/bin/chromium';
const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results/screenshots', import.meta.url));
const STEP = 60_000;
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`Browser tests cannot run: ${CHROMIUM} is missing`);

describe.skipIf(!haveChromium)('incidents and on-call console (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let ref: string;
  let integration: { id: string; url: string; token: string };
  const TITLE = '支付网关错误率升高 Payment gateway 5xx';

  const shot = (name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
  const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
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

    const team = await api('POST', '/api/v1/teams', { name: 'SRE 运维' });
    const wang = await api('POST', '/api/v1/users', {
      username: 'wang.oncall',
      displayName: '王值班 Wang',
      role: 'responder',
      password: 'user-password-1',
    });
    const li = await api('POST', '/api/v1/users', {
      username: 'li.oncall',
      displayName: '李值班 Li',
      role: 'responder',
      password: 'user-password-1',
    });
    const service = await api('POST', '/api/v1/services', {
      name: 'payment-gateway',
      ownerTeamId: team.id,
      tier: 1,
    });
    const monday = new Date();
    monday.setDate(monday.getDate() - ((monday.getDay() + 6) % 7) - 7);
    const schedule = await api('POST', '/api/v1/schedules', {
      name: 'SRE primary',
      timeZone: 'Asia/Shanghai',
      layers: [
        {
          name: 'Weekdays',
          rotation: 'daily',
          handoffTime: '09:00',
          startDate: monday.toISOString().slice(0, 10),
          participants: [wang.id, li.id],
          restrictions: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '23:00' }],
        },
      ],
    });
    const policy = await api('POST', '/api/v1/escalation-policies', {
      name: 'SRE default',
      steps: [
        { targets: [{ type: 'schedule', id: schedule.id }], waitMinutes: 5 },
        { targets: [{ type: 'team', id: team.id }], waitMinutes: 10 },
      ],
      repeat: 1,
    });
    expect(policy.id).toBeTruthy();
    expect(service.id).toBeTruthy();
    integration = await api('POST', '/api/v1/integrations', {
      name: 'Prometheus Alertmanager',
      kind: 'alertmanager',
    });
    await api('POST', '/api/v1/incidents', { title: 'Search latency p99 > 2s', severity: 'P3' });

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
    'edits the routing tree: a route from labels to service, team and policy, tried before it is saved',
    async () => {
      await page.goto(`${baseUrl}/alerts/routing`);
      const root = page.getByTestId('route-default');
      const groupWait = root.getByLabel('Group wait');
      await expect.poll(() => groupWait.inputValue(), { timeout: 20_000 }).toBe('30'); // the saved default
      await groupWait.fill('0');
      await page.getByRole('button', { name: 'Add route' }).click();
      const route = page.getByTestId('route-0');
      const matchers = page.getByLabel('Label matchers of route 1');
      const choose = async (label: string, option: string) => {
        await route.getByLabel(label, { exact: true }).click();
        await page.getByTitle(option, { exact: true }).last().click();
      };
      await choose('Service', 'payment-gateway');
      await choose('Team', 'SRE 运维');
      await choose('Escalation policy', 'SRE default');

      // A regex the server refuses comes back on the matchers field of that route.
      await matchers.fill('service=~"payment-(gateway"');
      const labels = page.getByLabel('Labels to test');
      await labels.fill('alertname=PaymentGateway5xx\nservice=payment-gateway\nseverity=critical');
      await page.getByTestId('routing-test-run').click();
      await route.getByText(/invalid regex/).waitFor();
      await matchers.fill('service="payment-gateway"');
      await page.getByTestId('routing-test-run').click();
      const result = page.getByTestId('routing-result');
      await result.getByText('Route #1 matches').waitFor();
      await result.getByText('SRE default').waitFor();
      await route.getByText('Matches', { exact: true }).waitFor();
      await labels.fill('alertname=DiskFull\nservice=search');
      await page.getByTestId('routing-test-run').click();
      await result.getByText('No route matched: the default route takes it').waitFor();
      await labels.fill('alertname=PaymentGateway5xx\nservice=payment-gateway\nseverity=critical');
      await page.getByTestId('routing-test-run').click();
      await result.getByText('Route #1 matches').waitFor();
      await page.getByTestId('routing-save').click();
      await page.getByText('Routing saved').waitFor();
      await shot('alert-routing');

      const saved = await api('GET', '/api/v1/alert-routing');
      expect(saved.route.groupWaitSeconds).toBe(0);
      expect(saved.route.routes).toMatchObject([
        {
          id: 'route-1',
          matchers: [{ name: 'service', op: '=', value: 'payment-gateway' }],
          continue: false,
        },
      ]);
      expect(saved.route.routes[0].escalationPolicyId).toBeTruthy();
      // The test endpoint refuses what it cannot use, and says what.
      const bad = await t.admin.request({
        method: 'POST',
        url: '/api/v1/alert-routing/test',
        payload: { labels: { 'not-a-label': 'x' } },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toMatch(/labels/);
      const dup = await t.admin.request({
        method: 'POST',
        url: '/api/v1/alert-routing/test',
        payload: { labels: {}, route: { id: 'default', routes: [{ id: 'x' }, { id: 'x' }] } },
      });
      expect(dup.statusCode).toBe(400);
      expect(dup.json().error.message).toMatch(/route id "x" is used twice/);
    },
    STEP,
  );

  it(
    'opens an incident from an Alertmanager webhook, acknowledges it in the console, and MTTA moves',
    async () => {
      await page.goto(`${baseUrl}/incidents`);
      const figures = page.getByTestId('incident-figures');
      await figures.getByText('MTTA (mean time to acknowledge)').first().waitFor();
      await expect.poll(() => page.getByTestId('figure-mtta').textContent()).toContain('—');

      // What Alertmanager's webhook receiver sends (v4 JSON, bearer token from its http_config).
      const startsAt = new Date().toISOString();
      const hook = await fetch(new URL(new URL(integration.url, baseUrl).pathname, baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${integration.token}` },
        body: JSON.stringify({
          version: '4',
          groupKey: '{}:{alertname="PaymentGateway5xx"}',
          truncatedAlerts: 0,
          status: 'firing',
          receiver: 'steady',
          groupLabels: { alertname: 'PaymentGateway5xx' },
          commonLabels: { alertname: 'PaymentGateway5xx', service: 'payment-gateway', severity: 'critical' },
          commonAnnotations: { summary: TITLE },
          externalURL: 'http://alertmanager.example:9093',
          alerts: [
            {
              status: 'firing',
              labels: { alertname: 'PaymentGateway5xx', service: 'payment-gateway', severity: 'critical' },
              annotations: { summary: TITLE },
              startsAt,
              endsAt: '0001-01-01T00:00:00Z',
              generatorURL: 'http://prometheus.example:9090/graph?g0.expr=rate',
              fingerprint: 'a1b2c3d4e5f60718',
            },
          ],
        }),
      });
      expect(hook.status, await hook.clone().text()).toBe(202);
      expect(await hook.json()).toMatchObject({ accepted: 1, created: 1 });

      // The incident list refreshes itself; the new incident appears without a reload.
      const row = page.getByTestId('incidents-table').getByText(TITLE);
      await row.waitFor({ timeout: 25_000 });
      await row.click();
      await page.waitForURL(/\/incidents\/[^/]+$/);
      ref = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
      const incident = await api('GET', `/api/v1/incidents/${ref}`);
      // Routed by the tree edited above: its service, with its escalation policy paging (event-escalated).
      const routed = (await api('GET', '/api/v1/alert-routing')).route.routes[0];
      expect(incident).toMatchObject({ severity: 'P1', state: 'triggered', serviceId: routed.serviceId });
      await page.getByTestId('event-escalated').first().waitFor();
      await page.waitForTimeout(1500); // so the time to acknowledge is visibly more than zero
      await page.getByTestId('incident-ack').click();
      await page.getByTestId('incident-state').getByText('Acknowledged').waitFor();
      await page.getByTestId('event-acknowledged').waitFor();
      await page.getByTestId('incident-note').fill('Rolled back payment-gateway v2.3.1');
      await page.getByRole('button', { name: 'Add note' }).click();
      await page.getByTestId('event-note').waitFor();
      await shot('incident-detail');

      await page.goto(`${baseUrl}/incidents`);
      await expect
        .poll(() => page.getByTestId('figure-mtta').textContent(), { timeout: 20_000 })
        .toMatch(/\d+ s/);
      const figuresApi = await api(
        'GET',
        `/api/v1/incident-figures?from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`,
      );
      expect(figuresApi.total.acknowledged).toBe(1);
      expect(figuresApi.total.mttaMs).toBeGreaterThan(1000);
      await shot('incidents');

      await page.goto(`${baseUrl}/oncall`);
      await page.getByTestId('calendar-SRE primary').waitFor();
      await page.getByTestId('oncall-now').getByText('SRE primary').waitFor();
      await shot('oncall');
    },
    STEP,
  );

  it(
    'shows the same pages in Chinese',
    async () => {
      await page.getByTestId('lang-switch').click();
      await page.getByText('简体中文').last().click();
      await page.getByTestId('oncall-now').getByText('当前值班').waitFor();
      await shot('oncall-zh');
      await page.goto(`${baseUrl}/incidents/${ref}`);
      await page.getByTestId('incident-state').getByText('已认领').waitFor();
      await page.getByText('故障复盘').waitFor();
      await shot('incident-detail-zh');
      await page.goto(`${baseUrl}/incidents`);
      await page.getByText('响应指标').waitFor();
      await shot('incidents-zh');
      await page.goto(`${baseUrl}/alerts/routing`);
      await page.getByTestId('route-0').getByText('标签匹配').waitFor();
      await page.getByLabel('待测试的标签').fill('service=payment-gateway');
      await page.getByTestId('routing-test-run').click();
      await page.getByTestId('routing-result').getByText('匹配路由 #1').waitFor();
      await shot('alert-routing-zh');
    },
    STEP,
  );
});
