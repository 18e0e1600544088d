import { parser } from '@prometheus-io/lezer-promql';
import type { LabelMatcher, Labels, MatchOp } from '../../signals/index.ts';

/** What a rule's query selects: the series it reads, found by walking the PromQL syntax tree. */
export interface ParsedQuery {
  text: string;
  /** A bare vector selector (`metric{a="b"}`): evaluated sample by sample, no query needed. */
  plainSelector: boolean;
  /** Every vector selector in the expression, with its metric name (`null` when it has none). */
  selectors: { metric: string | null; matchers: LabelMatcher[] }[];
}

export class QueryError extends Error {
  override name = 'QueryError';
}

const OPS: Record<string, MatchOp> = { '=': '=', '!=': '!=', '=~': '=~', '!~': '!~' };

/** Go-style string literal of PromQL: "…" and '…' with escapes, `…` raw. */
function unquote(literal: string): string {
  const q = literal[0];
  const body = literal.slice(1, -1);
  if (q === '`') return body;
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, e: string) => {
    if (e[0] === 'u' || e[0] === 'x') return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" } as Record<string, string>)[e] ?? e;
  });
}

/**
 * Parses a PromQL expression with Prometheus's own grammar (the lezer parser the Prometheus UI uses)
 * and lists its selectors; a syntax error names the position. Whether the store's PromQL subset can run
 * every function is the store's to say when the query runs; the preview runs it before a rule is saved.
 */
export function parseQuery(text: string): ParsedQuery {
  const src = text.trim();
  if (src === '') throw new QueryError('the query is empty');
  const tree = parser.parse(src);
  let error: number | undefined;
  const selectors: ParsedQuery['selectors'] = [];
  const top = tree.topNode.firstChild;
  tree.iterate({
    enter(node) {
      if (node.type.isError && error === undefined) error = node.from;
      if (node.name !== 'VectorSelector') return;
      let metric: string | null = null;
      const matchers: LabelMatcher[] = [];
      const ident = node.node.getChild('Identifier');
      if (ident) metric = src.slice(ident.from, ident.to);
      for (const m of node.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const name = m.getChild('LabelName');
        const op = m.getChild('MatchOp');
        const value = m.getChild('StringLiteral');
        if (!name || !op || !value) continue;
        matchers.push({
          name: src.slice(name.from, name.to),
          op: OPS[src.slice(op.from, op.to)] ?? '=',
          value: unquote(src.slice(value.from, value.to)),
        });
      }
      const byName = matchers.find((m) => m.name === '__name__' && m.op === '=');
      if (!metric && byName) metric = byName.value;
      selectors.push({ metric, matchers: matchers.filter((m) => m !== byName) });
    },
  });
  if (error !== undefined) {
    throw new QueryError(`syntax error at position ${error + 1} of "${src}"`);
  }
  for (const s of selectors) {
    for (const m of s.matchers) {
      if (m.op === '=~' || m.op === '!~') {
        try {
          new RegExp(`^(?:${m.value})$`);
        } catch {
          throw new QueryError(
            `label matcher ${m.name}${m.op}"${m.value}" is not a valid regular expression`,
          );
        }
      }
    }
  }
  if (selectors.length === 0) throw new QueryError('the query selects no series');
  return { text: src, plainSelector: top?.name === 'VectorSelector' && !top.nextSibling, selectors };
}

/** Parses a query that must be one bare selector (rate of change, anomaly, probe down, SLO series). */
export function parseSelector(text: string): { metric: string; matchers: LabelMatcher[] } {
  const q = parseQuery(text);
  const sel = q.selectors[0];
  if (!q.plainSelector || !sel)
    throw new QueryError(`"${q.text}" must be a series selector such as metric{label="value"}`);
  if (!sel.metric) throw new QueryError(`"${q.text}" must name a metric`);
  return { metric: sel.metric, matchers: sel.matchers };
}

/** The full matcher list of a selector, `__name__` included, as the store's `select` takes it. */
export const storeMatchers = (sel: { metric: string; matchers: LabelMatcher[] }): LabelMatcher[] => [
  { name: '__name__', op: '=', value: sel.metric },
  ...sel.matchers,
];

const regexCache = new Map<string, RegExp>();
function anchored(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(`^(?:${source})$`);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

/** Prometheus semantics: a missing label equals "". */
export function matches(labels: Labels, matchers: readonly LabelMatcher[]): boolean {
  for (const m of matchers) {
    const v = labels[m.name] ?? '';
    switch (m.op) {
      case '=':
        if (v !== m.value) return false;
        break;
      case '!=':
        if (v === m.value) return false;
        break;
      case '=~':
        if (!anchored(m.value).test(v)) return false;
        break;
      case '!~':
        if (anchored(m.value).test(v)) return false;
        break;
    }
  }
  return true;
}

/** A stable key of a label set (sorted), used as the instance key and for equality. */
export function labelsKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

/** The series labels an alert carries: Prometheus drops the metric name from alert labels. */
export function withoutName(labels: Labels): Record<string, string> {
  const { __name__: _, ...rest } = labels;
  return rest;
}
