import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import { AppError } from '../../../platform/errors.ts';
import type { LabelMatcher, MatchOp } from '../metric-store.ts';
import { AGGREGATIONS, FUNCTIONS } from './functions.ts';

/** PromQL's AST, reduced to the subset Steady evaluates (README "Metrics"). */
export type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'selector'; matchers: LabelMatcher[]; offset: number; range: number | undefined }
  | { kind: 'call'; fn: string; args: Expr[] }
  | {
      kind: 'agg';
      op: string;
      param: Expr | undefined;
      expr: Expr;
      without: boolean;
      labels: string[] | undefined;
    }
  | {
      kind: 'binary';
      op: string;
      lhs: Expr;
      rhs: Expr;
      bool: boolean;
      matching: { on: boolean; labels: string[] } | undefined;
    }
  | { kind: 'unary'; op: '-' | '+'; expr: Expr };

/** A query Steady cannot answer: bad syntax or an unsupported construct (400, Prometheus's `bad_data`). */
export class PromqlError extends AppError {
  constructor(message: string) {
    super(400, 'bad_data', message);
  }
}

const BINARY_OPS: Record<string, string> = {
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Pow: '^',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
  And: 'and',
  Or: 'or',
  Unless: 'unless',
  Atan2: 'atan2',
};
const MATCH_OPS: Record<string, MatchOp> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };
const UNSUPPORTED_NODES: Record<string, string> = {
  SubqueryExpr: 'subqueries',
  StepInvariantExpr: 'the @ modifier',
  AnchoredExpr: 'the anchored modifier',
  SmoothedExpr: 'the smoothed modifier',
};

