import { createHash } from 'node:crypto';

/** Label matchers as Alertmanager writes them: `=`, `!=`, `=~`, `!~`; regexes match the whole value. */
export const MATCH_OPS = ['=', '!=', '=~', '!~'] as const;
export type MatchOp = (typeof MATCH_OPS)[number];

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

export type Labels = Readonly<Record<string, string>>;

const regexCache = new Map<string, RegExp>();

/** Anchored like Alertmanager (`^(?:re)$`), so `web.*` does not match `the-web-1`. */
export function compileRegex(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(`^(?:${source})$`, 'u');
    if (regexCache.size > 10_000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

/** The problem with a matcher's regex, or undefined when it compiles. */
export function regexProblem(m: Matcher): string | undefined {
  if (m.op !== '=~' && m.op !== '!~') return undefined;
  try {
    compileRegex(m.value);
    return undefined;
  } catch (err) {
    return `matcher ${m.name}${m.op}"${m.value}": ${(err as Error).message}`;
  }
}

/** A missing label matches as the empty string, as in Alertmanager (`foo=""` selects alerts without foo). */
export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return compileRegex(m.value).test(v);
    case '!~':
      return !compileRegex(m.value).test(v);
  }
}

export const matchesAll = (ms: readonly Matcher[], labels: Labels): boolean =>
  ms.every((m) => matches(m, labels));

/** Equality matchers selecting exactly this label set ("silence like this alert"). */
export const matchersFor = (labels: Labels): Matcher[] =>
  Object.keys(labels)
    .sort()
    .map((name) => ({ name, op: '=' as const, value: labels[name] ?? '' }));

/**
 * A stable identity for a label set: SHA-256 over the names and values in sorted order, so the same labels
 * in any order give the same fingerprint. `scope` keeps two integrations' alerts apart.
 */
export function fingerprint(scope: string, labels: Labels): string {
  const h = createHash('sha256');
  h.update(scope);
  for (const name of Object.keys(labels).sort()) {
    h.update('\u0000');
    h.update(name);
    h.update('\u0001');
    h.update(labels[name] ?? '');
  }
  return h.digest('hex').slice(0, 32);
}

export const formatMatchers = (ms: readonly Matcher[]): string =>
  `{${ms.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`;
