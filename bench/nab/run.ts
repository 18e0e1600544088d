/**
 * NAB bench: `npm run bench:nab -- [--data ../shared/data/nab] [--out bench-results/nab]`.
 * Streams every corpus file through a detector as the product does, writes NAB result files and prints
 * ONE JSON object with NAB's normalised scores (swept threshold and the shipped default threshold).
 * Progress goes to stderr.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { type CostMatrix, listFiles, readProfiles, readWindows } from './corpus.ts';
import { type DetectJob, type DetectResult, detect } from './detect.ts';
import { DETECTORS } from './detectors.ts';
import { normalise, type PreparedFile, prepareFile, scoreFile, sweep } from './scorer.ts';

const projectRoot = resolve(import.meta.dirname, '..', '..');

const HELP = `Usage: node bench/nab/run.ts [options]

Runs a streaming anomaly detector over the Numenta Anomaly Benchmark (one update per row, in order, as
the product does), writes NAB result files and prints NAB's normalised scores as ONE JSON object:
per profile with the swept threshold and with the detector's default threshold, per category, and the
time taken ('seconds': wall time of the whole run; 'detectorPointsPerSecond': one thread's speed).

Options:
  --data <dir>       NAB corpus (default: ../shared/data/nab from the project root)
  --out <dir>        where NAB result files go, as <dir>/<detector>/<category>/<detector>_<file>.csv
                     (default: bench-results/nab in the project root)
  --detector <name>  detector to run (default: steady); one of: ${Object.keys(DETECTORS).join(', ')}
  --files <regex>    only the files whose '<category>/<file>.csv' matches
  --threads <n>      worker threads (default: min(2, cores); 1 runs in-process)
  --help             show this help
`;

interface Options {
  dataDir: string;
  outDir: string;
  detector: string;
  files: RegExp | undefined;
  threads: number;
}

function parseOptions(): Options | undefined {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      out: { type: 'string' },
      detector: { type: 'string', default: 'steady' },
      files: { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return undefined;
  }
  if (!DETECTORS[values.detector]) throw new Error(`unknown detector '${values.detector}'\n\n${HELP}`);
  const threads = values.threads === undefined ? Math.min(2, availableParallelism()) : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new Error('--threads must be a positive integer');
  return {
    dataDir: values.data === undefined ? resolve(projectRoot, '../shared/data/nab') : resolve(values.data),
    outDir: values.out === undefined ? resolve(projectRoot, 'bench-results/nab') : resolve(values.out),
    detector: values.detector,
    files: values.files === undefined ? undefined : new RegExp(values.files),
    threads,
  };
}

/** Runs the jobs on `threads` worker threads (largest files first), or in-process for one thread. */
async function runJobs(jobs: DetectJob[], threads: number): Promise<DetectResult[]> {
  const results: DetectResult[] = [];
  const report = (r: DetectResult) => {
    results.push(r);
    process.stderr.write(`[${results.length}/${jobs.length}] ${r.key} (${r.rows} rows)\n`);
  };
  if (threads === 1) {
    for (const job of jobs) report(detect(job));
    return results;
  }
  const queue = [...jobs];
  const workerUrl = new URL('./detect.ts', import.meta.url);
  await Promise.all(
    Array.from({ length: Math.min(threads, jobs.length) }, async () => {
      const worker = new Worker(workerUrl);
      try {
        for (let job = queue.shift(); job; job = queue.shift()) {
          const current = job;
          const reply = await new Promise<{ ok: boolean; result?: DetectResult; error?: string }>(
            (ok, fail) => {
              worker.once('message', ok);
              worker.once('error', fail);
              worker.postMessage(current);
            },
          );
          worker.removeAllListeners('error');
          if (!reply.ok || !reply.result) throw new Error(`${current.key}: ${reply.error}`);
          report(reply.result);
        }
      } finally {
        await worker.terminate();
      }
    }),
  );
  return results;
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

type Scored = { category: string; file: PreparedFile; scores: Float64Array };

/** Normalised score and counts of some files at one threshold; null when they have no window. */
function total(files: Scored[], threshold: number, cost: CostMatrix) {
  let raw = 0;
  let nullRaw = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let windows = 0;
  for (const f of files) {
    const t = scoreFile(f.file, f.scores, threshold, cost);
    raw += t.raw;
    tp += t.tp;
    fp += t.fp;
    fn += t.fn;
    nullRaw += scoreFile(f.file, new Float64Array(f.file.rows), Number.POSITIVE_INFINITY, cost).raw;
    windows += f.file.windowCount;
  }
  const score = windows === 0 ? null : round(normalise(raw, nullRaw, windows * cost.tpWeight));
  return { score, tp, fp, fn };
}

async function main(): Promise<void> {
  const started = performance.now();
  const options = parseOptions();
  if (!options) return;
  const spec = DETECTORS[options.detector]!;
  const profiles = readProfiles(options.dataDir);
  const allWindows = readWindows(options.dataDir);
  const keys = listFiles(options.dataDir).filter((k) => !options.files || options.files.test(k));
  if (keys.length === 0) throw new Error('no file matches');

  const jobs: DetectJob[] = keys.map((key) => ({
    dataDir: options.dataDir,
    outDir: options.outDir,
    detector: options.detector,
    key,
    windows: allWindows[key] ?? [],
  }));
  const results = (await runJobs(jobs, options.threads)).sort((a, b) => a.key.localeCompare(b.key));

  const scored: Scored[] = results.map((r) => ({
    category: r.category,
    file: prepareFile(r.rows, r.windows),
    scores: r.scores,
  }));
  const points = results.reduce((sum, r) => sum + r.rows, 0);
  const windowCount = results.reduce((sum, r) => sum + r.windows.length, 0);
  const categories = [...new Set(results.map((r) => r.category))].sort();

  const profileResults: Record<string, unknown> = {};
  const categoryResults: Record<string, Record<string, unknown>> = {};
  for (const category of categories) {
    const files = scored.filter((f) => f.category === category);
    categoryResults[category] = {
      files: files.length,
      windows: files.reduce((sum, f) => sum + f.file.windowCount, 0),
      falsePositivesAtDefault: total(files, spec.threshold, Object.values(profiles)[0]!).fp,
    };
  }
  for (const [name, cost] of Object.entries(profiles)) {
    const best = sweep(scored, cost);
    profileResults[name] = {
      swept: { threshold: round(best.threshold, 6), ...total(scored, best.threshold, cost) },
      default: { threshold: spec.threshold, ...total(scored, spec.threshold, cost) },
    };
    for (const category of categories) {
      const files = scored.filter((f) => f.category === category);
      categoryResults[category]![name] = {
        swept: total(files, best.threshold, cost).score,
        default: total(files, spec.threshold, cost).score,
      };
    }
  }

  // Wall time of the whole run (reading, detecting on all threads, writing, scoring), and the time
  // spent inside `update` alone, summed over threads (single-thread detector throughput).
  const seconds = (performance.now() - started) / 1000;
  const detectSeconds = results.reduce((sum, r) => sum + r.detectMs, 0) / 1000;
  const output = {
    detector: options.detector,
    description: spec.description,
    data: options.dataDir,
    files: results.length,
    windows: windowCount,
    points,
    seconds: round(seconds),
    pointsPerSecond: Math.round(points / seconds),
    detectorPointsPerSecond: Math.round(points / detectSeconds),
    threads: options.threads,
    defaultThreshold: spec.threshold,
    profiles: profileResults,
    categories: categoryResults,
  };
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
