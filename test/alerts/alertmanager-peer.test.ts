import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, startTestApp, type TestApp } from '../helpers/app.ts';
import { freePort } from '../helpers/pg-cluster.ts';

const BIN = '/usr/bin/prometheus-alertmanager';
const present = existsSync(BIN);
if (!present) {
  // Under CI a missing peer is a failure, not a skip.
  if (process.env.CI === 'true')
    throw new Error(`${BIN} is missing (apt-get install prometheus-alertmanager)`);
  console.warn(`!!! SKIPPED: Alertmanager peer test (${BIN} missing) !!!`);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Debian's Alertmanager, configured with a webhook receiver pointing at Steady, sends real alerts to it. */
describe.skipIf(!present)('Alertmanager → Steady (real peer, SQLite)', () => {
  let t: TestApp;
  let manager: Client;
  let am: ChildProcess | undefined;
  let amUrl = '';
  let dir = '';
  let amLog = '';

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    manager = await t.as('manager');
    const steadyUrl = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
    t.app.worker.start();
    // Steady's own grouping passes straight through: Alertmanager already grouped.
    const routing = await manager.request({
      method: 'PUT',
      url: '/api/v1/alert-routing',
      payload: {
        route: { id: 'default', groupBy: ['alertname'], groupWaitSeconds: 0, groupIntervalSeconds: 1 },
      },
    });
    expect(routing.statusCode).toBe(200);
    const created = await manager.request({
      method: 'POST',
      url: '/api/v1/integrations',
      payload: { name: 'Alertmanager', kind: 'alertmanager' },
    });
    const integration = created.json() as { id: string; token: string };

    dir = mkdtempSync(join(tmpdir(), 'steady-am-'));
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      `route:
  receiver: steady
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: steady
    webhook_configs:
      - url: ${steadyUrl}/api/v1/integrations/${integration.id}/webhook
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${integration.token}
`,
    );
    am = spawn(
      BIN,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    am.stderr?.on('data', (d) => {
      amLog += String(d);
    });
    await until('Alertmanager ready', async () => ((await fetch(`${amUrl}/-/ready`)).ok ? true : undefined));
  }, 60_000);

  afterAll(async () => {
    am?.kill('SIGKILL');
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = async (alerts: unknown[]) => {
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.status, amLog).toBe(200);
  };
  const labels = { alertname: 'CheckoutDown', service: 'checkout', severity: 'critical', instance: 'web-1' };

  it('an alert fired through Alertmanager reaches Steady and is handed to the incidents stage; its resolution resolves it', async () => {
    const startsAt = new Date(Date.now() - 5_000).toISOString();
    await post([
      {
        labels,
        annotations: { summary: 'Checkout is down' },
        startsAt,
        generatorURL: 'http://prometheus/graph',
      },
    ]);

    const alert = await until('the alert in Steady', async () => {
      const items = (
        await manager.request({ method: 'GET', url: '/api/v1/alerts?source=alertmanager' })
      ).json().items;
      return items[0] as { id: string; status: string; severity: string; title: string } | undefined;
    });
    expect(alert).toMatchObject({ status: 'firing', severity: 'P1', title: 'Checkout is down' });
    await until('the hand-over', async () => {
      const detail = (await manager.request({ method: 'GET', url: `/api/v1/alerts/${alert.id}` })).json();
      return detail.history.some((e: { kind: string }) => e.kind === 'handed_over') ? true : undefined;
    });
    const incidents = await manager.request({ method: 'GET', url: '/api/v1/incidents' });
    if (incidents.statusCode !== 404) {
      const items = incidents.json().items as { groupKey: string | null; status?: string; state?: string }[];
      expect(items.length, 'an incident opened for the group').toBeGreaterThan(0);
    }

    await post([
      {
        labels,
        annotations: { summary: 'Checkout is down' },
        startsAt,
        endsAt: new Date(Date.now() - 1000).toISOString(),
      },
    ]);
    await until('the alert resolved in Steady', async () => {
      const detail = (await manager.request({ method: 'GET', url: `/api/v1/alerts/${alert.id}` })).json();
      return detail.status === 'resolved' ? detail : undefined;
    });
  }, 60_000);
});
