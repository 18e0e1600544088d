#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { type Config, ConfigError, describeSettings, loadConfig } from './config.ts';
import type { DemoSettings } from './demo/cli.ts';
import { generatePassword } from './platform/auth/secrets.ts';
import { systemClock } from './platform/clock.ts';
import { createLogger } from './platform/logging.ts';

// The application, its database drivers and every module load only for commands that use them, so
// `--help`, `config` and configuration errors answer at once.
const loadDatabase = () => import('./platform/db/database.ts');

const HELP: Record<string, string> = {
  main: `Steady: service-quality platform for e-commerce operations.

Usage: steady <command> [options]

Commands:
  serve      run the server (API, console, background jobs)
  demo       run the server with demo teams, services and users
  migrate    apply database migrations and exit
  user       manage users from the shell (create, passwd, disable, list)
  config     print every setting, its environment variable and default

Options for every command:
  --config <file>   JSON settings file (also STEADY_CONFIG); environment variables win over it
  -h, --help        help for the command

Run 'steady <command> --help' for details.`,
  serve: `Usage: steady serve [--config <file>] [--port <n>] [--host <addr>]

Runs the API under /api/v1, the console, /healthz, /readyz, /metrics and /api/docs.
Uses embedded SQLite in STEADY_DATA_DIR (./data) unless DATABASE_URL=postgres://… is set.
Migrations run at start-up. SIGTERM/SIGINT: stop accepting, finish in-flight work, exit 0.`,
  demo: `Usage: steady demo [--config <file>] [--port <n>] [--host <addr>] [--scenario <name>] [--no-fault]
                  [--fault-after <seconds>] [--history-hours <h>] [--seed <n>] [--shop-port <n>]

Like 'serve', plus a simulated shop feeding it. On an empty database it first creates demo teams,
services, users, an on-call schedule, escalation policies, routing, the default rules, probes of the
simulated storefront, a heartbeat monitor, a notification channel to the demo inbox and an ingest token.
It then sends --history-hours (default 26) of simulated history through the ingestion API, runs the
shop in real time, and injects a fault --fault-after seconds after the start (default -150: inside the
end of the history, so its incident opens within the first two minutes; 0 with --scenario; 60 with
--history-hours 0); bad-deploy unless --scenario names another; --no-fault for none.
If a demo is already running on the port, --scenario injects that fault into it now and exits
(POST /api/v1/demo/scenarios, admins only).
The administrator's password is STEADY_ADMIN_PASSWORD, or "steady-demo" for the demo.`,
  migrate: `Usage: steady migrate [--config <file>]

Applies every pending migration to the configured database and exits.`,
  user: `Usage:
  steady user list
  steady user create <username> --role <admin|manager|responder|agent|viewer> [--name <display name>] [--password <pw>]
  steady user passwd <username> [--password <pw>]
  steady user disable <username>

A password that is not given is generated and printed once.`,
  config: `Usage: steady config

Prints every setting with its environment variable, JSON file key and default.`,
};

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      scenario: { type: 'string' },
      'no-fault': { type: 'boolean' },
      'fault-after': { type: 'string' },
      'history-hours': { type: 'string' },
      seed: { type: 'string' },
      'shop-port': { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  if (!command || !(command in HELP) || command === 'main') {
    console.log(HELP.main);
    return command && !values.help ? 2 : 0;
  }
  if (values.help) {
    console.log(HELP[command]);
    if (command === 'demo') console.log(await (await import('./demo/cli.ts')).scenarioHelp());
    return 0;
  }
  if (command === 'config') {
    console.log(describeSettings());
    return 0;
  }

  const overrides: Record<string, unknown> = {};
  if (values.port !== undefined) overrides.port = values.port;
  if (values.host !== undefined) overrides.host = values.host;
  if (command === 'demo' && !process.env.STEADY_ADMIN_PASSWORD) overrides.adminPassword = 'steady-demo';
  const config = loadConfig(process.env, values.config ?? process.env.STEADY_CONFIG, overrides);

  switch (command) {
    case 'serve':
      return serve(config, false);
    case 'demo': {
      const demoCli = await import('./demo/cli.ts');
      const demo = demoCli.demoSettings(values, config);
      if (values.scenario && (await demoCli.injectIntoRunning(config, values.scenario))) return 0;
      return serve(config, demo);
    }
    case 'migrate':
      return runMigrate(config);
    case 'user':
      return manageUsers(config, rest, values);
  }
  return 2;
}

async function runMigrate(config: Config): Promise<number> {
  const { migrate, openDatabase } = await loadDatabase();
  const database = openDatabase(config);
  try {
    const applied = await migrate(database);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : `Up to date (${database.location})`);
    return 0;
  } finally {
    await database.close();
  }
}

