import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/app.ts';
import { startSmtp, waitFor } from '../notify/receivers.ts';

/**
 * Notifications in the console, end to end: configure an e-mail channel, send a test message, see it
 * arrive at a real SMTP server on loopback and in the delivery log; then the profile's contact methods
 * and rules in Chinese. Screenshots go to test-results/screenshots/.
 */
const CHROMIUM = '/usr/bin/chromium';
const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results/screenshots', import.meta.url));
const STEP = 60_000;
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`Browser tests cannot run: ${CHROMIUM} is missing`);

describe.skipIf(!haveChromium)('notifications console (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const shot = (name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, 'index.html')))
      throw new Error('The console is not built: run `npm run build:web`');
    mkdirSync(SHOTS, { recursive: true });
    smtp = await startSmtp();
    t = await startTestApp('sqlite', { webDist: WEB_DIST });
    t.app.worker.start();
    baseUrl = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
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
    page = await (
      await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' })
    ).newPage();
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
    await smtp?.close();
  });

  it(
    'configures an e-mail channel, sends a test message and sees it delivered and in the delivery log',
    async () => {
      await page.goto(`${baseUrl}/notify/channels`);
      await page.getByRole('button', { name: 'New channel' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Name', { exact: true }).fill('Ops mail');
      await dialog.getByLabel('host', { exact: true }).fill('127.0.0.1');
      await dialog.getByLabel('port', { exact: true }).fill(String(smtp.port));
      await dialog.getByLabel('from', { exact: true }).fill('Steady <steady@shop.example>');
      await dialog.getByLabel('password', { exact: true }).fill('smtp-secret-1');
      await shot('notify-channel-editor');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const row = page.getByRole('row', { name: /Ops mail/ });
      await row.waitFor();
      const stored = (await t.admin.request({ method: 'GET', url: '/api/v1/notify/channels' })).json()
        .items[0];
      expect(stored).toMatchObject({ name: 'Ops mail', kind: 'email', secretsSet: ['password'] });
      expect(JSON.stringify(stored)).not.toContain('smtp-secret-1');

      await row.getByRole('button', { name: 'Send test' }).click();
      const test = page.getByRole('dialog');
      await test.getByLabel('To').fill('ops@shop.example');
      await test.getByRole('button', { name: 'Send' }).click();
      const mail = await waitFor(() => smtp.mails.find((m) => m.to.includes('ops@shop.example')), 20_000);
      expect(mail.subject).toBe('Steady test message');
      expect(mail.text).toContain('through channel "Ops mail"');
      expect(mail.html).toContain('Steady test message');

      await page.reload();
      await page
        .getByRole('row', { name: /Ops mail/ })
        .getByText('Working')
        .waitFor();
      await shot('notify-channels');
      await page.goto(`${baseUrl}/notify/log`);
      const logRow = page.getByRole('row', { name: /ops@shop\.example/ });
      await logRow.getByText('Sent', { exact: true }).waitFor();
      await shot('notify-delivery-log');
    },
    STEP,
  );

  it(
    'adds contact methods and rules on the profile, in Chinese',
    async () => {
      await t.admin.request({ method: 'PATCH', url: '/api/v1/me', payload: { locale: 'zh-CN' } });
      await page.evaluate(() => localStorage.setItem('steady.locale', 'zh-CN'));
      await page.goto(`${baseUrl}/profile/notifications`);
      await page.getByText('我的联系方式').waitFor();
      await page.getByPlaceholder('地址、号码或用户 ID').fill('+8613800138000');
      await page.locator('.ant-select').first().click();
      await page.getByTitle('手机').click();
      await page.getByRole('button', { name: /^\S*\s*添\s*加$/ }).click();
      await page.getByText('+8613800138000').waitFor();
      await page.getByRole('button', { name: '添加规则' }).click();
      await page.getByRole('button', { name: /保\s*存/ }).click();
      await page.getByText('通知规则已保存').waitFor();
      const me = (await t.admin.request({ method: 'GET', url: '/api/v1/notify/me' })).json();
      expect(me.contacts).toMatchObject([{ kind: 'phone', address: '+8613800138000' }]);
      expect(me.rules).toMatchObject([{ severity: 'P1', delayMinutes: 0 }]);
      await shot('notify-my-notifications-zh');
      await page.goto(`${baseUrl}/notify/log`);
      await page.getByText('已发送').first().waitFor();
      await shot('notify-delivery-log-zh');
    },
    STEP,
  );

  it(
    "edits a team's default notification rules, and shows them on the team's page",
    async () => {
      await t.admin.request({ method: 'PATCH', url: '/api/v1/me', payload: { locale: 'en' } });
      await page.evaluate(() => localStorage.setItem('steady.locale', 'en'));
      const team = (
        await t.admin.request({ method: 'POST', url: '/api/v1/teams', payload: { name: 'Payments SRE' } })
      ).json();
      await page.goto(`${baseUrl}/notify/team-rules?team=${team.id}`);
      const card = page.getByTestId('team-rules');
      await card.getByText('Payments SRE').waitFor();
      await card.getByText(/No defaults/).waitFor();
      await card.getByRole('button', { name: 'Add rule' }).click();
      await card.getByRole('button', { name: 'Add rule' }).click();
      const second = card.getByTestId('notify-rule').nth(1);
      await second.getByLabel('Severity').click();
      await page.getByTitle('P3', { exact: true }).last().click();
      await second.getByLabel('min later').fill('10');
      await card.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Team notification rules saved').waitFor();
      await shot('notify-team-rules');

      const channel = (await t.admin.request({ method: 'GET', url: '/api/v1/notify/channels' })).json()
        .items[0];
      const stored = (
        await t.admin.request({ method: 'GET', url: `/api/v1/notify/teams/${team.id}/rules` })
      ).json();
      expect(stored.rules).toEqual([
        { severity: 'P1', channelId: channel.id, delayMinutes: 0 },
        { severity: 'P3', channelId: channel.id, delayMinutes: 10 },
      ]);
      // Bad input is refused with the field named, and nothing is written.
      const bad = await t.admin.request({
        method: 'PUT',
        url: `/api/v1/notify/teams/${team.id}/rules`,
        payload: { rules: [{ severity: 'P1', channelId: channel.id, delayMinutes: -1 }] },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toMatch(/delayMinutes: must be 0 or more/);

      await page.goto(`${baseUrl}/teams/${team.id}`);
      const onTeam = page.getByTestId('team-rules');
      await onTeam.getByText('Default notification rules').waitFor();
      await expect.poll(() => onTeam.getByTestId('notify-rule').count()).toBe(2);
      await shot('team-detail-rules');
    },
    STEP,
  );
});
