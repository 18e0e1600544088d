import type { Silence } from './api';

type Matchers = Silence['matchers'];

/** Matchers as Alertmanager users write them: `{service="checkout", job=~"web.*"}`. */
export const formatMatchers = (ms: Matchers): string =>
  ms.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(', ');

const ONE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/** Parses `a="b", c=~"d.*"`; returns null when any part is not a matcher. */
export function parseMatchers(text: string): Matchers | null {
  const body = text.trim().replace(/^\{/, '').replace(/\}$/, '');
  if (!body.trim()) return [];
  const parts = body.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  const out: Matchers = [];
  for (const part of parts) {
    const m = ONE.exec(part);
    if (!m) return null;
    out.push({ name: m[1] ?? '', op: m[2] as Matchers[number]['op'], value: JSON.parse(`"${m[3] ?? ''}"`) });
  }
  return out;
}
