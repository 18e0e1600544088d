/**
 * Early warning: does Steady, with the rules it ships (src/demo/rules.ts, the set `steady demo` seeds),
 * raise an alert before customers feel a fault, and how often does it alert when nothing is wrong?
 *
 *   npm run bench:early-warning -- [--seeds 3] [--scenarios a,b] [--quiet-hours 24] [--parallel 2] [--out runs.json]
 *
 * Per seed, one Steady process (bench/lib/sim-time-server.ts: buildApp on embedded SQLite, its clock
 * set to simulated time by the benchmark) is configured through its API by the demo's `seedShop`. The
 * simulator then runs one timeline: 26 h of history (warm-up: the anomaly detectors need 24 h), a
 * fault-free stretch, then every scenario in turn, each at a different hour of the working day with a
 * cool-down after it. Each simulated minute: move Steady's clock to the minute's end, send the
 * minute's samples through POST /api/v1/write (remote_write, ingest token), post the batch job's
 * heartbeats, wait until rules and due jobs have run. Rules see the samples' own timestamps; `for`
 * expiries, no-data sweeps and `time()` see the clock, which is simulated time (to within a minute).
 * HTTP probes of the storefront are left out (they would wait for real network round trips).
 *
 * A fault is detected by the first rule firing between its start and its end + 30 min; lead time is
 * impact start − detection (negative: late). A firing outside every [start, end + 1 h] window after
 * warm-up is a false alert. Prints one JSON object.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createIngestSink, createSimulation, type FaultTruth, SCENARIOS, SERVICES } from '../sim/index.ts';
import { loginAs } from '../src/demo/api.ts';
import { DEFAULT_RULES } from '../src/demo/rules.ts';
import { seedShop } from '../src/demo/seed.ts';
import { freePort } from '../test/helpers/pg-cluster.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '3' },
    scenarios: { type: 'string' },
    'quiet-hours': { type: 'string', default: '24' },
    parallel: { type: 'string', default: '2' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log(
    'Usage: npm run bench:early-warning -- [--seeds 3] [--scenarios a,b] [--quiet-hours 24] [--parallel 2] [--out runs.json]\n' +
      '  --out: also write every firing and fault truth of each seed to this file (for tuning rules)',
  );
  process.exit(0);
}
const seeds = Array.from({ length: Number(args.seeds) }, (_, i) => 1 + i * 7);
const scenarios = args.scenarios ? args.scenarios.split(',') : SCENARIOS.map((s) => s.name);
const quietMs = Number(args['quiet-hours']) * HOUR;
const HISTORY = 26 * HOUR;
const COOLDOWN = HOUR;
const DETECT_AFTER_END = 30 * MIN;

interface Firing {
  name: string;
  labels: string;
  severity: string;
  startedAt: number;
  endedAt: number | null;
}

async function startSimServer(dir: string, start: number) {
  const port = await freePort();
  const controlPort = await freePort();
  const child: ChildProcess = fork(
    'bench/lib/sim-time-server.ts',
    [dir, String(port), String(controlPort), String(start)],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const control = async (path: string) => {
    const r = await fetch(`http://127.0.0.1:${controlPort}${path}`);
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  return { base: `http://127.0.0.1:${port}`, control, child };
}

async function runSeed(seed: number) {
  // Early morning in Beijing on a weekday (seeded), so the faults start in the working day.
  const start = Date.UTC(2026, 0, 4, 16, 0) + (seed % 5) * 86_400_000 - 4 * HOUR;
  const dir = mkdtempSync(join(tmpdir(), 'steady-ew-'));
  const server = await startSimServer(dir, start);
  try {
    const call = await loginAs(server.base, 'admin', 'bench-admin-password');
    const setup = await seedShop(call, { rotationStart: '2026-01-05' });
    const sink = createIngestSink({ url: server.base, token: setup.ingestToken, format: 'remote-write' });
    // Faults follow each other, each after the previous one's end and a cool-down, so they fall at
    // different hours of the day (some at night, when customers may never notice).
    const faultFrom = start + HISTORY + quietMs;
    let slot = faultFrom;
    const requests = scenarios.map((name) => {
      const def = SCENARIOS.find((s) => s.name === name)!;
      const at = slot;
      slot = at + def.defaultDurationMs + COOLDOWN;
      return { name, at };
    });
    const end = slot;
    const sim = createSimulation({ seed, start, scenarios: requests });
    const t0 = Date.now();
    for (let t = start; t < end; ) {
      const step = t < start + HISTORY ? 10 * MIN : MIN;
      t = Math.min(end, t + step);
      await server.control(`/clock?t=${t}`);
      const out = sim.step(t);
      await sink.write(out.series);
      await sink.flush();
      for (const e of out.events)
        if (e.type === 'heartbeat')
          await fetch(`${server.base}${setup.heartbeatPath}`, { method: 'POST' }).then((r) =>
            r.arrayBuffer(),
          );
      await server.control('/settle');
    }
    const firings = (await server.control('/firings')) as Firing[];
    return {
      seed,
      start,
      faultFrom,
      end,
      truths: sim.truth(),
      firings,
      wallSeconds: (Date.now() - t0) / 1000,
    };
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

function score(run: Awaited<ReturnType<typeof runSeed>>) {
  const warm = run.start + HISTORY;
  const faults = run.truths.map((f: FaultTruth) => {
    const hit = run.firings.find(
      (x) => x.startedAt >= f.faultStart && x.startedAt <= f.end + DETECT_AFTER_END,
    );
    const leadMin = hit && f.impactStart !== null ? (f.impactStart - hit.startedAt) / MIN : null;
    return {
      seed: run.seed,
      scenario: f.scenario,
      detected: !!hit,
      firstRule: hit?.name ?? null,
      detectedAfterStartMin: hit ? Math.round((hit.startedAt - f.faultStart) / MIN) : null,
      impactAfterStartMin: f.impactStart === null ? null : Math.round((f.impactStart - f.faultStart) / MIN),
      leadTimeMin: leadMin === null ? null : Math.round(leadMin * 10) / 10,
      // No customer impact at all: detection during the fault counts as early.
      early: !!hit && (f.impactStart === null || hit.startedAt <= f.impactStart),
    };
  });
  const inFault = (t: number) => run.truths.some((f) => t >= f.faultStart && t <= f.end + COOLDOWN);
  const falseAlerts = run.firings.filter((x) => x.startedAt >= warm && !inFault(x.startedAt));
  // Time outside fault windows after warm-up.
  let quiet = run.end - warm;
  for (const f of run.truths) quiet -= Math.min(run.end, f.end + COOLDOWN) - f.faultStart;
  return { faults, falseAlerts, quietDays: quiet / (24 * HOUR) };
}

const results: Awaited<ReturnType<typeof runSeed>>[] = [];
const queue = [...seeds];
await Promise.all(
  Array.from({ length: Number(args.parallel) }, async () => {
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
      const r = await runSeed(s);
      console.error(`seed ${s}: ${r.wallSeconds.toFixed(0)} s`);
      results.push(r);
    }
  }),
);
if (args.out) writeFileSync(args.out, JSON.stringify(results, null, 1));
const scored = results.map(score);
const faults = scored.flatMap((s) => s.faults);
const falseAlerts = scored.flatMap((s) => s.falseAlerts);
const quietDays = scored.reduce((a, s) => a + s.quietDays, 0);
const byRule: Record<string, number> = {};
for (const f of falseAlerts) byRule[f.name] = (byRule[f.name] ?? 0) + 1;
const perScenario: Record<
  string,
  { detected: number; early: number; runs: number; leadTimesMin: (number | null)[] }
> = {};
for (const f of faults) {
  const e = perScenario[f.scenario] ?? { detected: 0, early: 0, runs: 0, leadTimesMin: [] };
  perScenario[f.scenario] = e;
  e.runs++;
  if (f.detected) e.detected++;
  if (f.early) e.early++;
  e.leadTimesMin.push(f.leadTimeMin);
}
console.log(
  JSON.stringify(
    {
      method:
        'one Steady process per seed, clock = simulated time set by the benchmark each simulated minute; samples through remote_write',
      seeds,
      rules: DEFAULT_RULES.length,
      faults: faults.length,
      earlyWarningRate: Math.round((faults.filter((f) => f.early).length / faults.length) * 1000) / 1000,
      detectionRate: Math.round((faults.filter((f) => f.detected).length / faults.length) * 1000) / 1000,
      falseAlerts: falseAlerts.length,
      quietDays: Math.round(quietDays * 100) / 100,
      falseAlertsPerDay: Math.round((falseAlerts.length / quietDays) * 100) / 100,
      falseAlertsPerServiceDay:
        Math.round((falseAlerts.length / (quietDays * SERVICES.length)) * 1000) / 1000,
      falseAlertsByRule: byRule,
      perScenario,
      details: faults,
    },
    null,
    2,
  ),
);
