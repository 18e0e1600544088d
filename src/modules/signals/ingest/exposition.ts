/**
 * A parser for Prometheus's text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/).
 *
 * Written here because the one npm parser (parse-prometheus-text-format) reshapes samples into metric
 * families with string values and no per-sample timestamps, which we would have to flatten and re-parse;
 * the format is line-based and small, and this parser refuses malformed input with the line number, as
 * Prometheus's own scraper does (a bad line fails the whole scrape).
 */

export interface ExpositionSample {
  /** Includes `__name__`. */
  labels: Record<string, string>;
  value: number;
  /** Epoch ms when the exposition carries one; otherwise the scrape's time applies. */
  ts?: number;
}

export const METRIC_TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

export interface Exposition {
  samples: ExpositionSample[];
  /** Metric family name → declared type. */
  types: Map<string, MetricType>;
  help: Map<string, string>;
}

export class ExpositionError extends Error {
  override name = 'ExpositionError';
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL_CHAR = /[a-zA-Z0-9_]/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+$/;

/** A float as Go's strconv.ParseFloat reads it, which is what Prometheus uses. */
export function parseFloatValue(token: string): number | undefined {
  const lower = token.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity')
    return Number.POSITIVE_INFINITY;
  if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
  return DECIMAL.test(token) ? Number(token) : undefined;
}

const unescapeHelp = (s: string) => s.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));

class LineReader {
  pos = 0;
  readonly line: string;
  readonly fail: (why: string) => never;

  constructor(line: string, fail: (why: string) => never) {
    this.line = line;
    this.fail = fail;
  }

  skipSpace(): boolean {
    const start = this.pos;
    while (this.line[this.pos] === ' ' || this.line[this.pos] === '\t') this.pos++;
    return this.pos > start;
  }

  name(start: RegExp, rest: RegExp, what: string): string {
    const from = this.pos;
    if (!start.test(this.line[this.pos] ?? '')) this.fail(`expected a ${what} at column ${this.pos + 1}`);
    this.pos++;
    while (this.pos < this.line.length && rest.test(this.line[this.pos] as string)) this.pos++;
    return this.line.slice(from, this.pos);
  }

  quoted(): string {
    if (this.line[this.pos] !== '"') this.fail(`expected '"' at column ${this.pos + 1}`);
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.line[this.pos++];
      if (c === undefined) this.fail('unterminated label value');
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.line[this.pos++];
        if (e === 'n') out += '\n';
        else if (e === '\\' || e === '"') out += e;
        else this.fail(`invalid escape "\\${e ?? ''}" in a label value`);
      } else out += c;
    }
  }

  token(): string {
    const from = this.pos;
    while (this.pos < this.line.length && this.line[this.pos] !== ' ' && this.line[this.pos] !== '\t')
      this.pos++;
    return this.line.slice(from, this.pos);
  }
}

function parseSample(r: LineReader): ExpositionSample {
  const labels: Record<string, string> = { __name__: r.name(NAME_START, NAME_CHAR, 'metric name') };
  r.skipSpace();
  if (r.line[r.pos] === '{') {
    r.pos++;
    for (;;) {
      r.skipSpace();
      if (r.line[r.pos] === '}') break;
      const name = r.name(LABEL_START, LABEL_CHAR, 'label name');
      r.skipSpace();
      if (r.line[r.pos] !== '=') r.fail(`expected '=' after label "${name}"`);
      r.pos++;
      r.skipSpace();
      const value = r.quoted();
      if (name in labels) r.fail(`label "${name}" appears twice`);
      labels[name] = value;
      r.skipSpace();
      if (r.line[r.pos] === ',') {
        r.pos++;
        continue;
      }
      if (r.line[r.pos] !== '}') r.fail(`expected ',' or '}' at column ${r.pos + 1}`);
      break;
    }
    r.pos++;
    r.skipSpace();
  }
  const valueToken = r.token();
  if (!valueToken) r.fail('missing sample value');
  const value = parseFloatValue(valueToken);
  if (value === undefined) r.fail(`"${valueToken}" is not a number`);
  r.skipSpace();
  const tsToken = r.token();
  let ts: number | undefined;
  if (tsToken) {
    if (!INTEGER.test(tsToken) || !Number.isSafeInteger(Number(tsToken)))
      r.fail(`"${tsToken}" is not a millisecond timestamp`);
    ts = Number(tsToken);
    r.skipSpace();
  }
  if (r.pos < r.line.length) r.fail(`unexpected "${r.line.slice(r.pos, r.pos + 20)}" after the sample`);
  return ts === undefined ? { labels, value } : { labels, value, ts };
}

/** Parses a whole exposition; throws ExpositionError naming the first bad line. */
export function parseExposition(text: string): Exposition {
  const out: Exposition = { samples: [], types: new Map(), help: new Map() };
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n] as string;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const fail = (why: string): never => {
      throw new ExpositionError(`line ${n + 1}: ${why}`);
    };
    if (line.trim() === '') continue;
    const r = new LineReader(line, fail);
    r.skipSpace();
    if (line[r.pos] === '#') {
      const parts = line.slice(r.pos + 1).trimStart();
      const m = /^(HELP|TYPE)[ \t]+([^ \t]+)(?:[ \t]+(.*))?$/.exec(parts);
      if (!m) continue; // any other comment, including OpenMetrics' "# EOF"
      const [, keyword, name = '', rest = ''] = m;
      if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) fail(`invalid metric name "${name}" in # ${keyword}`);
      if (keyword === 'HELP') out.help.set(name, unescapeHelp(rest));
      else {
        const type = rest.trim() as MetricType;
        if (!METRIC_TYPES.includes(type)) fail(`unknown metric type "${rest.trim()}" for ${name}`);
        if (out.types.has(name)) fail(`second # TYPE line for ${name}`);
        out.types.set(name, type);
      }
      continue;
    }
    out.samples.push(parseSample(r));
  }
  return out;
}
