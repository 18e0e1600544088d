import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/database.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';
import { startReceiver, waitFor } from './receivers.ts';

/**
 * Exactly-once delivery across a crash: a real `steady serve` process is killed with SIGKILL while
 * messages are in flight, then started again. No message may reach the receiver twice; every message
 * ends sent, or (only those in flight at the kill) `unknown`, which is never sent again.
 */
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const N = 30;

describeEachEngine('notify: delivery across a SIGKILL', (engine) => {
  let t: TestApp;
  let database: Database;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // Slow answers keep several messages in flight when the process is killed.
    rx = await startReceiver(() => ({ status: 200, delayMs: 150 }));
    t = await startTestApp(engine); // queues the messages; its own worker never starts
    database = t.testDb.open();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await database?.close();
    await t?.close();
    await rx?.close();
  });

  const serve = () => {
    const child = spawn(process.execPath, [CLI, 'serve'], {
      env: {
        PATH: process.env.PATH,
        STEADY_DATA_DIR: t.testDb.settings.dataDir,
        DATABASE_URL: t.testDb.settings.databaseUrl,
        STEADY_PORT: '0',
        STEADY_HOST: '127.0.0.1',
        STEADY_ADMIN_PASSWORD: 'admin-password-1',
        STEADY_LOG_LEVEL: 'warn',
        STEADY_JOB_POLL_MS: '50',
        STEADY_JOB_CONCURRENCY: '4',
        STEADY_JOB_LEASE_SECONDS: '5',
        // Generous: a send that times out is retried (the receiver may have it already, and drops the
        // repeat by its message id). Only the crash is under test here, not a slow, busy machine.
        STEADY_NOTIFY_SEND_TIMEOUT_MS: '10000',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  };

  it('each message reaches the receiver at most once; all but the in-flight ones exactly once', async () => {
    const created = await t.admin.request({
      method: 'POST',
      url: '/api/v1/notify/channels',
      payload: {
        name: 'crash-hook',
        kind: 'webhook',
        settings: { url: `${rx.url}/hook` },
        secrets: { signingSecret: 'whsec-0123456789abcdef' },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const channelId = created.json().id as string;
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const res = await t.admin.request({
        method: 'POST',
        url: `/api/v1/notify/channels/${channelId}/test`,
        payload: { to: `msg-${i}` },
      });
      ids.push(res.json().messageId);
    }

    const first = serve();
    await waitFor(() => rx.received.length >= 5, 30_000);
    first.kill('SIGKILL');
    await new Promise((ok) => first.once('exit', ok));
    const atKill = rx.received.length;
    expect(atKill).toBeLessThan(N);

    const second = serve();
    const states = async () =>
      database.db
        .selectFrom('notifyMessages')
        .select(['id', 'state'])
        .where('channelId', '=', channelId)
        .execute();
    const final = await waitFor(async () => {
      const rows = await states();
      return rows.every((r) => r.state === 'sent' || r.state === 'unknown') ? rows : undefined;
    }, 60_000);
    second.kill('SIGTERM');
    await new Promise((ok) => second.once('exit', ok));

    const got = new Map<string, number>();
    for (const r of rx.received) {
      const id = String(r.headers['x-steady-message-id']);
      got.set(id, (got.get(id) ?? 0) + 1);
    }
    // Never twice.
    expect([...got.values()].filter((n) => n > 1)).toEqual([]);
    const sent = final.filter((r) => r.state === 'sent').map((r) => r.id);
    const unknown = final.filter((r) => r.state === 'unknown').map((r) => r.id);
    // Every message sent was received exactly once.
    for (const id of sent) expect(got.get(id)).toBe(1);
    // Only what was in flight at the kill (at most the concurrency) is unknown, and it was not re-sent.
    expect(unknown.length).toBeLessThanOrEqual(4);
    expect(sent.length + unknown.length).toBe(N);
    for (const id of unknown) expect(got.get(id) ?? 0).toBeLessThanOrEqual(1);
    const attempts = await database.db
      .selectFrom('notifyAttempts')
      .select(['messageId', 'outcome'])
      .where('outcome', '=', 'unknown')
      .execute();
    expect(attempts.map((a) => a.messageId).sort()).toEqual([...unknown].sort());
    console.log(
      `[${engine}] killed after ${atKill} received; then ${sent.length} sent, ${unknown.length} unknown (in flight at the kill), 0 duplicates`,
    );
  }, 120_000);
});
