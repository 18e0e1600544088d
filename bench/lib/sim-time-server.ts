/**
 * Steady as its own process whose clock is simulated time, for accelerated runs through the real
 * pipeline: the same app as `steady serve` (buildApp), the demo catalog, and a control port (loopback,
 * not part of the app) where the benchmark moves the clock forward and waits until every job that
 * became due (rule `for` expiries, no-data sweeps, escalations, deliveries) has run.
 *
 *   node bench/lib/sim-time-server.ts <dataDir> <port> <controlPort> <startMs>
 */
import http from 'node:http';
import { buildApp, scheduleHousekeeping } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { seedDemo } from '../../src/demo.ts';
import { migrate, openDatabase } from '../../src/platform/db/database.ts';
import { createJobsRepo } from '../../src/platform/jobs/jobs.repo.ts';
import { createLogger } from '../../src/platform/logging.ts';

const [dataDir, port, controlPort, startMs] = process.argv.slice(2);
let now = Number(startMs);
const clock = { now: () => now };
const config = loadConfig(
  { ...process.env, STEADY_DATA_DIR: dataDir!, STEADY_LOG_LEVEL: 'error', STEADY_JOB_POLL_MS: '50' },
  undefined,
  { port: Number(port), host: '127.0.0.1', adminPassword: 'bench-admin-password' },
);
const logger = createLogger(config.logLevel);
const database = openDatabase(config);
await migrate(database);
const app = await buildApp({ config, database, clock, logger });
await app.auth.ensureAdmin(config.adminUsername, config.adminPassword, false);
await seedDemo(database, clock, config);
await scheduleHousekeeping(app, clock);
app.worker.start();
await app.http.listen({ host: '127.0.0.1', port: Number(port) });
const jobs = createJobsRepo(database.db, database.engine);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the rule engine has evaluated what was stored and no due job is left. */
async function settle(): Promise<void> {
  for (let i = 0; i < 400; i++) {
    await app.detection.engine?.idle();
    const c = await jobs.countByState(now);
    if (c.due === 0 && c.running === 0) return;
    app.worker.wake();
    await sleep(10);
  }
}

const control = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://control');
  try {
    if (url.pathname === '/clock') {
      const t = Number(url.searchParams.get('t'));
      if (t > now) now = t;
      app.worker.wake();
      await settle();
      res.end(JSON.stringify({ now }));
    } else if (url.pathname === '/settle') {
      await settle();
      res.end('{}');
    } else if (url.pathname === '/firings') {
      const rows = await database.db
        .selectFrom('ruleFirings as f')
        .innerJoin('alertRules as r', 'r.id', 'f.ruleId')
        .select(['r.name', 'f.labels', 'f.severity', 'f.startedAt', 'f.endedAt'])
        .orderBy('f.startedAt')
        .execute();
      res.end(JSON.stringify(rows));
    } else {
      res.statusCode = 404;
      res.end();
    }
  } catch (err) {
    res.statusCode = 500;
    res.end(String(err));
  }
});
control.listen(Number(controlPort), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', async () => {
  control.close();
  await app.close();
  process.exit(0);
});