export function parsePromql(query: string): Expr {
  if (query.trim() === '') throw new PromqlError('empty query: give a PromQL expression');
  const tree = parser.parse(query);
  tree.iterate({
    enter(n) {
      if (n.type.isError) {
        const near = query.slice(n.from, n.from + 20);
        throw new PromqlError(
          `parse error at character ${n.from + 1}: ${near ? `unexpected "${near}"` : 'unexpected end of input'}`,
        );
      }
    },
  });
  const root = tree.topNode.firstChild;
  if (!root) throw new PromqlError('empty query: give a PromQL expression');
  const text = (n: SyntaxNode) => query.slice(n.from, n.to);
  return expr(root);

  function children(n: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) if (c.name !== 'LineComment') out.push(c);
    return out;
  }

  function expr(n: SyntaxNode): Expr {
    const unsupported = UNSUPPORTED_NODES[n.name];
    if (unsupported) throw new PromqlError(`unsupported PromQL construct: ${unsupported} (${text(n)})`);
    switch (n.name) {
      case 'NumberDurationLiteral':
        return { kind: 'number', value: parseNumber(text(n)) };
      case 'StringLiteral':
        return { kind: 'string', value: unquote(text(n)) };
      case 'ParenExpr':
        return expr(only(n));
      case 'VectorSelector':
        return selector(n);
      case 'MatrixSelector': {
        const [inner, dur] = children(n);
        const sel = expr(inner as SyntaxNode);
        if (sel.kind !== 'selector' || sel.range !== undefined || sel.offset !== 0) {
          throw new PromqlError(`ranges are only allowed on vector selectors (${text(n)})`);
        }
        return { ...sel, range: duration(dur as SyntaxNode) };
      }
      case 'OffsetExpr': {
        const parts = children(n);
        const inner = expr(parts[0] as SyntaxNode);
        if (inner.kind !== 'selector') throw new PromqlError(`offset only applies to selectors (${text(n)})`);
        return { ...inner, offset: offsetDuration(parts[parts.length - 1] as SyntaxNode) };
      }
      case 'UnaryExpr': {
        const [op, inner] = children(n);
        return {
          kind: 'unary',
          op: text(op as SyntaxNode) === '-' ? '-' : '+',
          expr: expr(inner as SyntaxNode),
        };
      }
      case 'FunctionCall':
        return call(n);
      case 'AggregateExpr':
        return aggregate(n);
      case 'BinaryExpr':
        return binary(n);
      default:
        throw new PromqlError(`unsupported PromQL construct: ${n.name} (${text(n)})`);
    }
  }

  function only(n: SyntaxNode): SyntaxNode {
    const c = children(n);
    if (c.length !== 1) throw new PromqlError(`parse error near "${text(n)}"`);
    return c[0] as SyntaxNode;
  }

  function selector(n: SyntaxNode): Expr {
    const matchers: LabelMatcher[] = [];
    for (const c of children(n)) {
      if (c.name === 'Identifier') matchers.push({ name: '__name__', op: '=', value: text(c) });
      else if (c.name === 'LabelMatchers') {
        for (const m of children(c)) {
          const parts = children(m);
          if (m.name === 'QuotedLabelName') {
            matchers.push({ name: '__name__', op: '=', value: unquote(text(m)) });
            continue;
          }
          const [nameNode, opNode, valueNode] = parts as [SyntaxNode, SyntaxNode, SyntaxNode];
          const name = m.name === 'QuotedLabelMatcher' ? unquote(text(nameNode)) : text(nameNode);
          const op = MATCH_OPS[opNode.firstChild?.name ?? ''];
          if (!op) throw new PromqlError(`unknown label match operator "${text(opNode)}"`);
          matchers.push({ name, op, value: unquote(text(valueNode)) });
        }
      }
    }
    const names = matchers.filter((m) => m.name === '__name__' && m.op === '=');
    if (names.length > 1) throw new PromqlError(`metric name given twice in ${text(n)}`);
    const selective = matchers.some((m) => !matchesEmpty(m));
    if (!selective) {
      throw new PromqlError(`vector selector must contain at least one non-empty matcher (${text(n)})`);
    }
    return { kind: 'selector', matchers, offset: 0, range: undefined };
  }

  function call(n: SyntaxNode): Expr {
    const [ident, body] = children(n) as [SyntaxNode, SyntaxNode];
    const fn = text(ident);
    const spec = FUNCTIONS[fn];
    if (!spec) throw new PromqlError(`unsupported PromQL function: ${fn}()`);
    const args = children(body).map(expr);
    if (args.length < spec.args.length - (spec.optional ?? 0) || args.length > spec.args.length) {
      throw new PromqlError(`${fn}() expects ${spec.args.length} argument(s), got ${args.length}`);
    }
    args.forEach((a, i) => {
      checkType(a, spec.args[i] as ArgType, `argument ${i + 1} of ${fn}()`);
    });
    return { kind: 'call', fn, args };
  }

  function aggregate(n: SyntaxNode): Expr {
    let op = '';
    let without = false;
    let labels: string[] | undefined;
    let args: Expr[] = [];
    for (const c of children(n)) {
      if (c.name === 'AggregateOp') op = text(c);
      else if (c.name === 'AggregateModifier') {
        without = c.firstChild?.name === 'Without';
        const grouping = children(c).find((g) => g.name === 'GroupingLabels');
        labels = grouping ? children(grouping).map((l) => unquoteLabel(text(l))) : [];
      } else if (c.name === 'FunctionCallBody') args = children(c).map(expr);
    }
    const spec = AGGREGATIONS[op];
    if (!spec) throw new PromqlError(`unsupported PromQL aggregation: ${op}`);
    const want = spec.param ? 2 : 1;
    if (args.length !== want)
      throw new PromqlError(`${op}() expects ${want} argument(s), got ${args.length}`);
    const param = spec.param ? args[0] : undefined;
    const inner = args[want - 1] as Expr;
    if (param) checkType(param, 'scalar', `the parameter of ${op}()`);
    checkType(inner, 'vector', `the argument of ${op}()`);
    return { kind: 'agg', op, param, expr: inner, without, labels };
  }

  function binary(n: SyntaxNode): Expr {
    const parts = children(n);
    const lhs = expr(parts[0] as SyntaxNode);
    const rhs = expr(parts[parts.length - 1] as SyntaxNode);
    const opNode = parts[1] as SyntaxNode;
    const op = BINARY_OPS[opNode.name];
    if (!op || op === 'atan2') throw new PromqlError(`unsupported binary operator "${text(opNode)}"`);
    let bool = false;
    let matching: { on: boolean; labels: string[] } | undefined;
    for (const c of parts.slice(2, -1)) {
      if (c.name === 'BoolModifier') bool = true;
      else if (c.name === 'MatchingModifierClause') {
        const sub = children(c);
        if (sub.some((s) => s.name === 'GroupLeft' || s.name === 'GroupRight')) {
          throw new PromqlError(
            'unsupported PromQL construct: group_left/group_right (many-to-one matching)',
          );
        }
        const grouping = sub.find((s) => s.name === 'GroupingLabels');
        matching = {
          on: sub[0]?.name === 'On',
          labels: grouping ? children(grouping).map((l) => unquoteLabel(text(l))) : [],
        };
      }
    }
    for (const side of [lhs, rhs]) checkType(side, 'scalar|vector', `an operand of "${op}"`);
    const comparison = ['==', '!=', '>', '<', '>=', '<='].includes(op);
    const setOp = op === 'and' || op === 'or' || op === 'unless';
    if (bool && !comparison) throw new PromqlError(`bool modifier can only be used on comparison operators`);
    const scalarSide = typeOf(lhs) === 'scalar' || typeOf(rhs) === 'scalar';
    if (comparison && !bool && typeOf(lhs) === 'scalar' && typeOf(rhs) === 'scalar') {
      throw new PromqlError('comparisons between scalars must use the bool modifier');
    }
    if (setOp && scalarSide)
      throw new PromqlError(`set operator "${op}" not allowed between scalars and vectors`);
    if (matching && scalarSide) throw new PromqlError('vector matching only allowed between instant vectors');
    return { kind: 'binary', op, lhs, rhs, bool, matching };
  }

  function duration(n: SyntaxNode): number {
    const c = children(n);
    if (
      n.name !== 'DurationExpr' ||
      c.length !== 1 ||
      c[0]?.name !== 'NumberDurationLiteralInDurationContext'
    ) {
      throw new PromqlError(`unsupported duration expression "${text(n)}": use a literal such as 5m`);
    }
    const ms = parseDuration(text(c[0]));
    if (ms <= 0) throw new PromqlError(`range must be positive: "${text(n)}"`);
    return ms;
  }

  function offsetDuration(n: SyntaxNode): number {
    const c = children(n);
    if (c.length === 2 && c[0]?.name === 'UnaryOp') {
      const sign = text(c[0]) === '-' ? -1 : 1;
      return sign * offsetDuration(c[1] as SyntaxNode);
    }
    if (c.length === 1 && c[0]?.name === 'NumberDurationLiteralInDurationContext')
      return parseDuration(text(c[0]));
    throw new PromqlError(`unsupported offset expression "${text(n)}": use a literal such as 5m`);
  }
}

