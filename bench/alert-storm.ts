/**
 * Alert storm: alerts through the Alertmanager webhook intake of a Steady server running as its own
 * process on the embedded store (SQLite), at a steady rate, for a number of minutes.
 *
 *   npm run bench:alert-storm -- [--minutes 10] [--rate 10000] [--batch 10] [--groups 1000]
 *
 * Every alert is new (a fresh instance label); one in ten calls also resolves alerts sent a minute before.
 * Routing groups by (alertname, service) with group_wait 0 and group_interval 60 s, so `--groups` groups
 * (and at most that many incidents) form. Prints one JSON object:
 *  - intakeToIncident: from sending the first alert of a group to its incident being created (p50/p99 ms)
 *  - intakeToHandOver: from sending any alert to its group handing it to the incidents stage
 *  - webhook: reply latency of the webhook calls
 *  - incidentsCreated, alerts stored, RSS of the server sampled every 5 s (MB)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/database.ts';
import { freePort } from '../test/helpers/pg-cluster.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '10' },
    groups: { type: 'string', default: '1000' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log(
    'Usage: npm run bench:alert-storm -- [--minutes 10] [--rate alerts/min] [--batch alerts/call] [--groups n]',
  );
  process.exit(0);
}
const minutes = Number(args.minutes);
const perMinute = Number(args.rate);
const batch = Number(args.batch);
const groups = Number(args.groups);
const ADMIN_PASSWORD = 'bench-admin-password';

async function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['src/cli.ts', 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: '',
      STEADY_DATA_DIR: dataDir,
      STEADY_PORT: String(port),
      STEADY_HOST: '127.0.0.1',
      STEADY_LOG_LEVEL: 'warn',
      STEADY_ADMIN_PASSWORD: ADMIN_PASSWORD,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not become ready');
}

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
};
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0);
};
const summary = (xs: number[]) => ({
  count: xs.length,
  p50: pct(xs, 50),
  p99: pct(xs, 99),
  max: pct(xs, 100),
});

async function session(base: string) {
  const res = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return async (method: string, path: string, body: unknown) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'steady-storm-'));
const port = await freePort();
const server = await startServer(dataDir, port);
const base = `http://127.0.0.1:${port}`;
try {
  const call = await session(base);
  await call('PUT', '/api/v1/alert-routing', {
    route: {
      id: 'default',
      groupBy: ['alertname', 'service'],
      groupWaitSeconds: 0,
      groupIntervalSeconds: 60,
    },
  });
  const integration = (await call('POST', '/api/v1/integrations', {
    name: 'storm',
    kind: 'alertmanager',
  })) as {
    id: string;
    token: string;
  };
  const url = `${base}/api/v1/integrations/${integration.id}/webhook`;
  const names = Math.max(1, Math.round(Math.sqrt(groups)));
  const services = Math.max(1, Math.ceil(groups / names));

  const webhookMs: number[] = [];
  const rss: { atSeconds: number; mb: number }[] = [];
  const started = performance.now();
  const rssTimer = setInterval(() => {
    rss.push({ atSeconds: Math.round((performance.now() - started) / 1000), mb: rssMb(server.pid ?? 0) });
  }, 5000);
  rss.push({ atSeconds: 0, mb: rssMb(server.pid ?? 0) });

  let seq = 0;
  let errors = 0;
  const errorSamples = new Set<string>();
  const sentLog: { labels: Record<string, string>; startsAt: string }[] = [];
  const inFlight = new Set<Promise<void>>();
  const send = (alerts: unknown[]) => {
    const t0 = performance.now();
    const p = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${integration.token}` },
      body: JSON.stringify({ version: '4', status: 'firing', receiver: 'steady', alerts }),
    })
      .then(async (r) => {
        if (r.status !== 202) {
          errors++;
          errorSamples.add(`${r.status} ${(await r.text()).slice(0, 200)}`);
        }
        webhookMs.push(performance.now() - t0);
      })
      .catch((err: Error) => {
        errors++;
        errorSamples.add(String(err.cause ?? err.message).slice(0, 200));
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  // Paced in 100 ms ticks; each tick sends its share of the minute's alerts in batches.
  const totalTicks = minutes * 600;
  const perTick = perMinute / 600;
  let owed = 0;
  let calls = 0;
  for (let tick = 0; tick < totalTicks; tick++) {
    owed += perTick;
    while (owed >= batch) {
      owed -= batch;
      const alerts = [];
      for (let i = 0; i < batch; i++, seq++) {
        const labels = {
          alertname: `Storm${seq % names}`,
          service: `svc-${Math.floor(seq / names) % services}`,
          instance: `host-${seq}`,
          severity: seq % 3 === 0 ? 'critical' : 'warning',
        };
        const startsAt = new Date().toISOString();
        alerts.push({ status: 'firing', labels, annotations: { sent_at: String(Date.now()) }, startsAt });
        sentLog.push({ labels, startsAt });
      }
      calls++;
      // One call in ten also resolves a batch sent about a minute earlier.
      const old = sentLog.length > perMinute + batch ? sentLog.slice(-perMinute - batch, -perMinute) : [];
      if (calls % 10 === 0 && old.length > 0)
        alerts.push(
          ...old.map((o) => ({
            status: 'resolved',
            labels: o.labels,
            startsAt: o.startsAt,
            endsAt: new Date().toISOString(),
          })),
        );
      send(alerts);
    }
    if (sentLog.length > perMinute * 2) sentLog.splice(0, sentLog.length - perMinute * 2);
    const next = started + (tick + 1) * 100;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  await Promise.all([...inFlight]);
  await new Promise((r) => setTimeout(r, 3000)); // the last flushes
  clearInterval(rssTimer);
  rss.push({ atSeconds: Math.round((performance.now() - started) / 1000), mb: rssMb(server.pid ?? 0) });

  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));

  const database = openDatabase({ databaseUrl: '', dataDir, dbPoolMax: 1 });
  const { db } = database;
  const handed = await db
    .selectFrom('alertGroupMembers')
    .innerJoin('alerts', 'alerts.id', 'alertGroupMembers.alertId')
    .select(['alerts.annotations', 'alertGroupMembers.handedAt', 'alertGroupMembers.groupKey'])
    .where('alertGroupMembers.handedAt', 'is not', null)
    .execute();
  const sentAt = (a: string) => Number((JSON.parse(a) as { sent_at?: string }).sent_at);
  const intakeToHandOver = handed.map((h) => (h.handedAt ?? 0) - sentAt(h.annotations));
  const firstSent = new Map<string, number>();
  for (const h of handed) {
    const s = sentAt(h.annotations);
    if (s < (firstSent.get(h.groupKey) ?? Number.POSITIVE_INFINITY)) firstSent.set(h.groupKey, s);
  }
  const incidents = await db
    .selectFrom('incidents')
    .select(['groupKey', 'createdAt'])
    .where('groupKey', 'is not', null)
    .execute();
  const intakeToIncident = incidents
    .filter((i) => i.groupKey && firstSent.has(i.groupKey))
    .map((i) => i.createdAt - (firstSent.get(i.groupKey ?? '') ?? 0));
  const counts = await db
    .selectFrom('alerts')
    .select([
      sql<number>`count(*)`.as('total'),
      sql<number>`sum(case when status = 'resolved' then 1 else 0 end)`.as('resolved'),
    ])
    .executeTakeFirstOrThrow();
  await database.close();

  const mbs = rss.map((r) => r.mb);
  const firstHalf = mbs.slice(Math.floor(mbs.length / 4), Math.floor(mbs.length / 2));
  const lastHalf = mbs.slice(Math.floor(mbs.length / 2));
  console.log(
    JSON.stringify(
      {
        benchmark: 'alert-storm',
        engine: 'sqlite',
        minutes,
        alertsPerMinute: perMinute,
        alertsPerCall: batch,
        // intakeToIncident includes group_wait by design; with 0 it is the pipeline's own latency, and a
        // route with group_wait W adds exactly W. intakeToHandOver includes group_interval for alerts that
        // join a group after its first flush (they wait for the next one, as in Alertmanager).
        routing: { groupBy: ['alertname', 'service'], groupWaitSeconds: 0, groupIntervalSeconds: 60 },
        webhookCalls: calls,
        alertsSent: seq,
        webhookErrors: errors,
        errorSamples: [...errorSamples].slice(0, 5),
        alertsStored: Number(counts.total),
        alertsResolved: Number(counts.resolved),
        groups: firstSent.size,
        incidentsCreated: incidents.length,
        intakeToIncidentMs: summary(intakeToIncident),
        intakeToHandOverMs: summary(intakeToHandOver),
        webhookReplyMs: summary(webhookMs),
        rssMb: {
          start: mbs[0],
          max: Math.max(...mbs),
          end: mbs.at(-1),
          meanSecondQuarter: firstHalf.length
            ? Math.round(firstHalf.reduce((a, b) => a + b, 0) / firstHalf.length)
            : null,
          meanSecondHalf: lastHalf.length
            ? Math.round(lastHalf.reduce((a, b) => a + b, 0) / lastHalf.length)
            : null,
          samples: rss,
        },
      },
      null,
      2,
    ),
  );
} finally {
  if (server.exitCode === null) server.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}
