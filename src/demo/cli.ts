/** `steady demo`: its options, the routes it adds to the app, and starting the simulated shop. */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SCENARIOS } from '../../sim/index.ts';
import type { Config } from '../config.ts';
import { loginAs } from './api.ts';
import { demoRoutes } from './routes.ts';
import { type RunningDemo, readState, startDemo } from './run.ts';

export const DEFAULT_SCENARIO = 'bad-deploy';
/**
 * Seconds: the bad deploy's error ratio needs about 2.5 min to cross its rule and hold for a minute, and
 * 4 min to be flagged as an anomaly (2 min outside its band, then ErrorRatioAnomaly's minimum duration):
 * both have happened by the time the history is sent.
 */
export const DEFAULT_FAULT_AFTER = -240;

export interface DemoSettings {
  fault: { name: string; afterSeconds: number } | null;
  historyHours: number;
  seed: number;
  shopPort: number;
}

class DemoUsageError extends Error {
  override name = 'AppError';
}

function int(text: string | undefined, fallback: number, what: string, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new DemoUsageError(`--${what} must be a whole number from ${min} to ${max}, not "${text}"`);
  return n;
}

export async function scenarioHelp(): Promise<string> {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return `\nScenarios:\n${SCENARIOS.map((s) => `  ${s.name.padEnd(width)}  ${s.title.en}`).join('\n')}`;
}

export function demoSettings(
  values: Record<string, string | boolean | undefined>,
  _config: Config,
): DemoSettings {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const scenario = str('scenario');
  if (scenario !== undefined && !SCENARIOS.some((s) => s.name === scenario))
    throw new DemoUsageError(
      `Unknown scenario "${scenario}"; one of: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  const historyHours = int(str('history-hours'), 26, 'history-hours', 0, 24 * 14);
  // Negative: that many seconds before the start, inside the history sent at start. The default fault
  // starts shortly before the start, so that its incident opens, pages and escalates within the first
  // two minutes, right after the history has been sent.
  const afterSeconds = int(
    str('fault-after'),
    scenario ? 0 : historyHours > 0 ? DEFAULT_FAULT_AFTER : 60,
    'fault-after',
    -86_400,
    86_400,
  );
  return {
    fault: values['no-fault'] ? null : { name: scenario ?? DEFAULT_SCENARIO, afterSeconds },
    historyHours,
    seed: int(str('seed'), 42, 'seed', 0, 2 ** 31 - 1),
    shopPort: int(str('shop-port'), 0, 'shop-port', 0, 65_535),
  };
}

/** `steady demo --scenario x` while a demo already runs on the port: inject there and report. */
export async function injectIntoRunning(config: Config, scenario: string): Promise<boolean> {
  const base = `http://127.0.0.1:${config.port}`;
  try {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
    if (!res.ok) return false;
  } catch {
    return false;
  }
  const call = await loginAs(base, config.adminUsername, config.adminPassword);
  const truth = await call<{ faultStart: number; impactStart: number | null }>(
    'POST',
    '/api/v1/demo/scenarios',
    { name: scenario },
  );
  console.log(
    `Injected ${scenario} into the demo at ${base}: fault from ${new Date(truth.faultStart).toISOString()}` +
      (truth.impactStart ? `, customers affected from ${new Date(truth.impactStart).toISOString()}` : ''),
  );
  return true;
}

/** What `serve` needs for the demo: routes for the app, then start and stop of the simulated shop. */
export function demoHooks(config: Config, settings: DemoSettings) {
  let demo: RunningDemo | null = null;
  const stateFile = join(config.dataDir, 'demo-state.json');
  // The channel's URL carries the key, so a restarted demo keeps the one it was seeded with.
  const inboxKey = readState(stateFile)?.inboxKey ?? randomBytes(18).toString('hex');
  const log = (line: string) => console.log(line);
  return {
    routes: demoRoutes({
      control: () => demo,
      inboxKey,
      now: () => Date.now(),
      onMessage: (m) =>
        log(
          `  [demo inbox] ${String(m.subject ?? '')}${m.recipient ? ` (to ${describe(m.recipient)})` : ''}`,
        ),
    }),
    async start(address: string | AddressInfo | null): Promise<void> {
      const port = typeof address === 'object' && address ? address.port : config.port;
      const base = `http://127.0.0.1:${port}`;
      demo = await startDemo({
        base,
        adminUsername: config.adminUsername,
        adminPassword: config.adminPassword,
        stateFile,
        inboxUrl: `${base}/api/v1/demo/inbox`,
        inboxKey,
        seed: settings.seed,
        historyHours: settings.historyHours,
        fault: settings.fault,
        shopPort: settings.shopPort,
        log,
      });
      log(`  Simulated storefront: ${demo.shopUrl}/ (probed by Steady; /metrics for scraping)`);
    },
    async close(): Promise<void> {
      await demo?.close();
    },
  };
}

function describe(recipient: unknown): string {
  if (recipient && typeof recipient === 'object') {
    const r = recipient as Record<string, unknown>;
    return String(r.name ?? r.username ?? r.id ?? 'someone');
  }
  return String(recipient ?? 'someone');
}
