/**
 * Streams one NAB file through a detector exactly as the product does (one `update` per row, in order,
 * no look-ahead) and writes NAB's result file `<out>/<detector>/<category>/<detector>_<file>.csv`.
 * Used in the worker threads of `run.ts` and directly when there is a single thread.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { readFile } from './corpus.ts';
import { DETECTORS } from './detectors.ts';

export interface DetectJob {
  dataDir: string;
  outDir: string;
  detector: string;
  key: string;
  windows: Array<[string, string]>;
}

export interface DetectResult {
  key: string;
  category: string;
  rows: number;
  windows: Array<[number, number]>;
  scores: Float64Array<ArrayBuffer>;
  /** Milliseconds spent in `update` alone. */
  detectMs: number;
}

export function detect(job: DetectJob): DetectResult {
  const spec = DETECTORS[job.detector];
  if (!spec) throw new Error(`unknown detector ${job.detector}`);
  const file = readFile(job.dataDir, job.key, job.windows);
  const detector = spec.create();
  const n = file.values.length;
  const scores = new Float64Array(n);
  const started = performance.now();
  for (let i = 0; i < n; i++) scores[i] = detector.update(file.ts[i]!, file.values[i]!).score;
  const detectMs = performance.now() - started;

  // NAB's result file: label 1 inside a labelled window.
  const dir = join(job.outDir, job.detector, file.category);
  mkdirSync(dir, { recursive: true });
  const inWindow = new Uint8Array(n);
  for (const [left, right] of file.windows) inWindow.fill(1, left, right + 1);
  const lines = ['timestamp,value,anomaly_score,label'];
  for (let i = 0; i < n; i++) lines.push(`${file.stamps[i]},${file.values[i]},${scores[i]},${inWindow[i]}`);
  writeFileSync(join(dir, `${job.detector}_${file.name}.csv`), `${lines.join('\n')}\n`);
  return { key: file.key, category: file.category, rows: n, windows: file.windows, scores, detectMs };
}

// As a worker thread: answer each job posted by run.ts.
parentPort?.on('message', (job: DetectJob) => {
  try {
    const result = detect(job);
    parentPort!.postMessage({ ok: true, result }, [result.scores.buffer]);
  } catch (error) {
    parentPort!.postMessage({ ok: false, key: job.key, error: String((error as Error).stack ?? error) });
  }
});
