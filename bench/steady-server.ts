/** Starting Steady as its own process (`steady serve`), exactly as deployed, for the benchmarks. */
import { type ChildProcess, spawn } from 'node:child_process';

export interface ServerSettings {
  databaseUrl: string;
  dataDir: string;
  dbPoolMax: number;
}

/** Starts `steady serve` on the given database and port and waits until /readyz answers. */
export async function startServer(
  settings: ServerSettings,
  port: number,
  env: Record<string, string> = {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['src/cli.ts', 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: settings.databaseUrl,
      STEADY_DATA_DIR: settings.dataDir,
      STEADY_PORT: String(port),
      STEADY_HOST: '127.0.0.1',
      STEADY_LOG_LEVEL: 'warn',
      STEADY_ADMIN_PASSWORD: 'bench-admin-password',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not become ready');
}

/** SIGTERM, then wait for the process to exit. */
export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
