/**
 * Alert latency: from a sample that crosses a threshold rule to the notification at a webhook receiver.
 *
 *   npm run bench:alert-latency -- [--runs 50] [--default-runs 5] [--tuned-runs 50] [--warmup 3]
 *
 * Steady runs as its own process on the embedded store (SQLite), set up through its API: an ingest
 * token, a threshold rule `bench_latency > 5`, a routing tree whose default route groups by every label
 * with group_wait 0 and pages an escalation policy whose first step is the admin user, a generic webhook
 * channel to the bench's receiver, and the admin's P1 notification rule using it. Each run POSTs one
 * sample above the threshold for a fresh series to /api/v1/ingest and times until the signed webhook
 * arrives; the series is then resolved (a sample below the threshold).
 *
 * The same signal through Debian's Prometheus + Alertmanager: Prometheus scrapes a gauge the bench
 * flips, rule `bench_latency > 0.5` with `for: 0s`, Alertmanager's webhook receiver posts to the bench.
 * Twice: with their default timings (scrape and evaluation 1m, group_wait 30s; few runs, run alongside
 * the others because each takes up to two minutes) and with their lowest sensible ones (1s, 1s,
 * group_wait 0s, group_interval 1s). Both route by (alertname, run), so every run is a new group.
 * Runs start at a random point of the scrape interval. Prints one JSON object.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../test/helpers/pg-cluster.ts';
import { type PromTimings, startPromStack } from './lib/prom-stack.ts';
import { adminSession, latencySummary } from './lib/steady-api.ts';
import { type Arrival, startReceiver, type WebhookReceiver } from './lib/webhook-receiver.ts';
import { startServer, stopServer } from './steady-server.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    'default-runs': { type: 'string', default: '5' },
    'tuned-runs': { type: 'string' },
    warmup: { type: 'string', default: '3' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log(
    'Usage: npm run bench:alert-latency -- [--runs 50] [--default-runs 5] [--tuned-runs <runs>] [--warmup 3]\n' +
      '  --runs          Steady runs\n' +
      '  --default-runs  Prometheus + Alertmanager runs with their default timings (0 skips them)\n' +
      '  --tuned-runs    Prometheus + Alertmanager runs with 1s timings (default: --runs)\n' +
      '  --warmup        untimed runs first, per system',
  );
  process.exit(0);
}
const runs = Number(args.runs);
const defaultRuns = Number(args['default-runs']);
const tunedRuns = Number(args['tuned-runs'] ?? args.runs);
const warmup = Number(args.warmup);
const ADMIN_PASSWORD = 'bench-admin-password';
const SIGNING_SECRET = randomBytes(24).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const label = (system: string, i: number) => `${system}${i}Z`; // "s1Z" is no substring of "s10Z"

const DEFAULT_TIMINGS: PromTimings = {
  scrapeInterval: null,
  evaluationInterval: null,
  groupWait: null,
  groupInterval: null,
  repeatInterval: null,
  resolveTimeout: null,
};
const TUNED_TIMINGS: PromTimings = {
  scrapeInterval: '1s',
  evaluationInterval: '1s',
  groupWait: '0s',
  groupInterval: '1s',
  repeatInterval: '1h',
  resolveTimeout: '5s',
};

/** Steady: set up through the API, then `count` timed runs (after `warm` untimed ones). */
async function benchSteady(receiver: WebhookReceiver, dir: string) {
  const port = await freePort();
  const server = await startServer({ databaseUrl: '', dataDir: dir, dbPoolMax: 1 }, port);
  const base = `http://127.0.0.1:${port}`;
  let signatureFailures = 0;
  try {
    const { userId, call } = await adminSession(base, 'admin', ADMIN_PASSWORD);
    const { secret: ingestToken } = await call<{ secret: string }>('POST', '/api/v1/tokens', {
      name: 'alert-latency bench',
      scopes: ['ingest'],
    });
    const channel = await call<{ id: string }>('POST', '/api/v1/notify/channels', {
      name: 'bench receiver',
      kind: 'webhook',
      settings: { url: receiver.url('/steady') },
      secrets: { signingSecret: SIGNING_SECRET },
    });
    await call('PUT', '/api/v1/notify/me/rules', {
      rules: [{ severity: 'P1', channelId: channel.id, delayMinutes: 0 }],
    });
    const policy = await call<{ id: string }>('POST', '/api/v1/escalation-policies', {
      name: 'bench',
      steps: [{ targets: [{ type: 'user', id: userId }], waitMinutes: 60 }],
    });
    await call('PUT', '/api/v1/alert-routing', {
      route: {
        id: 'default',
        groupBy: ['...'],
        groupWaitSeconds: 0,
        groupIntervalSeconds: 60,
        escalationPolicyId: policy.id,
      },
    });
    await call('POST', '/api/v1/rules', {
      name: 'BenchLatency',
      kind: 'threshold',
      severity: 'P1',
      summary: 'bench run {{ $labels.run }} at {{ $value }}',
      spec: { query: 'bench_latency', op: '>', value: 5, forSeconds: 0 },
    });

    const ingest = async (run: string, value: number) => {
      const res = await fetch(`${base}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestToken}` },
        body: JSON.stringify({
          series: [{ labels: { __name__: 'bench_latency', run }, points: [[Date.now(), value]] }],
        }),
      });
      if (!res.ok) throw new Error(`ingest: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    const verify = (a: Arrival) => {
      const ts = String(a.headers['x-steady-timestamp'] ?? '');
      const expected = `v1=${createHmac('sha256', SIGNING_SECRET).update(`${ts}.${a.raw}`).digest('hex')}`;
      if (a.headers['x-steady-signature'] !== expected) signatureFailures++;
    };

    const times: number[] = [];
    let example: unknown = null;
    for (let i = 0; i < warmup + runs; i++) {
      const run = label('s', i);
      const arrived = receiver.next('/steady', (a) => a.raw.includes(`bench run ${run} `), 30_000);
      const t0 = performance.now();
      await ingest(run, 10);
      const a = await arrived;
      verify(a);
      if (i >= warmup) times.push(a.at - t0);
      example ??= a.body;
      await ingest(run, 0);
      await sleep(200 + Math.random() * 100);
    }
    return { times, signatureFailures, example };
  } finally {
    await stopServer(server);
  }
}

/** Prometheus + Alertmanager: flip the scraped gauge, time until Alertmanager's webhook says firing. */
async function benchPrometheus(
  receiver: WebhookReceiver,
  dir: string,
  name: string,
  timings: PromTimings,
  count: number,
  warm: number,
) {
  const state = { run: '', value: 0 };
  receiver.serve(`/metrics-${name}`, () =>
    state.run
      ? `# TYPE bench_latency gauge\nbench_latency{run="${state.run}"} ${state.value}\n`
      : '# TYPE bench_latency gauge\n',
  );
  const stack = await startPromStack({
    dir,
    timings,
    scrapeUrl: new URL(receiver.url(`/metrics-${name}`)),
    webhookUrl: receiver.url(`/am-${name}`),
    metric: 'bench_latency',
    threshold: 0.5,
  });
  const intervalMs =
    timings.scrapeInterval === null ? 60_000 : Number.parseFloat(timings.scrapeInterval) * 1000;
  try {
    const times: number[] = [];
    for (let i = 0; i < warm + count; i++) {
      const run = label(name[0] ?? 'p', i);
      // Start anywhere in the scrape/evaluation cycle, not in step with the previous run's notification.
      await sleep(Math.random() * intervalMs);
      const arrived = receiver.next(
        `/am-${name}`,
        (a) =>
          (a.body as { alerts?: { status: string; labels: Record<string, string> }[] } | null)?.alerts?.some(
            (x) => x.status === 'firing' && x.labels.run === run,
          ) ?? false,
        5 * 60_000,
      );
      const t0 = performance.now();
      state.run = run;
      state.value = 1;
      const a = await arrived;
      if (i >= warm) times.push(a.at - t0);
      state.value = 0;
      // Let the resolution go through before the next run.
      await sleep(Math.min(intervalMs * 2, 5_000));
    }
    return { times };
  } finally {
    await stack.stop();
  }
}

