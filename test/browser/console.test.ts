import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/app.ts';

/**
 * The console end to end: a real server (SQLite, in-process) serving the built web/dist, driven by
 * Debian's Chromium. Screenshots of the key pages go to test-results/screenshots/ to be looked at.
 */
const CHROMIUM = '/usr/bin/chromium';
const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results/screenshots', import.meta.url));
const STEP = 60_000;

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI)
    throw new Error(`Browser tests cannot run: ${CHROMIUM} is missing (apt-get install chromium)`);
  console.warn(
    `\n!!! SKIPPED the browser tests: ${CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk) !!!\n`,
  );
}

describe.skipIf(!haveChromium)('web console (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;

  const shot = (name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
  const nav = () => page.getByTestId('nav');
  const api = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await t.admin.request({ method, url, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, 'index.html'))) {
      throw new Error(
        `The console is not built (${WEB_DIST}/index.html is missing): run \`npm run build:web\` first`,
      );
    }
    mkdirSync(SHOTS, { recursive: true });
    t = await startTestApp('sqlite', { webDist: WEB_DIST });
    baseUrl = await t.app.http.listen({ port: 0, host: '127.0.0.1' });

    // Some background data, so the pages look like a shop's (the scenario creates its own via the UI).
    const sre = await api('POST', '/api/v1/teams', { name: 'SRE 运维', description: 'Platform reliability' });
    await api('POST', '/api/v1/users', {
      username: 'wang.oncall',
      displayName: '王值班 Wang',
      role: 'responder',
      locale: 'zh-CN',
      password: 'user-password-1',
    });
    for (const [name, tier, tags] of [
      ['mysql-main', 1, ['database']],
      ['redis-cache', 2, ['cache']],
      ['recommendation', 3, ['web']],
    ] as const) {
      await api('POST', '/api/v1/services', {
        name,
        description: `The ${name} service`,
        ownerTeamId: name === 'recommendation' ? null : sre.id,
        tier,
        tags,
        links: [{ title: 'Runbook', url: `https://wiki.shop.example/runbooks/${name}` }],
      });
    }

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
  }, STEP);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it(
    'shows login errors (wrong password, 429 after repeated failures) and logs in as admin',
    async () => {
      await page.goto(`${baseUrl}/services`);
      await page.waitForURL(/\/login\?next=%2Fservices/);
      await page.getByRole('button', { name: 'Log in' }).waitFor();
      await shot('login');

      // One attempt at a time: wait for the answer and for the form to be ready again.
      const attempt = async () => {
        await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST'),
          page.getByRole('button', { name: 'Log in' }).click(),
        ]);
        await page.locator('.steady-login .ant-btn-loading').waitFor({ state: 'detached' });
      };
      await page.getByLabel('User name').fill('intruder');
      await page.getByLabel('Password').fill('wrong-password');
      await attempt();
      await page.getByTestId('login-error').getByText('Wrong user name or password').waitFor();
      for (let i = 0; i < 5; i++) await attempt();
      await page.getByTestId('login-error').getByText('Too many failed logins').waitFor();

      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${baseUrl}/services`);
      await nav().getByText('Audit log').waitFor();
    },
    STEP,
  );

  it(
    'switches to Chinese, keeps it on the user across a reload, and switches back',
    async () => {
      await page.getByTestId('lang-switch').click();
      await page.getByText('简体中文').last().click();
      for (const label of ['服务', '团队', '用户', '审计日志', 'API 令牌']) {
        await nav().getByText(label, { exact: true }).waitFor();
      }
      await page.getByRole('button', { name: '新建服务' }).waitFor();
      await expect
        .poll(async () => (await api('GET', '/api/v1/session')).user.locale, { timeout: 20_000 })
        .toBe('zh-CN');
      await shot('services-zh');

      // The server's copy wins even when this browser forgot its own.
      await page.evaluate(() => localStorage.removeItem('steady.locale'));
      await page.reload();
      await nav().getByText('审计日志', { exact: true }).waitFor();
      await page.getByRole('button', { name: '新建服务' }).waitFor();

      await page.getByTestId('lang-switch').click();
      await page.getByText('English').last().click();
      await nav().getByText('Audit log', { exact: true }).waitFor();
      await expect.poll(async () => (await api('GET', '/api/v1/session')).user.locale).toBe('en');
    },
    STEP,
  );

  it(
    'creates a team and a service owned by it',
    async () => {
      await nav().getByText('Teams', { exact: true }).click();
      await page.getByTestId('team-new').click();
      const teamForm = page.getByTestId('team-form');
      await teamForm.getByLabel('Name').fill('Checkout 结算');
      await teamForm.getByLabel('Description').fill('Cart, checkout and payment');
      await page.getByTestId('team-save').click();
      await page.getByRole('heading', { name: 'Checkout 结算' }).waitFor();

      await nav().getByText('Teams', { exact: true }).click();
      await page.getByTestId('teams-table').getByText('Checkout 结算').waitFor();
      await shot('teams');

      await nav().getByText('Services', { exact: true }).click();
      await page.getByTestId('service-new').click();
      const form = page.getByTestId('service-form');
      await form.getByLabel('Name').fill('payment-gateway');
      await form.getByLabel('Description').fill('Alipay, WeChat Pay and card payments');
      await page.getByTestId('service-owner').click();
      await page.locator('.ant-select-dropdown:visible').getByText('Checkout 结算').click();
      await form.getByText('T1', { exact: true }).click();
      const tags = form.getByLabel('Tags');
      await tags.fill('checkout');
      await tags.press('Enter');
      await tags.fill('pci');
      await tags.press('Enter');
      await form.getByRole('button', { name: 'Add link' }).click();
      await form.getByPlaceholder('Title').fill('Runbook');
      await form.getByPlaceholder(/^https:/).fill('https://wiki.shop.example/runbooks/payment-gateway');
      await shot('service-form');
      await page.getByTestId('service-save').click();

      const row = page.getByTestId('services-table').locator('tr', { hasText: 'payment-gateway' });
      await row.getByText('Checkout 结算').waitFor();
      await form.waitFor({ state: 'hidden' });
      await shot('services');

      const services = await api('GET', '/api/v1/services?q=payment-gateway');
      expect(services.items).toHaveLength(1);
      expect(services.items[0]).toMatchObject({
        ownerTeamName: 'Checkout 结算',
        tier: 1,
        tags: ['checkout', 'pci'],
      });
    },
    STEP,
  );

  it(
    'finds the service creation in the audit log, by the admin, with its details',
    async () => {
      await nav().getByText('Audit log', { exact: true }).click();
      const type = page.getByTestId('audit-entity-type').locator('input');
      await type.fill('service');
      await type.press('Escape');
      await page.waitForURL(/type=service/);
      const row = page
        .getByTestId('audit-table')
        .locator('tr', { hasText: 'service.create' })
        .filter({ hasText: 'payment-gateway' });
      await row.getByText('admin', { exact: true }).waitFor();
      await row.click();
      const diff = page.getByTestId('audit-diff');
      await diff.getByText('ownerTeamName').waitFor();
      await diff.getByText('"Checkout 结算"').first().waitFor();
      await page.keyboard.press('Escape');
      await shot('audit');
    },
    STEP,
  );

  it(
    'shows the overview, a team, users, API tokens (secret shown once) and the profile',
    async () => {
      await nav().getByText('Overview', { exact: true }).click();
      await page.getByText('Recent changes').waitFor();
      await page.getByTestId('stat-open-incidents').getByText('0').waitFor();
      await page.getByText('No open incidents.').waitFor();
      await shot('overview');

      await nav().getByText('Teams', { exact: true }).click();
      await page.getByTestId('teams-table').getByText('SRE 运维').click();
      await page.getByTestId('member-user').click();
      await page.locator('.ant-select-dropdown:visible').getByText('王值班 Wang').click();
      await page.getByRole('button', { name: 'Add member' }).click();
      await page.locator('.ant-table-row', { hasText: 'wang.oncall' }).waitFor();
      await shot('team-detail');

      await nav().getByText('Users', { exact: true }).click();
      await page.locator('.ant-table-row', { hasText: 'wang.oncall' }).waitFor();
      await shot('users');

      await nav().getByText('API tokens', { exact: true }).click();
      await page.getByRole('button', { name: 'New token' }).first().click();
      await page.getByLabel('Name').fill('prometheus-remote-write');
      await page.getByText('ingest', { exact: true }).click();
      await page.getByRole('button', { name: 'Create' }).click();
      const secret = await page.getByTestId('token-secret').textContent();
      expect(secret).toMatch(/^stdy_/);
      await shot('token-secret');
      await page.getByRole('button', { name: 'I have copied it' }).click();
      await page.locator('.ant-table-row', { hasText: 'prometheus-remote-write' }).waitFor();
      await shot('tokens');

      await page.getByTestId('user-menu').click();
      await page.getByText('Profile', { exact: true }).last().click();
      await page.getByRole('heading', { name: 'Profile' }).waitFor();
      await page.getByLabel('Name').waitFor();
      await shot('profile');
    },
    STEP,
  );
});