type ArgType = 'scalar' | 'vector' | 'matrix' | 'string' | 'scalar|vector';

/** The static type of an expression, as PromQL's parser checks it. */
export function typeOf(e: Expr): 'scalar' | 'vector' | 'matrix' | 'string' {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'selector':
      return e.range === undefined ? 'vector' : 'matrix';
    case 'call':
      return FUNCTIONS[e.fn]?.returns ?? 'vector';
    case 'agg':
      return 'vector';
    case 'unary':
      return typeOf(e.expr);
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
  }
}

function checkType(e: Expr, want: ArgType, where: string): void {
  const got = typeOf(e);
  const ok = want === 'scalar|vector' ? got === 'scalar' || got === 'vector' : got === want;
  const names = { scalar: 'scalar', vector: 'instant vector', matrix: 'range vector', string: 'string' };
  if (!ok) {
    const expected = want === 'scalar|vector' ? 'scalar or instant vector' : names[want];
    throw new PromqlError(`expected type ${expected} in ${where}, got ${names[got]}`);
  }
}

function matchesEmpty(m: LabelMatcher): boolean {
  switch (m.op) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    default: {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${m.value})$`, 's');
      } catch (err) {
        throw new PromqlError(
          `invalid regular expression ${JSON.stringify(m.value)}: ${(err as Error).message}`,
        );
      }
      return m.op === '=~' ? re.test('') : !re.test('');
    }
  }
}

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** A Prometheus duration (`1h30m`, `15s`, or plain seconds `90`) in milliseconds. */
export function parseDuration(s: string): number {
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const m = DURATION.exec(s);
  if (!m || s === '') throw new PromqlError(`invalid duration "${s}"`);
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) if (m[i + 1]) ms += Number(m[i + 1]) * (UNIT_MS[i] as number);
  return ms;
}

function parseNumber(s: string): number {
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return Number.POSITIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  if (/^0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s, 16);
  const n = Number(s);
  if (!Number.isNaN(n)) return n;
  // A duration used as a number (`5m`) is its length in seconds, as in Prometheus 3.
  return parseDuration(s) / 1000;
}

function unquote(s: string): string {
  const q = s[0];
  const body = s.slice(1, -1);
  if (q === '`') return body;
  if (q === "'") return JSON.parse(`"${body.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`);
  try {
    return JSON.parse(s);
  } catch {
    throw new PromqlError(`invalid string literal ${s}`);
  }
}

const unquoteLabel = (s: string): string => (s.startsWith('"') || s.startsWith("'") ? unquote(s) : s);