async function serve(config: Config, demo: DemoSettings | false): Promise<number> {
  const logger = createLogger(config.logLevel);
  const { migrate, openDatabase } = await loadDatabase();
  const { buildApp, scheduleHousekeeping, scheduleProbes } = await import('./app.ts');
  const database = openDatabase(config);
  const applied = await migrate(database);
  logger.info({ engine: database.engine, location: database.location, applied }, 'database ready');

  const demoHooks = demo ? (await import('./demo/cli.ts')).demoHooks(config, demo) : undefined;
  const app = await buildApp({
    config,
    database,
    clock: systemClock,
    logger,
    ...(demoHooks ? { extraRoutes: demoHooks.routes } : {}),
  });
  const generated = !config.adminPassword;
  const password = config.adminPassword || generatePassword();
  const created = await app.auth.ensureAdmin(config.adminUsername, password, generated);
  if (created) {
    // Printed once, on the first start only: there is no other copy.
    console.log(
      `\n  First start: administrator "${config.adminUsername}" created with password: ${created}\n`,
    );
  }
  if (demo) await (await import('./demo.ts')).seedDemo(database, systemClock, config);
  await scheduleHousekeeping(app, systemClock);
  await scheduleProbes(app, systemClock);
  app.worker.start();
  const address = await app.http.listen({ host: config.host, port: config.port });
  logger.info({ address }, 'steady listening');
  await demoHooks?.start(app.http.server.address());
  if (demo) {
    console.log(
      `\n  Steady demo is running: open ${config.publicUrl.replace(/\/$/, '')}/ and log in as "${config.adminUsername}" ` +
        `with password "${config.adminPassword}".\n  Other demo users (password "steady-demo"): lin.ops (manager), ` +
        `wang.oncall (responder), sara.sre (responder), chen.cs (agent), guest (viewer).\n` +
        `  Inject a fault: steady demo --scenario <name> (steady demo --help lists them). Notifications go to ` +
        `the demo inbox: Response → Delivery log.\n`,
    );
  }

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: finishing in-flight requests and jobs');
      const timer = setTimeout(() => {
        logger.error('shutdown timed out; exiting');
        resolveExit(1);
      }, config.shutdownTimeoutSeconds * 1000);
      timer.unref();
      try {
        await demoHooks?.close();
        await app.close();
        logger.info('shut down cleanly');
        resolveExit(0);
      } catch (err) {
        logger.error({ err }, 'error during shutdown');
        resolveExit(1);
      }
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}

async function manageUsers(
  config: Config,
  args: string[],
  opts: { role?: string | undefined; name?: string | undefined; password?: string | undefined },
): Promise<number> {
  const [action, username] = args;
  const { migrate, openDatabase } = await loadDatabase();
  const { createServices } = await import('./app.ts');
  const { systemActor } = await import('./platform/audit/audit.repo.ts');
  const { authRepo } = await import('./platform/auth/auth.repo.ts');
  const database = openDatabase(config);
  try {
    await migrate(database);
    const { users } = createServices({ db: database.db, clock: systemClock, config });
    const actor = systemActor('cli');
    if (action === 'list') {
      for (const u of await users.list()) {
        console.log(`${u.username}\t${u.role}\t${u.disabledAt ? 'disabled' : 'enabled'}\t${u.displayName}`);
      }
      return 0;
    }
    if (!username) throw new UsageError(HELP.user ?? '');
    const password = opts.password ?? generatePassword();
    const { createUserBody } = await import('./platform/auth/auth.schemas.ts');
    if (action === 'create') {
      const input = createUserBody.parse({
        username,
        displayName: opts.name ?? username,
        role: opts.role,
        password,
      });
      await users.create(actor, input);
    } else {
      const row = await authRepo.findUserByUsername(database.db, username);
      if (!row) throw new UsageError(`No user named "${username}"`);
      if (action === 'passwd') await users.resetPassword(actor, row.id, password);
      else if (action === 'disable') await users.setDisabled(actor, row.id, true);
      else throw new UsageError(HELP.user ?? '');
    }
    if (action !== 'disable' && !opts.password) console.log(`Password for ${username}: ${password}`);
    console.log(`OK: ${action} ${username}`);
    return 0;
  } finally {
    await database.close();
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof UsageError) console.error(err.message);
    else if (err && typeof err === 'object' && 'issues' in err) {
      console.error(
        `Invalid input: ${(err as { issues: { path: unknown[]; message: string }[] }).issues
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
      );
    } else if (err instanceof Error && err.name === 'AppError') console.error(err.message);
    else console.error(err);
    process.exit(err instanceof ConfigError || err instanceof UsageError ? 2 : 1);
  },
);
