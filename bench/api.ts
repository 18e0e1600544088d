/**
 * API benchmark: authenticated list endpoints under load, on embedded SQLite and on PostgreSQL.
 * The server runs as its own process (`steady serve`), exactly as deployed; autocannon loads it from here.
 *
 *   npm run bench:api -- [--duration 10] [--connections 20] [--services 200] [--audit 20000]
 *
 * Prints one JSON object: per engine and endpoint, requests/s and latency p50/p99 in ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import pg from 'pg';
import { createServices } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { auditRepo, systemActor } from '../src/platform/audit/audit.repo.ts';
import { systemClock } from '../src/platform/clock.ts';
import { migrate, openDatabase } from '../src/platform/db/database.ts';
import type { Engine } from '../src/platform/db/engine.ts';
import { findPgBin, freePort, startPgCluster } from '../test/helpers/pg-cluster.ts';
import { startServer } from './steady-server.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
    services: { type: 'string', default: '200' },
    audit: { type: 'string', default: '20000' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log('Usage: npm run bench:api -- [--duration s] [--connections n] [--services n] [--audit n]');
  process.exit(0);
}
const duration = Number(args.duration);
const connections = Number(args.connections);

interface Settings {
  databaseUrl: string;
  dataDir: string;
  dbPoolMax: number;
}

/** Creates the data the endpoints list, through the services (so it is what the product writes). */
async function seed(settings: Settings): Promise<string> {
  const database = openDatabase(settings);
  await migrate(database);
  const { users, catalog } = createServices({ db: database.db, clock: systemClock, config: loadConfig({}) });
  const actor = systemActor('bench');
  const admin = await users.create(actor, {
    username: 'bench',
    displayName: 'Bench',
    role: 'admin',
    locale: 'en',
    password: 'bench-password',
  });
  const teams = [];
  for (let i = 0; i < 10; i++)
    teams.push(await catalog.createTeam(actor, { name: `team-${i}`, description: '' }));
  for (let i = 0; i < Number(args.services); i++) {
    await catalog.createService(actor, {
      name: `svc-${i}`,
      description: `Service number ${i}`,
      ownerTeamId: teams[i % teams.length]?.id ?? null,
      tier: (i % 3) + 1,
      tags: ['bench', `group-${i % 7}`],
      links: [],
    });
  }
  // Audit history beyond what the seeding wrote, as months of use would leave.
  const extra = Number(args.audit);
  for (let i = 0; i < extra; i += 500) {
    await database.db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(extra, i + 500); j++) {
        await auditRepo.append(trx, systemClock.now(), actor, {
          action: 'service.update',
          entityType: 'service',
          entityId: null,
          before: { tier: 2 },
          after: { tier: 1 },
        });
      }
    });
  }
  // Months of use would also have left planner statistics (autovacuum's ANALYZE on PostgreSQL); without
  // them PostgreSQL guesses that a filter matches a few rows and sorts every match of a common one.
  await sql`ANALYZE`.execute(database.db);
  const principal = {
    kind: 'user' as const,
    userId: admin.id,
    username: admin.username,
    displayName: admin.displayName,
    role: admin.role,
    locale: admin.locale,
    scopes: null,
    sessionId: null,
    tokenId: null,
  };
  const { secret } = await users.createToken(principal, actor, { name: 'bench', scopes: ['read'] });
  await database.close();
  return secret;
}

async function load(url: string, token: string) {
  const result = await autocannon({
    url,
    connections,
    duration,
    headers: { authorization: `Bearer ${token}` },
  });
  if (result.non2xx > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers`);
  return {
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    requests: result.requests.total,
    errors: result.errors,
  };
}

async function runEngine(engine: Engine, pgUrl: string | undefined) {
  const dataDir = mkdtempSync(join(tmpdir(), 'steady-bench-'));
  let databaseUrl = '';
  if (engine === 'postgres') {
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE steady_bench');
    await admin.end();
    databaseUrl = pgUrl!.replace(/\/postgres$/, '/steady_bench');
  }
  const settings = { databaseUrl, dataDir, dbPoolMax: 10 };
  const token = await seed(settings);
  const port = await freePort();
  const server = await startServer(settings, port);
  try {
    const base = `http://127.0.0.1:${port}`;
    return {
      [`GET /api/v1/services (${args.services} services)`]: await load(`${base}/api/v1/services`, token),
      'GET /api/v1/services?q=svc-1&tier=1': await load(`${base}/api/v1/services?q=svc-1&tier=1`, token),
      [`GET /api/v1/audit?limit=50 (${args.audit}+ entries)`]: await load(
        `${base}/api/v1/audit?limit=50`,
        token,
      ),
      'GET /api/v1/audit?entityType=service&limit=50': await load(
        `${base}/api/v1/audit?entityType=service&limit=50`,
        token,
      ),
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const bin = findPgBin();
const cluster = process.env.STEADY_TEST_PG_URL
  ? undefined
  : bin
    ? await startPgCluster(bin, { durable: true })
    : undefined;
const pgUrl = process.env.STEADY_TEST_PG_URL ?? cluster?.url;
try {
  const result = {
    benchmark: 'api',
    durationSecondsPerEndpoint: duration,
    connections,
    sqlite: await runEngine('sqlite', undefined),
    postgres: pgUrl ? await runEngine('postgres', pgUrl) : 'skipped: no PostgreSQL',
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  cluster?.stop();
}
