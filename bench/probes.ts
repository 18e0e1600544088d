/**
 * Probe benchmark: N HTTP probes at one interval against a local server (its own process), with Steady
 * as its own process on the embedded database. After the probes are created and one interval of
 * warm-up, it measures for --duration seconds: runs, failures, Steady's CPU and RSS, and how late each
 * run reached the server against its scheduled slot.
 *
 *   npm run bench:probes -- [--probes 10000] [--interval 60] [--duration 180] [--warmup 60]
 *
 * Prints one JSON object.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createProbesService, probesRepo } from '../src/modules/signals/probes/index.ts';
import { createProbeBody } from '../src/modules/signals/probes/probes.schemas.ts';
import { phaseOf } from '../src/modules/signals/probes/schedule.ts';
import { auditRepo, systemActor } from '../src/platform/audit/audit.repo.ts';
import { systemClock } from '../src/platform/clock.ts';
import { migrate, openDatabase } from '../src/platform/db/database.ts';
import { freePort } from '../test/helpers/pg-cluster.ts';
import { cpuSeconds, rssMiB } from './lib/proc-stats.ts';
import { startServer, stopServer } from './steady-server.ts';

const { values: args } = parseArgs({
  options: {
    probes: { type: 'string', default: '10000' },
    interval: { type: 'string', default: '60' },
    duration: { type: 'string', default: '180' },
    warmup: { type: 'string', default: '' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log('Usage: npm run bench:probes -- [--probes n] [--interval s] [--duration s] [--warmup s]');
  process.exit(0);
}
const probes = Number(args.probes);
const intervalMs = Number(args.interval) * 1000;
const durationMs = Number(args.duration) * 1000;
const warmupMs = args.warmup ? Number(args.warmup) * 1000 : intervalMs;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[bench:probes] ${msg}\n`);

/**
 * Creates the probes through the probes service (validation, audit) before Steady starts; Steady's
 * start-up then schedules every enabled probe, as after any restart.
 */
async function seedProbes(settings: {
  databaseUrl: string;
  dataDir: string;
  dbPoolMax: number;
}): Promise<string[]> {
  const database = openDatabase(settings);
  const service = createProbesService({
    db: database.db,
    clock: systemClock,
    repo: probesRepo,
    audit: auditRepo,
    runner: {
      scheduleNext: async () => {},
      runNow: async () => {
        throw new Error('unused');
      },
      heartbeat: async () => {
        throw new Error('unused');
      },
    },
    store: undefined,
  });
  const actor = systemActor('bench');
  const ids: string[] = [];
  for (let i = 0; i < probes; i++) {
    const input = createProbeBody.parse({
      name: `bench-${i}`,
      kind: 'http',
      intervalSeconds: intervalMs / 1000,
      timeoutMs: 5000,
      retries: 1,
      labels: { bench: 'probes' },
      http: { url: `http://127.0.0.1:${targetPort}/p/${i}`, bodyContains: 'ok' },
    });
    ids.push((await service.create(actor, input)).id);
  }
  await database.close();
  return ids;
}

const quantile = (sorted: number[], q: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) : 0;

