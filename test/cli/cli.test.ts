import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/platform/auth/secrets.ts';
import { migrations } from '../../src/platform/db/migrations/index.ts';
import { createTestDatabase, describeEachEngine, type TestDatabase } from '../helpers/engines.ts';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMMANDS = ['serve', 'demo', 'migrate', 'user', 'config'];

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: only what the test names, so the developer's own settings never leak in. */
const baseEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, ...extra });

function runCli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: baseEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'steady-cli-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Each of these starts processes and nothing else: they run side by side (with their own `expect`).
describe.concurrent('steady --help', () => {
  it('prints the overview with no command or with --help, and exits 2 on an unknown command', async ({
    expect,
  }) => {
    for (const args of [[], ['--help'], ['-h']]) {
      const res = await runCli(args);
      expect(res.code, args.join(' ')).toBe(0);
      expect(res.stdout).toContain('Usage: steady <command>');
      for (const command of COMMANDS) expect(res.stdout).toContain(`  ${command} `);
    }
    const unknown = await runCli(['launch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toContain('Usage: steady <command>');
  });

  it.for(COMMANDS)(
    '%s --help prints its usage and exits 0 without touching a database',
    async (command, { expect }) => {
      // A setting that would fail if the command went on to load configuration.
      const res = await runCli([command, '--help'], { STEADY_PORT: 'abc' });
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(new RegExp(`steady ${command}`));
      expect(res.stderr).toBe('');
    },
  );

  it('config prints every setting with its environment variable', async ({ expect }) => {
    const res = await runCli(['config']);
    expect(res.code).toBe(0);
    for (const env of ['STEADY_PORT', 'DATABASE_URL', 'STEADY_DATA_DIR', 'STEADY_BODY_LIMIT_BYTES']) {
      expect(res.stdout).toContain(`\`${env}\``);
    }
  });
});

describe.concurrent('invalid configuration', () => {
  it.for([
    [{ STEADY_PORT: 'abc' }, /STEADY_PORT: must be a number \(got "abc"\)/],
    [{ STEADY_PORT: '70000' }, /STEADY_PORT: must be at most 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be empty \(embedded SQLite\) or postgres:/],
    [{ STEADY_LOG_LEVEL: 'loud' }, /STEADY_LOG_LEVEL: /],
    [{ STEADY_TRUST_PROXY: 'maybe' }, /STEADY_TRUST_PROXY: /],
    [{ STEADY_ADMIN_PASSWORD: 'short' }, /STEADY_ADMIN_PASSWORD: must be at least 8 characters/],
  ] as const)('%o exits non-zero naming the setting', async ([env, message], { expect }) => {
    for (const command of ['migrate', 'serve']) {
      const res = await runCli([command], { STEADY_DATA_DIR: tempDir(), ...env });
      expect(res.code, command).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(res.stdout).not.toContain('steady listening');
    }
  });

  it('reports every bad setting at once', async ({ expect }) => {
    const res = await runCli(['migrate'], { STEADY_PORT: 'abc', DATABASE_URL: 'mysql://x' });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/STEADY_PORT/);
    expect(res.stderr).toMatch(/DATABASE_URL/);
  });

  it('rejects a config file with an unknown key, a bad value, or bad JSON, naming the file', async ({
    expect,
  }) => {
    const dir = tempDir();
    const file = join(dir, 'steady.json');
    writeFileSync(file, JSON.stringify({ port: 8081, colour: 'blue' }));
    const unknown = await runCli(['migrate', '--config', file], { STEADY_DATA_DIR: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`config file ${file}: unknown setting "colour"`);

    writeFileSync(file, JSON.stringify({ port: 'eighty' }));
    const bad = await runCli(['migrate'], { STEADY_DATA_DIR: dir, STEADY_CONFIG: file });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`port in ${file}: must be a number`);

    writeFileSync(file, '{ "port": ');
    const broken = await runCli(['migrate', '--config', file], { STEADY_DATA_DIR: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`config file ${file}: `);

    const missing = await runCli(['migrate', '--config', join(dir, 'nope.json')], { STEADY_DATA_DIR: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json');
  });

  it('an unknown option is refused', async ({ expect }) => {
    const res = await runCli(['migrate', '--colour', 'blue'], { STEADY_DATA_DIR: tempDir() });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/--colour/);
  });
});

describeEachEngine('steady migrate', (engine) => {
  let db: TestDatabase;
  afterAll(() => db?.drop());

  it('applies every migration to a fresh database, then says it is up to date', async () => {
    db = await createTestDatabase(engine, { migrated: false });
    const env = { STEADY_DATA_DIR: db.settings.dataDir, DATABASE_URL: db.settings.databaseUrl };
    const first = await runCli(['migrate'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe(`Applied: ${Object.keys(migrations).join(', ')}`);
    const second = await runCli(['migrate'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^Up to date \(/);
    if (engine === 'postgres') expect(second.stdout).not.toContain('@'); // no credentials in the output
    const database = db.open();
    try {
      const tables = await database.db.introspection.getTables();
      expect(tables.map((t) => t.name)).toEqual(
        expect.arrayContaining(['users', 'audit_log', 'jobs', 'services']),
      );
    } finally {
      await database.close();
    }
  });
});

describeEachEngine('steady user', (engine) => {
  let db: TestDatabase;
  let env: Record<string, string>;
  afterAll(() => db?.drop());

  it('creates, lists, re-passwords and disables users, each change audited as the CLI', async () => {
    db = await createTestDatabase(engine);
    env = { STEADY_DATA_DIR: db.settings.dataDir, DATABASE_URL: db.settings.databaseUrl };

    const created = await runCli(
      ['user', 'create', 'alice', '--role', 'responder', '--name', 'Alice Li'],
      env,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const generated = /Password for alice: (\S+)/.exec(created.stdout)?.[1];
    expect(generated).toBeDefined();
    expect(created.stdout).toContain('OK: create alice');

    const given = await runCli(
      ['user', 'create', 'bob', '--role', 'viewer', '--password', 'bob-password-1'],
      env,
    );
    expect(given.code).toBe(0);
    expect(given.stdout).not.toContain('Password for');

    const list = await runCli(['user', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('alice\tresponder\tenabled\tAlice Li');
    expect(list.stdout).toContain('bob\tviewer\tenabled\tbob');

    const database = db.open();
    const hashOf = async (username: string) =>
      (
        await database.db
          .selectFrom('users')
          .select('passwordHash')
          .where('username', '=', username)
          .executeTakeFirstOrThrow()
      ).passwordHash;
    try {
      expect(await verifyPassword(await hashOf('alice'), generated ?? '')).toBe(true);

      const passwd = await runCli(['user', 'passwd', 'alice', '--password', 'alice-new-pass-2'], env);
      expect(passwd.code).toBe(0);
      expect(passwd.stdout).toContain('OK: passwd alice');
      expect(await verifyPassword(await hashOf('alice'), 'alice-new-pass-2')).toBe(true);

      const generatedAgain = await runCli(['user', 'passwd', 'bob'], env);
      const bobPassword = /Password for bob: (\S+)/.exec(generatedAgain.stdout)?.[1] ?? '';
      expect(await verifyPassword(await hashOf('bob'), bobPassword)).toBe(true);

      const disable = await runCli(['user', 'disable', 'alice'], env);
      expect(disable.code).toBe(0);
      expect(disable.stdout).not.toContain('Password for');
      expect((await runCli(['user', 'list'], env)).stdout).toContain('alice\tresponder\tdisabled');

      const audit = await database.db.selectFrom('auditLog').selectAll().orderBy('id').execute();
      expect(audit.map((a) => a.action)).toEqual([
        'user.create',
        'user.create',
        'user.password_reset',
        'user.password_reset',
        'user.disable',
      ]);
      expect(new Set(audit.map((a) => `${a.actorKind}:${a.actorName}`))).toEqual(new Set(['system:cli']));
      expect(JSON.stringify(audit)).not.toContain('alice-new-pass-2');
    } finally {
      await database.close();
    }
  }, 60_000);

  it('says what was wrong: a bad role, a taken name, an unknown user, a missing name', async () => {
    const badRole = await runCli(['user', 'create', 'carol', '--role', 'boss'], env);
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toMatch(/role: /);

    const badName = await runCli(['user', 'create', 'Carol Smith', '--role', 'viewer'], env);
    expect(badName.code).toBe(1);
    expect(badName.stderr).toMatch(/username: must be 2-64 characters/);

    const taken = await runCli(['user', 'create', 'alice', '--role', 'viewer'], env);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('User name "alice" is taken');

    const unknown = await runCli(['user', 'disable', 'nobody'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No user named "nobody"');

    const noName = await runCli(['user', 'create'], env);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('steady user create <username>');

    const badAction = await runCli(['user', 'rename', 'alice'], env);
    expect(badAction.code).toBe(2);
  }, 60_000);
});

describe('steady serve', () => {
  const running: ChildProcess[] = [];
  afterEach(() => {
    for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  interface Server {
    child: ChildProcess;
    address: string;
    /** Every stdout line so far (JSON log lines and printed text). */
    lines: string[];
    /** Resolves with the first line (already seen or still to come) that matches. */
    waitFor(match: (line: string) => boolean): Promise<string>;
    exit: Promise<number | null>;
  }

  async function start(dataDir: string, extra: Record<string, string> = {}): Promise<Server> {
    const child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: ROOT,
      env: baseEnv({ STEADY_DATA_DIR: dataDir, STEADY_PORT: '0', STEADY_HOST: '127.0.0.1', ...extra }),
    });
    running.push(child);
    const lines: string[] = [];
    const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line);
      for (const w of waiters.splice(0)) {
        if (w.match(line)) w.resolve(line);
        else waiters.push(w);
      }
    });
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const waitFor = (match: (line: string) => boolean) =>
      new Promise<string>((resolve, reject) => {
        const seen = lines.find(match);
        if (seen) return resolve(seen);
        waiters.push({ match, resolve });
        void exit.then((code) =>
          reject(new Error(`steady exited (${code}) first:\n${lines.join('\n')}\n${stderr}`)),
        );
      });
    const listening = await waitFor((l) => l.includes('"steady listening"'));
    const address = (JSON.parse(listening) as { address: string }).address;
    return { child, address, lines, waitFor, exit };
  }

  const logged = (msg: string) => (line: string) => {
    try {
      return (JSON.parse(line) as { msg?: string }).msg === msg;
    } catch {
      return false;
    }
  };

  it('starts, answers /healthz, prints a generated admin password once, and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const first = await start(dataDir);
    expect(first.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${first.address}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${first.address}/readyz`)).status).toBe(200);

    const banner = first.lines.find((l) => l.includes('First start: administrator'));
    const password = /administrator "admin" created with password: (\S+)/.exec(banner ?? '')?.[1];
    expect(password).toBeDefined();
    const login = await fetch(`${first.address}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(200);
    // The password is printed once, and never written to the JSON logs.
    expect(first.lines.filter((l) => l.includes(password ?? '')).length).toBe(1);

    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(first.lines.some(logged('shut down cleanly'))).toBe(true);

    const second = await start(dataDir);
    expect((await fetch(`${second.address}/healthz`)).status).toBe(200);
    expect(second.lines.some((l) => l.includes('First start'))).toBe(false);
    second.child.kill('SIGINT');
    expect(await second.exit).toBe(0);
  });

  it('on SIGTERM, a request already in flight still gets its answer before the process exits 0', async () => {
    const dataDir = tempDir();
    const server = await start(dataDir, { STEADY_ADMIN_PASSWORD: 'admin-password-1' });
    const { hostname, port } = new URL(server.address);

    // A login whose body is still arriving: the request has begun, and cannot finish until we send the rest.
    const body = JSON.stringify({ username: 'admin', password: 'admin-password-1' });
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let reply = '';
    socket.on('data', (d) => {
      reply += String(d);
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      `POST /api/v1/session HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    await server.waitFor(logged('incoming request'));

    server.child.kill('SIGTERM');
    await server.waitFor(logged('shutting down: finishing in-flight requests and jobs'));
    // New connections are refused or turned away while the old request is still open.
    const late = await fetch(`${server.address}/healthz`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);
    expect(server.child.exitCode).toBeNull();

    socket.write(body.slice(10));
    await closed;
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    expect(reply).toContain('"username":"admin"');
    expect(await server.exit).toBe(0);
    expect(server.lines.some(logged('shut down cleanly'))).toBe(true);
  });
});
