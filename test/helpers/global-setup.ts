import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of a PostgreSQL server for tests, or '' when none could be had. */
    pgAdminUrl: string;
  }
}

/** The PostgreSQL binaries of the newest installed version, if any. */
function findPgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((bin) => existsSync(join(bin, 'initdb')));
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });

/**
 * Starts a throwaway PostgreSQL cluster for the whole test run, unless STEADY_TEST_PG_URL names one.
 * PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` system user.
 */
export default async function setup(project: TestProject) {
  const given = process.env.STEADY_TEST_PG_URL;
  if (given) {
    project.provide('pgAdminUrl', given);
    return;
  }
  const bin = findPgBin();
  if (!bin) {
    const why = 'no PostgreSQL binaries under /usr/lib/postgresql and STEADY_TEST_PG_URL is not set';
    if (process.env.CI) throw new Error(`PostgreSQL test suites cannot run: ${why}`);
    console.warn(`\n!!! SKIPPING every PostgreSQL suite: ${why} !!!\n`);
    project.provide('pgAdminUrl', '');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'steady-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]]
      : [join(bin, cmd), args];
    const r = spawnSync(file, argv, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  if (asRoot) {
    const pw = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(dir, Number(pw), Number(gid));
    chmodSync(dir, 0o700);
  }
  const port = await freePort();
  run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'steady', '-E', 'UTF8', '--no-locale']);
  run('pg_ctl', [
    '-D',
    join(dir, 'data'),
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`,
    'start',
  ]);
  project.provide('pgAdminUrl', `postgres://steady@127.0.0.1:${port}/postgres`);
  return () => {
    try {
      run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