const target = fork(new URL('./probe-target.ts', import.meta.url).pathname, [], {
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const targetPort = await new Promise<number>((resolve) =>
  target.once('message', (m: { port: number }) => resolve(m.port)),
);
const ask = <T>(cmd: string) =>
  new Promise<T>((resolve) => {
    target.once('message', (m) => resolve(m as T));
    target.send({ cmd });
  });

const dataDir = mkdtempSync(join(tmpdir(), 'steady-bench-probes-'));
const settings = { databaseUrl: '', dataDir, dbPoolMax: 10 };
{
  const database = openDatabase(settings);
  await migrate(database);
  await database.close();
}
log(`creating ${probes} probes`);
const created = Date.now();
const ids = await seedProbes(settings);
const creationSeconds = (Date.now() - created) / 1000;
const port = await freePort();
// STEADY_BENCH_NODE_OPTIONS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the Steady process.
const server = await startServer(
  settings,
  port,
  process.env.STEADY_BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.STEADY_BENCH_NODE_OPTIONS } : {},
);
const pid = server.pid ?? 0;
const base = `http://127.0.0.1:${port}`;
try {
  const rssAtStart = rssMiB(pid);
  log(
    `created in ${creationSeconds.toFixed(1)} s; warming up ${warmupMs / 1000} s, then measuring ${durationMs / 1000} s`,
  );
  await sleep(warmupMs);

  const windowStart = Date.now();
  const cpuStart = cpuSeconds(pid);
  const rss = [rssMiB(pid)];
  while (Date.now() - windowStart < durationMs) {
    await sleep(1000);
    rss.push(rssMiB(pid));
  }
  const windowEnd = Date.now();
  const cpuPercent = ((cpuSeconds(pid) - cpuStart) / ((windowEnd - windowStart) / 1000)) * 100;
  const metricsText = await (await fetch(`${base}/metrics`)).text();
  const { arrivals } = await ask<{ arrivals: [number, number][] }>('arrivals');

  // Lateness of a run: how long after its slot (the probe's phase on the interval grid) it reached the server.
  const late: number[] = [];
  const runsPerProbe = new Map<number, number>();
  for (const [i, at] of arrivals) {
    if (at < windowStart || at >= windowEnd) continue;
    const id = ids[i];
    if (!id) continue;
    const phase = phaseOf(id, intervalMs);
    late.push((((at - phase) % intervalMs) + intervalMs) % intervalMs);
    runsPerProbe.set(i, (runsPerProbe.get(i) ?? 0) + 1);
  }
  late.sort((a, b) => a - b);
  const expectedRuns = Math.round((probes * durationMs) / intervalMs);
  const metric = (name: string) =>
    Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metricsText)?.[1] ?? Number.NaN);
  await stopServer(server);

  const database = openDatabase(settings);
  const outcome = await database.db
    .selectFrom('probeResults')
    .select((eb) => [
      eb.fn.countAll<number>().as('runs'),
      eb.fn.count<number>('id').filterWhere('ok', '=', 0).as('failures'),
    ])
    .where('at', '>=', windowStart)
    .where('at', '<', windowEnd)
    .executeTakeFirstOrThrow();
  const failedReasons = await database.db
    .selectFrom('probeResults')
    .select(['reason', (eb) => eb.fn.countAll<number>().as('n')])
    .where('ok', '=', 0)
    .where('at', '>=', windowStart)
    .where('at', '<', windowEnd)
    .groupBy('reason')
    .orderBy('n', 'desc')
    .limit(5)
    .execute();
  await database.close();

  console.log(
    JSON.stringify(
      {
        benchmark: 'probes',
        engine: 'sqlite',
        probes,
        intervalSeconds: intervalMs / 1000,
        measuredSeconds: (windowEnd - windowStart) / 1000,
        creationSeconds,
        runs: {
          expected: expectedRuns,
          recordedBySteady: Number(outcome.runs),
          seenByServer: late.length,
          probesSeenInWindow: runsPerProbe.size,
          failures: Number(outcome.failures),
          failureReasons: failedReasons.map((r) => ({ reason: r.reason, count: Number(r.n) })),
        },
        latenessMs: {
          p50: quantile(late, 0.5),
          p90: quantile(late, 0.9),
          p99: quantile(late, 0.99),
          max: late.at(-1) ?? 0,
          measuredAt: 'arrival of the request at the target server, against the slot time',
        },
        steadyInternalLateness: {
          count: metric('steady_probe_lateness_seconds_count'),
          meanMs: Math.round(
            (metric('steady_probe_lateness_seconds_sum') / metric('steady_probe_lateness_seconds_count')) *
              1000,
          ),
        },
        steadyProcess: {
          cpuPercentOfOneCore: Math.round(cpuPercent * 10) / 10,
          rssMiB: { start: rssAtStart, windowStart: rss[0], peak: Math.max(...rss), end: rss.at(-1) },
        },
      },
      null,
      2,
    ),
  );
} finally {
  await stopServer(server);
  target.send({ cmd: 'stop' });
  rmSync(dataDir, { recursive: true, force: true });
}
