/**
 * The running demo: the simulated shop in this process, its storefront on a local port for the probes,
 * its samples through Steady's real ingestion API (remote_write with an ingest token). On the first
 * start a stretch of history is sent accelerated first, so anomaly detectors are warm; then real time.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  createIngestSink,
  createSimulation,
  type FaultTruth,
  runSimulation,
  type Simulation,
  startShopServer,
} from '../../sim/index.ts';
import { loginAs } from './api.ts';
import type { DemoControl } from './routes.ts';
import { SHOP_PROBE_LABEL, SHOP_PROBES, seedShop } from './seed.ts';

const HOUR = 3_600_000;

export interface DemoOptions {
  /** Steady's base URL as this process reaches it. */
  base: string;
  adminUsername: string;
  adminPassword: string;
  /** Where the demo keeps what it needs across restarts (heartbeat path). */
  stateFile: string;
  inboxUrl: string;
  inboxKey: string;
  seed: number;
  historyHours: number;
  /** Fault to inject, and when (seconds after the history is sent); null: none. */
  fault: { name: string; afterSeconds: number } | null;
  shopPort: number;
  log: (line: string) => void;
}

export interface RunningDemo extends DemoControl {
  shopUrl: string;
  close(): Promise<void>;
}

interface DemoState {
  heartbeatPath: string;
  inboxKey: string;
}

export function readState(file: string): DemoState | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoState) : null;
}

/** Monday of the current week in Beijing, YYYY-MM-DD (the rotation's first hand-off). */
function mondayOf(now: number): string {
  const d = new Date(now + 8 * HOUR);
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - back))
    .toISOString()
    .slice(0, 10);
}

export async function startDemo(opts: DemoOptions): Promise<RunningDemo> {
  const now = Date.now();
  const call = await loginAs(opts.base, opts.adminUsername, opts.adminPassword);
  const fresh = !existsSync(opts.stateFile);
  const sim: Simulation = createSimulation({
    seed: opts.seed,
    start: fresh ? now - opts.historyHours * HOUR : now,
  });
  const shop = await startShopServer(sim, { host: '127.0.0.1', port: opts.shopPort });
  const shopUrl = `http://127.0.0.1:${shop.port}`;

  let ingestToken: string;
  let state: DemoState;
  if (fresh) {
    const setup = await seedShop(call, {
      shopUrl,
      webhookUrl: `${opts.inboxUrl}?key=${opts.inboxKey}`,
      webhookSecret: opts.inboxKey,
      rotationStart: mondayOf(now),
    });
    ingestToken = setup.ingestToken;
    state = { heartbeatPath: setup.heartbeatPath, inboxKey: opts.inboxKey };
    mkdirSync(dirname(opts.stateFile), { recursive: true });
    writeFileSync(opts.stateFile, JSON.stringify(state));
  } else {
    state = readState(opts.stateFile) as DemoState;
    ({ secret: ingestToken } = await call<{ secret: string }>('POST', '/api/v1/tokens', {
      name: 'Shop simulator (ingest)',
      scopes: ['ingest'],
    }));
    await repointProbes(call, shopUrl);
  }

  const sink = createIngestSink({ url: opts.base, token: ingestToken, format: 'remote-write' });
  const abort = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  const faults: FaultTruth[] = [];
  const control: DemoControl = {
    inject(name, inSeconds) {
      const truth = sim.injectScenario(name, Math.max(sim.now, Date.now()) + inSeconds * 1000);
      faults.push(truth);
      opts.log(
        `  Fault injected: ${name} (${truth.title.en}) at ${new Date(truth.faultStart).toISOString()}` +
          (truth.impactStart ? `; customers affected from ${new Date(truth.impactStart).toISOString()}` : ''),
      );
      return truth;
    },
    faults: () => sim.truth(),
  };

  if (opts.fault && opts.fault.afterSeconds < 0) {
    const truth = sim.injectScenario(
      opts.fault.name,
      Math.max(sim.start, now + opts.fault.afterSeconds * 1000),
    );
    faults.push(truth);
    opts.log(
      `  Fault "${opts.fault.name}" (${truth.title.en}) starts at ${new Date(truth.faultStart).toISOString()}` +
        `${fresh ? ', near the end of the history' : ''}: watch Response → Incidents (--no-fault for none).`,
    );
  }
  running = (async () => {
    if (fresh && sim.now + sim.intervalMs < Date.now()) {
      const t0 = Date.now();
      opts.log(`  Sending ${opts.historyHours} h of simulated shop history (accelerated)…`);
      // Sending the history takes a while, during which the clock moves on: catch up again until the
      // shop's clock is within a tick of the wall clock, so that "real time" really is now.
      for (let pass = 0; sim.now + sim.intervalMs < Date.now() && !abort.signal.aborted; pass++) {
        await runSimulation({
          sim,
          sink,
          speed: 0,
          until: Date.now(),
          chunkMs: pass === 0 && opts.historyHours > 2 ? 10 * 60_000 : 2 * 60_000,
          signal: abort.signal,
        });
      }
      opts.log(
        `  History sent in ${((Date.now() - t0) / 1000).toFixed(0)} s; the shop now runs in real time.`,
      );
    }
    if (opts.fault && opts.fault.afterSeconds >= 0) {
      const f = opts.fault;
      setTimeout(() => {
        if (!abort.signal.aborted) control.inject(f.name, 0);
      }, f.afterSeconds * 1000).unref();
      if (f.afterSeconds > 0)
        opts.log(
          `  Fault "${f.name}" will be injected in ${f.afterSeconds} s (--no-fault to keep it quiet).`,
        );
    }
    await runSimulation({
      sim,
      sink,
      speed: 1,
      heartbeatUrl: `${opts.base}${state.heartbeatPath}`,
      signal: abort.signal,
      onError: () => {},
    });
  })().catch((err: unknown) => {
    if (!abort.signal.aborted) opts.log(`  The simulated shop stopped: ${(err as Error).message}`);
  });

  return {
    ...control,
    shopUrl,
    async close() {
      abort.abort();
      await running;
      await shop.close();
    },
  };
}

/** A restarted demo's storefront listens on a new port: the probes follow it. */
async function repointProbes(call: Awaited<ReturnType<typeof loginAs>>, shopUrl: string): Promise<void> {
  const { items } = await call<{
    items: { id: string; name: string; kind: string; labels: Record<string, string> }[];
  }>('GET', '/api/v1/probes');
  for (const p of items) {
    const def = SHOP_PROBES.find((s) => s.name === p.name);
    if (!def || p.kind !== 'http' || p.labels.source !== SHOP_PROBE_LABEL.source) continue;
    const detail = await call<{ http: Record<string, unknown> }>('GET', `/api/v1/probes/${p.id}`);
    await call('PATCH', `/api/v1/probes/${p.id}`, { http: { ...detail.http, url: `${shopUrl}${def.path}` } });
  }
}
