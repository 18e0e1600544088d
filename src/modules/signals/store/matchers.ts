import { badRequest } from '../../../platform/errors.ts';
import type { LabelMatcher, Labels } from '../metric-store.ts';

/** A label matcher ready to test label sets; regexes are fully anchored as in Prometheus. */
export interface CompiledMatcher extends LabelMatcher {
  test(labels: Labels): boolean;
  /** Whether the matcher accepts a missing (empty) label; such a matcher cannot narrow an index lookup. */
  matchesEmpty: boolean;
  regex: RegExp | undefined;
}

const regexCache = new Map<string, RegExp>();

export function anchoredRegex(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    try {
      re = new RegExp(`^(?:${source})$`, 's');
    } catch (err) {
      throw badRequest(`invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

export function compileMatcher(m: LabelMatcher): CompiledMatcher {
  const regex = m.op === '=~' || m.op === '!~' ? anchoredRegex(m.value) : undefined;
  const matchValue = (v: string): boolean => {
    switch (m.op) {
      case '=':
        return v === m.value;
      case '!=':
        return v !== m.value;
      case '=~':
        return (regex as RegExp).test(v);
      case '!~':
        return !(regex as RegExp).test(v);
    }
  };
  return {
    ...m,
    regex,
    matchesEmpty: matchValue(''),
    test: (labels) => matchValue(labels[m.name] ?? ''),
  };
}

export const compileMatchers = (matchers: readonly LabelMatcher[]): CompiledMatcher[] =>
  matchers.map(compileMatcher);

/** Labels as canonical JSON (keys sorted): the series identity, its hash input and its cache key. */
export function canonicalLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (i > 0) out += ',';
    out += `${JSON.stringify(k)}:${JSON.stringify(labels[k])}`;
  }
  return `${out}}`;
}

/**
 * A cheap identity key for the hot path's series cache (the canonical JSON is built only for new series):
 * names and values in name order, NUL-separated (NUL is refused in label values at the edge).
 */
export function labelsCacheKey(labels: Labels): string {
  let keys = Object.keys(labels);
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      keys = keys.sort();
      break;
    }
  }
  let out = '';
  for (const k of keys) out += `${k}\u0000${labels[k]}\u0000`;
  return out;
}
