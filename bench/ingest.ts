/**
 * Ingest benchmark: Prometheus remote_write samples/s accepted and stored, by Steady on the embedded
 * SQLite store, Steady on PostgreSQL, and Debian's Prometheus with --web.enable-remote-write-receiver,
 * in the same run, with the same pre-encoded payloads sent by the same client.
 *
 *   npm run bench:ingest -- [--duration 10] [--series 10000] [--batch 2000] [--rounds 600]
 *                             [--targets sqlite,postgres,prometheus]
 *
 * Payloads are shaped as Prometheus sends them: the series are split into shards of `batch` series, each
 * request carries one sample of every series of its shard, and each shard sends its requests one after
 * the other (as a remote_write shard does), so timestamps arrive in order per series. All shards run at
 * once. Steady runs as its own process (`steady serve`). Prints one JSON object. Each receiver's CPU time
 * per sample (its own process, all threads) is reported too, as it stays comparable when other work
 * shares the machine's cores, and so is PostgreSQL's (the postmaster and its backends) when the benchmark
 * started the cluster.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createServices } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { encodeRemoteWrite, remoteWriteHeaders } from '../src/modules/signals/index.ts';
import { systemActor } from '../src/platform/audit/audit.repo.ts';
import { systemClock } from '../src/platform/clock.ts';
import { migrate, openDatabase } from '../src/platform/db/database.ts';
import { findPgBin, freePort, startPgCluster } from '../test/helpers/pg-cluster.ts';
import { cpuSeconds, treeCpuSeconds } from './lib/proc-stats.ts';
import { type ServerSettings, startServer, stopServer } from './steady-server.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    series: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '600' },
    prometheus: { type: 'string', default: '/usr/bin/prometheus' },
    // A subset, for profiling one target (ratios need prometheus).
    targets: { type: 'string', default: 'sqlite,postgres,prometheus' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log(
    'Usage: npm run bench:ingest -- [--duration s] [--series n] [--batch n] [--rounds n] [--targets list]',
  );
  process.exit(0);
}
const duration = Number(args.duration);
const seriesCount = Number(args.series);
const batch = Number(args.batch);
const rounds = Number(args.rounds);
const shards = Math.ceil(seriesCount / batch);
const targets = new Set(String(args.targets).split(','));

/** Pre-encoded requests per shard, in send order; the client does no encoding while measuring. */
async function generate(): Promise<{ bodies: Buffer[][]; bytes: number }> {
  const start = Date.now();
  const bodies: Buffer[][] = [];
  let bytes = 0;
  for (let shard = 0; shard < shards; shard++) {
    const labels = [];
    for (let i = shard * batch; i < Math.min(seriesCount, (shard + 1) * batch); i++) {
      labels.push({
        __name__: `bench_metric_${i % 200}`,
        job: 'bench',
        instance: `host-${Math.floor(i / 200)}:9100`,
        shard: String(shard),
        series: String(i),
      });
    }
    const list: Buffer[] = [];
    for (let r = 0; r < rounds; r++) {
      const ts = start + r * 1000;
      const body = await encodeRemoteWrite(
        labels.map((l, i) => ({ labels: l, points: [{ ts, value: (r * 7 + i) % 1000 }] })),
      );
      bytes += body.length;
      list.push(body);
    }
    bodies.push(list);
  }
  return { bodies, bytes };
}

