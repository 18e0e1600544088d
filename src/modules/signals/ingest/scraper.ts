import type { SeriesSamples } from '../metric-store.ts';
import { parseExposition } from './exposition.ts';
import { seriesKey } from './labels.ts';

export interface ScrapeSpec {
  jobName: string;
  url: string;
  timeoutSeconds: number;
  labels: Readonly<Record<string, string>>;
}

export interface ScrapeOutcome {
  /** The scraped series (target labels applied) followed by `up`, `scrape_duration_seconds`, `scrape_samples_scraped`. */
  series: SeriesSamples[];
  /** Samples in the exposition (0 when the scrape failed). */
  samples: number;
  durationMs: number;
  error: string | null;
}

/** What Prometheus asks for: the text format 0.0.4, which every client library serves. */
const ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

/** `host:port` of the URL, with the scheme's default port made explicit, as Prometheus's `instance`. */
export function instanceOf(url: string): string {
  const u = new URL(url);
  return u.port ? u.host : `${u.host}:${u.protocol === 'https:' ? 443 : 80}`;
}

/** The labels every series of the target gets: extra labels, then `job` and `instance` (which win). */
export function targetLabels(spec: ScrapeSpec): Record<string, string> {
  return { ...spec.labels, job: spec.jobName, instance: instanceOf(spec.url) };
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`body exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Scrapes one target once. Never throws: a failed scrape is an outcome with `up` 0 and the error.
 * Scraped labels that clash with target labels are kept as `exported_<name>` (Prometheus's default,
 * honor_labels: false). Samples without a timestamp get `at`, the scrape's start.
 */
export async function scrape(spec: ScrapeSpec, at: number, maxBytes: number): Promise<ScrapeOutcome> {
  const target = targetLabels(spec);
  const started = performance.now();
  let series: SeriesSamples[] = [];
  let error: string | null = null;
  try {
    const res = await fetch(spec.url, {
      headers: {
        accept: ACCEPT,
        'user-agent': 'Steady-scraper',
        'x-prometheus-scrape-timeout-seconds': String(spec.timeoutSeconds),
      },
      signal: AbortSignal.timeout(spec.timeoutSeconds * 1000),
      redirect: 'follow',
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`.trim());
    }
    const exposition = parseExposition(await readCapped(res, maxBytes));
    const byKey = new Map<string, SeriesSamples>();
    for (const s of exposition.samples) {
      const labels = s.labels;
      for (const name in target) {
        const scraped = labels[name];
        if (scraped !== undefined && scraped !== '') labels[`exported_${name}`] = scraped;
        labels[name] = target[name] as string;
      }
      byKey.set(seriesKey(labels), { labels, points: [{ ts: s.ts ?? at, value: s.value }] });
    }
    series = [...byKey.values()];
  } catch (err) {
    const e = err as Error;
    error = e.name === 'TimeoutError' ? `scrape timed out after ${spec.timeoutSeconds}s` : e.message;
    const cause = (e as { cause?: Error }).cause;
    if (cause?.message && error === 'fetch failed') error = `fetch failed: ${cause.message}`;
    series = [];
  }
  const durationMs = performance.now() - started;
  return withReport(series, target, at, durationMs, error);
}

/** Adds the per-target report series, as Prometheus writes them for every scrape. */
export function withReport(
  series: SeriesSamples[],
  target: Readonly<Record<string, string>>,
  at: number,
  durationMs: number,
  error: string | null,
): ScrapeOutcome {
  const samples = error ? 0 : series.length;
  const report = (name: string, value: number): SeriesSamples => ({
    labels: { ...target, __name__: name },
    points: [{ ts: at, value }],
  });
  return {
    series: [
      ...(error ? [] : series),
      report('up', error ? 0 : 1),
      report('scrape_duration_seconds', durationMs / 1000),
      report('scrape_samples_scraped', samples),
    ],
    samples,
    durationMs,
    error,
  };
}
