/**
 * The simulation's series: registered in a fixed call order on the first tick (the emitter always calls
 * them in the same order), then updated by index. Counters draw integer increments from their own random
 * stream, so two runs with the same seed give byte-identical values.
 */

import { poisson, streamKey } from './random.ts';

export type MetricType = 'counter' | 'gauge' | 'summary' | 'histogram';

export type SimLabels = Readonly<Record<string, string>>;

interface SeriesDef {
  /** Family (what `# TYPE` names): `http_request_duration_seconds` for its `_sum` too. */
  family: string;
  labels: SimLabels;
  /** The labels without `__name__`, for the exposition text. */
  plain: string;
  key: number;
  counter: boolean;
}

interface Family {
  name: string;
  type: MetricType;
  help: string;
}

export class Registry {
  readonly defs: SeriesDef[] = [];
  readonly values: number[] = [];
  readonly families = new Map<string, Family>();
  private cursor = 0;
  private sealed = false;
  private tick = 0;

  private readonly seed: number;

  constructor(seed: number) {
    this.seed = seed;
  }

  /** Starts a tick: `tick` is the draw index for counter noise (the absolute tick number). */
  begin(tick: number): void {
    this.cursor = 0;
    this.tick = tick;
  }

  end(): void {
    if (!this.sealed) this.sealed = true;
    else if (this.cursor !== this.defs.length)
      throw new Error('sim registry: series set changed between ticks');
  }

  family(name: string, type: MetricType, help: string): void {
    if (!this.families.has(name)) this.families.set(name, { name, type, help });
  }

  private slot(family: string, name: string, labels: Record<string, string>, counter: boolean): number {
    const i = this.cursor++;
    if (!this.sealed) {
      const full: Record<string, string> = { __name__: name, ...labels };
      const plain = Object.entries(labels)
        .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
        .join(',');
      const id = `${name}{${plain}}`;
      this.defs.push({ family, labels: full, plain, key: streamKey(this.seed, id), counter });
      this.values.push(0);
    } else if (this.defs[i]?.labels.__name__ !== name) {
      throw new Error(`sim registry: series ${i} is ${this.defs[i]?.labels.__name__}, expected ${name}`);
    }
    return i;
  }

  gauge(family: string, name: string, labels: Record<string, string>, value: number): void {
    this.values[this.slot(family, name, labels, false)] = value;
  }

  /** Adds a Poisson-distributed whole number of events with mean `mean`; `reset` restarts from 0 first. */
  count(family: string, name: string, labels: Record<string, string>, mean: number, reset = false): number {
    const i = this.slot(family, name, labels, true);
    const n = poisson(this.defs[i]!.key, this.tick, mean);
    this.values[i] = (reset ? 0 : this.values[i]!) + n;
    return n;
  }

  /** Adds a continuous amount (CPU seconds, yuan, latency sums). */
  add(family: string, name: string, labels: Record<string, string>, amount: number, reset = false): void {
    const i = this.slot(family, name, labels, true);
    this.values[i] = (reset ? 0 : this.values[i]!) + Math.max(0, amount);
  }

  /** Prometheus text exposition (format 0.0.4) of the current values, without timestamps. */
  exposition(include: (labels: SimLabels) => boolean = () => true): string {
    const byFamily = new Map<string, number[]>();
    this.defs.forEach((d, i) => {
      if (!include(d.labels)) return;
      const list = byFamily.get(d.family) ?? [];
      list.push(i);
      byFamily.set(d.family, list);
    });
    let out = '';
    for (const [name, idx] of byFamily) {
      const f = this.families.get(name)!;
      out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n`;
      for (const i of idx) {
        const d = this.defs[i]!;
        out += `${d.labels.__name__}${d.plain ? `{${d.plain}}` : ''} ${formatValue(this.values[i]!)}\n`;
      }
    }
    return out;
  }
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}