function post(
  agent: Agent,
  port: number,
  path: string,
  body: Buffer,
  auth: string | undefined,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: {
          ...remoteWriteHeaders,
          'content-length': body.length,
          ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Every shard sends its requests in order, all shards at once, for `duration` seconds or until done. */
async function load(
  port: number,
  path: string,
  bodies: Buffer[][],
  pid: number | undefined,
  auth?: string,
  dbPid?: number,
) {
  const agent = new Agent({ keepAlive: true, maxSockets: shards });
  const cpuBefore = pid ? cpuSeconds(pid) : 0;
  const dbCpuBefore = dbPid ? treeCpuSeconds(dbPid) : 0;
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let samples = 0;
  let firstError = '';
  const started = performance.now();
  const deadline = started + duration * 1000;
  let exhausted = false;
  await Promise.all(
    bodies.map(async (list, shard) => {
      const perRequest = Math.min(batch, seriesCount - shard * batch);
      for (const body of list) {
        if (performance.now() >= deadline) return;
        const t = performance.now();
        const status = await post(agent, port, path, body, auth);
        latencies.push(performance.now() - t);
        if (status >= 200 && status < 300) {
          ok++;
          samples += perRequest;
        } else {
          failed++;
          firstError ||= `HTTP ${status}`;
        }
      }
      exhausted = true;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  // CPU the receiving process spent (all its threads): comparable even when other work shares the cores.
  const cpu = pid ? cpuSeconds(pid) - cpuBefore : undefined;
  const dbCpu = dbPid ? treeCpuSeconds(dbPid) - dbCpuBefore : undefined;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round((latencies[Math.floor((latencies.length - 1) * p)] ?? 0) * 10) / 10;
  return {
    samplesPerSecond: Math.round(samples / seconds),
    samples,
    requests: ok,
    failedRequests: failed,
    ...(firstError ? { firstError } : {}),
    seconds: Math.round(seconds * 100) / 100,
    latencyMs: { p50: pct(0.5), p99: pct(0.99) },
    ...(cpu !== undefined && samples > 0
      ? {
          serverCpuSeconds: Math.round(cpu * 100) / 100,
          serverCpuMicrosPerSample: Math.round((cpu / samples) * 1e8) / 100,
        }
      : {}),
    ...(dbCpu !== undefined && samples > 0
      ? {
          databaseCpuSeconds: Math.round(dbCpu * 100) / 100,
          databaseCpuMicrosPerSample: Math.round((dbCpu / samples) * 1e8) / 100,
        }
      : {}),
    ...(exhausted ? { note: 'payloads ran out before the duration; raise --rounds' } : {}),
  };
}

/** A fresh Steady database with an ingest token, created through the services (as the product does). */
async function seed(settings: ServerSettings): Promise<string> {
  const database = openDatabase(settings);
  await migrate(database);
  const { users } = createServices({ db: database.db, clock: systemClock, config: loadConfig({}) });
  const actor = systemActor('bench');
  const user = await users.create(actor, {
    username: 'bench-agent',
    displayName: 'Bench agent',
    role: 'agent',
    locale: 'en',
    password: 'bench-password',
  });
  const principal = {
    kind: 'user' as const,
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    locale: user.locale,
    scopes: null,
    sessionId: null,
    tokenId: null,
  };
  const { secret } = await users.createToken(principal, actor, { name: 'bench', scopes: ['ingest'] });
  await database.close();
  return secret;
}

async function runSteady(bodies: Buffer[][], databaseUrl: string, dbPid?: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'steady-bench-ingest-'));
  const settings = { databaseUrl, dataDir, dbPoolMax: 10 };
  const token = await seed(settings);
  const port = await freePort();
  // Room for every series the run writes, and bodies as large as the batches.
  const server = await startServer(settings, port, {
    STEADY_METRICS_MAX_SERIES: String(Math.max(100_000, seriesCount * 2)),
  });
  try {
    return await load(port, '/api/v1/write', bodies, server.pid, token, dbPid);
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runPrometheus(bodies: Buffer[][]) {
  const dir = mkdtempSync(join(tmpdir(), 'steady-bench-prom-'));
  writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
  const port = await freePort();
  const child: ChildProcess = spawn(
    args.prometheus as string,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
    ],
    { stdio: 'ignore' },
  );
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok) break;
      } catch {}
      if (i > 200) throw new Error('prometheus did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    return await load(port, '/api/v1/write', bodies, child.pid);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const generated = await generate();
const bin = findPgBin();
const cluster = process.env.STEADY_TEST_PG_URL
  ? undefined
  : bin
    ? await startPgCluster(bin, { durable: true })
    : undefined;
const pgAdmin = process.env.STEADY_TEST_PG_URL ?? cluster?.url;
try {
  type Outcome = Awaited<ReturnType<typeof runSteady>> | string;
  const sqlite: Outcome = targets.has('sqlite') ? await runSteady(generated.bodies, '') : 'skipped';
  let postgres: Outcome = 'skipped: no PostgreSQL';
  if (!targets.has('postgres')) postgres = 'skipped';
  else if (pgAdmin) {
    const admin = new pg.Client({ connectionString: pgAdmin });
    await admin.connect();
    await admin.query('CREATE DATABASE steady_bench_ingest');
    await admin.end();
    const url = new URL(pgAdmin);
    url.pathname = '/steady_bench_ingest';
    postgres = await runSteady(generated.bodies, url.toString(), cluster?.pid());
  }
  const prometheus: Outcome = targets.has('prometheus') ? await runPrometheus(generated.bodies) : 'skipped';
  const ratio = (r: Outcome) =>
    typeof r === 'string' || typeof prometheus === 'string'
      ? null
      : Math.round((r.samplesPerSecond / prometheus.samplesPerSecond) * 100) / 100;
  console.log(
    JSON.stringify(
      {
        benchmark: 'ingest',
        durationSeconds: duration,
        series: seriesCount,
        samplesPerRequest: batch,
        shards,
        payloadBytesPerRequest: Math.round(generated.bytes / (shards * rounds)),
        steadySqlite: sqlite,
        steadyPostgres: postgres,
        prometheus,
        ratioSteadyToPrometheus: { sqlite: ratio(sqlite), postgres: ratio(postgres) },
      },
      null,
      2,
    ),
  );
} finally {
  cluster?.stop();
}
