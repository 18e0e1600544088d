#!/usr/bin/env node
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runSimulation } from './runner.ts';
import { SCENARIO_BY_NAME, SCENARIOS } from './scenarios.ts';
import { startShopServer } from './server.ts';
import { hostMap } from './shop.ts';
import {
  computeTruth,
  createSimulation,
  type ScenarioRequest,
  type SimulationOptions,
} from './simulation.ts';
import { createIngestSink, type SinkFormat } from './sink.ts';
import { describeObjectives } from './slo.ts';
import { promotionDefaults } from './traffic.ts';

const HELP = `sim: the simulated e-commerce shop (metrics, faults with ground truth, complaints).

Usage:
  sim run [options]             simulate and send samples to Steady and/or serve the shop on a port
  sim list-scenarios [--json]   the fault library, with the objectives that define customer impact
  sim truth --scenario <name> [--at <when>] [--seed <n>] [--start <time>]
                                print the ground truth (JSON) of the given faults without sending anything

Options for run:
  --url <url>             Steady's base URL (e.g. http://127.0.0.1:8080); omit to only serve the shop
  --token <token>         API token with the 'ingest' scope (or STEADY_TOKEN)
  --format <f>            remote-write (default) or json
  --seed <n>              random seed (default 42); same seed and scenarios give the same series
  --start <time>          first sample: now (default), an ISO time, epoch ms, or -2h (relative to now)
  --speed <x>             simulated seconds per wall second: 1 (default, real time), 60, … or max
  --duration <d>          stop after this much simulated time (e.g. 30m, 6h, 2d); required with --speed max
  --interval <d>          seconds between samples of a series (default 15s)
  --scenario <name>       inject a fault (repeatable); see list-scenarios
  --at <when>             when each --scenario starts, relative to --start (e.g. +10m; default +5m)
  --promotion <when>      an 11.11-style promotion starting then (4x traffic, 7 h; repeatable)
  --listen <host:port>    serve the storefront (/, /search, /cart, /checkout, /payment/callback) and /metrics
  --heartbeat-url <url>   the batch job POSTs here after every run (stops during silent-batch-job)
  --events <file>         append complaints, change records and heartbeats as JSON lines
  --latency <f>           summary (default: p50/p90/p99 gauges) or histogram (_bucket{le})
  --services <a,b,…>      send only these services' series (host series always)
  -h, --help`;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function parseDuration(text: string): number {
  const m = /^([+-]?\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`"${text}" is not a duration (e.g. 90s, 10m, 2h, 1d)`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

function parseTime(text: string, now: number): number {
  if (text === 'now') return now;
  if (/^[+-]/.test(text)) return now + parseDuration(text);
  if (/^\d+$/.test(text)) return Number(text);
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`"${text}" is not a time (now, ISO 8601, epoch ms or ±duration)`);
  return t;
}

class UsageError extends Error {}

function simOptions(values: Record<string, string | boolean | string[] | undefined>): SimulationOptions {
  const seed = Number(values.seed ?? 42);
  if (!Number.isSafeInteger(seed)) throw new UsageError('--seed must be an integer');
  const start = parseTime(String(values.start ?? 'now'), Date.now());
  const names = (values.scenario as string[] | undefined) ?? [];
  const ats = (values.at as string[] | undefined) ?? [];
  const scenarios: ScenarioRequest[] = names.map((name, i) => {
    if (!SCENARIO_BY_NAME.has(name)) {
      throw new UsageError(`Unknown scenario "${name}". Known: ${[...SCENARIO_BY_NAME.keys()].join(', ')}`);
    }
    return { name, at: start + parseDuration(ats[i] ?? '+5m') };
  });
  const promotions = ((values.promotion as string[] | undefined) ?? []).map((p) =>
    promotionDefaults(start + parseDuration(p)),
  );
  const latency = String(values.latency ?? 'summary');
  if (latency !== 'summary' && latency !== 'histogram')
    throw new UsageError('--latency is summary or histogram');
  const services = values.services ? String(values.services).split(',') : undefined;
  return {
    seed,
    start,
    intervalMs: values.interval ? parseDuration(String(values.interval)) : 15_000,
    scenarios,
    promotions,
    latency,
    ...(services ? { services } : {}),
  };
}

async function run(values: Record<string, string | boolean | string[] | undefined>): Promise<number> {
  const options = simOptions(values);
  const speed = values.speed === 'max' ? 0 : Number(values.speed ?? 1);
  if (!(speed >= 0)) throw new UsageError('--speed is a positive number or max');
  const until = values.duration ? options.start + parseDuration(String(values.duration)) : undefined;
  if (speed === 0 && until === undefined) throw new UsageError('--speed max needs --duration');
  const format = String(values.format ?? 'remote-write');
  if (format !== 'remote-write' && format !== 'json')
    throw new UsageError('--format is remote-write or json');
  if (!values.url && !values.listen)
    throw new UsageError('Give --url (send to Steady) and/or --listen (serve the shop)');
  const sim = createSimulation(options);
  const token = (values.token as string | undefined) ?? process.env.STEADY_TOKEN;
  const sink = values.url
    ? createIngestSink({
        url: String(values.url),
        ...(token ? { token } : {}),
        format: format as SinkFormat,
        onRetry: (r) => console.error(`retry ${r.attempt} in ${Math.round(r.waitMs)} ms: ${r.reason}`),
      })
    : undefined;
  let server: Awaited<ReturnType<typeof startShopServer>> | undefined;
  if (values.listen) {
    const [host, port] = String(values.listen).split(/:(?=\d+$)/);
    server = await startShopServer(sim, { host: host || '127.0.0.1', port: Number(port ?? 8090) });
    console.error(
      `shop listening on ${server.url} (/, /search, /cart, /checkout, /payment/callback, /metrics)`,
    );
  }
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  for (const s of options.scenarios ?? []) {
    console.error(`fault ${s.name} at ${new Date(s.at).toISOString()}`);
  }
  const eventsFile = values.events ? String(values.events) : undefined;
  try {
    const report = await runSimulation({
      sim,
      speed,
      ...(sink ? { sink } : {}),
      ...(until !== undefined ? { until } : {}),
      ...(values['heartbeat-url'] ? { heartbeatUrl: String(values['heartbeat-url']) } : {}),
      ...(eventsFile ? { onEvent: (e) => appendFileSync(eventsFile, `${JSON.stringify(e)}\n`) } : {}),
      onError: (err) => console.error(`heartbeat call failed: ${String(err)}`),
      signal: abort.signal,
    });
    console.log(
      JSON.stringify({ ...report, until: new Date(report.until).toISOString(), truth: sim.truth() }, null, 2),
    );
    return 0;
  } finally {
    await server?.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      format: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      speed: { type: 'string' },
      duration: { type: 'string' },
      interval: { type: 'string' },
      scenario: { type: 'string', multiple: true },
      at: { type: 'string', multiple: true },
      promotion: { type: 'string', multiple: true },
      listen: { type: 'string' },
      'heartbeat-url': { type: 'string' },
      events: { type: 'string' },
      latency: { type: 'string' },
      services: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  switch (command) {
    case 'run':
      return run(values);
    case 'list-scenarios': {
      if (values.json) {
        const list = SCENARIOS.map(({ apply: _a, changes: _c, complaints: _k, ...rest }) => rest);
        console.log(
          JSON.stringify({ scenarios: list, objectives: describeObjectives(), hosts: hostMap() }, null, 2),
        );
        return 0;
      }
      for (const s of SCENARIOS) {
        console.log(
          `${s.name.padEnd(26)} ${s.title.en} / ${s.title.zh}\n${''.padEnd(27)}moves: ${s.metrics.join(', ')}`,
        );
      }
      console.log(
        `\nCustomer impact starts at the first breach lasting ≥ 60 s of:\n  ${describeObjectives().join('\n  ')}`,
      );
      return 0;
    }
    case 'truth': {
      if (!values.scenario?.length) throw new UsageError('truth needs --scenario <name>');
      const options = simOptions(values);
      console.log(JSON.stringify(computeTruth(options), null, 2));
      return 0;
    }
    default:
      console.error(`Unknown command "${command}".\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(
      err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1,
    );
  },
);