const root = mkdtempSync(join(tmpdir(), 'steady-alert-latency-'));
const receiver = await startReceiver();
try {
  // The default-timing stack takes minutes per run, waiting on its own timers: run it alongside.
  const defaults =
    defaultRuns > 0
      ? benchPrometheus(receiver, join(root, 'prom-default'), 'default', DEFAULT_TIMINGS, defaultRuns, 0)
      : Promise.resolve({ times: [] as number[] });
  const steady = await benchSteady(receiver, join(root, 'steady'));
  const tuned = await benchPrometheus(
    receiver,
    join(root, 'prom-tuned'),
    'tuned',
    TUNED_TIMINGS,
    tunedRuns,
    Math.min(warmup, 1),
  );
  const prometheusDefault = await defaults;

  const s = latencySummary(steady.times);
  const d = latencySummary(prometheusDefault.times);
  const t = latencySummary(tuned.times);
  const ratio = (a: number | null, b: number | null) =>
    a === null || b === null || b === 0 ? null : Math.round((a / b) * 10) / 10;
  console.log(
    JSON.stringify(
      {
        benchmark: 'alert-latency',
        unit: 'ms',
        cores: cpus().length,
        measures: 'sample sent (or gauge flipped) → notification webhook received',
        steady: {
          ...s,
          engine: 'sqlite',
          path: 'POST /api/v1/ingest → threshold rule → alerts (group_wait 0) → incident → escalation step 1 → outbox → signed webhook',
          warmupRuns: warmup,
          signatureFailures: steady.signatureFailures,
        },
        prometheusDefault: {
          ...d,
          settings:
            'scrape_interval 1m, evaluation_interval 1m (defaults); group_wait 30s, group_interval 5m (defaults); group_by [alertname, run]',
        },
        prometheusTuned: {
          ...t,
          settings:
            'scrape_interval 1s, evaluation_interval 1s; group_wait 0s, group_interval 1s; group_by [alertname, run]',
        },
        ratios: {
          prometheusDefaultP99OverSteadyP99: ratio(d.p99, s.p99),
          prometheusTunedP99OverSteadyP99: ratio(t.p99, s.p99),
          prometheusDefaultP50OverSteadyP50: ratio(d.p50, s.p50),
          prometheusTunedP50OverSteadyP50: ratio(t.p50, s.p50),
        },
        target: { steadyP99UnderMs: 1000, met: s.p99 !== null && s.p99 < 1000 },
        steadyExampleMessage: steady.example,
      },
      null,
      2,
    ),
  );
} finally {
  await receiver.close();
  rmSync(root, { recursive: true, force: true });
}
