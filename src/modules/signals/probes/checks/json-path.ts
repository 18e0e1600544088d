/**
 * A deliberately small JSONPath subset for probe assertions: `$`, `.name`, `['name']` / `["name"]` and
 * `[index]` (negative counts from the end), e.g. `$.data.items[0].status` or `$['order-id']`. No
 * wildcards, filters or scripts: a probe assertion names one value, and a subset this small cannot run
 * user code or blow up on a large response. Written by hand because the maintained libraries implement
 * the whole language (with script evaluation) for what is a ten-line walk here.
 */
export type PathStep = string | number;

export function parseJsonPath(path: string): PathStep[] {
  if (!path.startsWith('$')) throw new Error('must start with "$" (e.g. $.data.status)');
  const steps: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      const m = /^[A-Za-z_$][\w$-]*/.exec(path.slice(i + 1));
      if (!m) throw new Error(`expects a property name after "." at position ${i + 1}`);
      steps.push(m[0]);
      i += 1 + m[0].length;
    } else if (c === '[') {
      const rest = path.slice(i);
      const index = /^\[(-?\d+)\]/.exec(rest);
      const quoted = /^\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/.exec(rest);
      if (index?.[1] !== undefined) {
        steps.push(Number(index[1]));
        i += index[0].length;
      } else if (quoted) {
        steps.push((quoted[1] ?? quoted[2] ?? '').replace(/\\(.)/g, '$1'));
        i += quoted[0].length;
      } else {
        throw new Error(
          `expects [number] or ['name'] at position ${i} (wildcards and filters are not supported)`,
        );
      }
    } else {
      throw new Error(`unexpected "${c}" at position ${i}`);
    }
  }
  return steps;
}

/** The value at the path, or `undefined` when some step does not exist. */
export function evaluateJsonPath(doc: unknown, steps: readonly PathStep[]): unknown {
  let cur: unknown = doc;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[step < 0 ? cur.length + step : step];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, step))
        return undefined;
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return cur;
}

export type JsonOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'matches' | 'exists' | 'absent';

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

/**
 * Checks one assertion; returns null when it holds, else the reason. `==`/`!=` compare numbers as numbers
 * when both sides are numeric (so "200" equals 200) and everything else by its JSON text.
 */
export function checkJsonAssertion(
  doc: unknown,
  a: { path: string; op: JsonOp; value?: string | number | boolean | null | undefined },
): string | null {
  const actual = evaluateJsonPath(doc, parseJsonPath(a.path));
  const fail = (why: string) => `JSON ${a.path} ${why}`;
  switch (a.op) {
    case 'exists':
      return actual === undefined ? fail('does not exist') : null;
    case 'absent':
      return actual === undefined ? null : fail(`exists (${show(actual)})`);
    case '==':
    case '!=': {
      const equal = looselyEqual(actual, a.value);
      if (a.op === '==' && !equal) return fail(`is ${show(actual)}, expected ${show(a.value)}`);
      if (a.op === '!=' && equal) return fail(`is ${show(actual)}, expected anything else`);
      return null;
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const x = Number(actual);
      const y = Number(a.value);
      if (actual === null || actual === undefined || actual === '' || Number.isNaN(x) || Number.isNaN(y)) {
        return fail(`is ${show(actual)}, not a number to compare with ${show(a.value)}`);
      }
      const holds = a.op === '<' ? x < y : a.op === '<=' ? x <= y : a.op === '>' ? x > y : x >= y;
      return holds ? null : fail(`is ${x}, expected ${a.op} ${y}`);
    }
    case 'contains': {
      const needle = String(a.value);
      const holds = Array.isArray(actual)
        ? actual.some((v) => looselyEqual(v, a.value))
        : typeof actual === 'string' && actual.includes(needle);
      return holds ? null : fail(`is ${show(actual)}, expected it to contain ${show(a.value)}`);
    }
    case 'matches': {
      const holds = typeof actual === 'string' && new RegExp(String(a.value)).test(actual);
      return holds ? null : fail(`is ${show(actual)}, expected to match /${String(a.value)}/`);
    }
  }
}

function looselyEqual(actual: unknown, expected: unknown): boolean {
  if (actual === undefined) return false;
  const numeric = (v: unknown) =>
    (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '')) && !Number.isNaN(Number(v));
  if (numeric(actual) && numeric(expected) && (typeof actual === 'number' || typeof expected === 'number')) {
    return Number(actual) === Number(expected);
  }
  return JSON.stringify(actual) === JSON.stringify(expected);
}
