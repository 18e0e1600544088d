import { AppError } from '../../../platform/errors.ts';
import type { LabelMatcher, Labels, Point, ResultSeries } from '../metric-store.ts';
import type { InstantValue } from '../query/engine.ts';
import { canonicalLabels, compileMatcher } from '../store/matchers.ts';

/**
 * The client side of Prometheus's HTTP API (`/api/v1/query`, `query_range`, `series`, `labels`,
 * `label/:name/values`) and of remote_write, as Prometheus, VictoriaMetrics and Mimir serve them.
 */

export interface RemoteAuth {
  /** Extra headers on every request (e.g. `X-Scope-OrgID` for Mimir). */
  headers?: Readonly<Record<string, string>>;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
}

/** Headers for the TSDB's authentication; bearer and basic are exclusive (the config checks it). */
export function authHeaders(auth: RemoteAuth): Record<string, string> {
  const out: Record<string, string> = { ...auth.headers };
  if (auth.bearerToken) out.authorization = `Bearer ${auth.bearerToken}`;
  else if (auth.basicAuth) {
    const { username, password } = auth.basicAuth;
    out.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  return out;
}

export const unavailable = (message: string, details?: Record<string, unknown>) =>
  new AppError(503, 'metrics_backend_unavailable', message, details);

/** The reply body, cut short: enough to name the TSDB's reason without echoing a whole page. */
export async function replyText(res: Response): Promise<string> {
  return cut(await res.text().catch(() => ''));
}

export function cut(text: string): string {
  const t = text.trim();
  return t.length > 500 ? `${t.slice(0, 500)}…` : t;
}

/** Why a request never got an answer (refused, reset, timed out), for the 503's message. */
export function networkReason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** A PromQL string literal (Go-style escapes, which JSON's are a subset of). */
const quote = (v: string): string => JSON.stringify(v);

/**
 * A series selector for the matchers. Prometheus refuses selectors whose every matcher matches the
 * empty string (`{job=~".*"}`), so such a list (or an empty one) also gets `__name__=~".+"`, which every
 * series satisfies.
 */
export function selectorText(matchers: readonly LabelMatcher[]): string {
  const parts = matchers.map((m) => `${m.name}${m.op}${quote(m.value)}`);
  if (matchers.every((m) => compileMatcher(m).matchesEmpty)) parts.push('__name__=~".+"');
  return `{${parts.join(',')}}`;
}

/** Epoch ms as the API's Unix seconds. */
export const seconds = (ms: number): string => String(ms / 1000);

/** Prometheus's float text ("NaN", "+Inf", "-Inf" or a decimal) to a number. */
export function parseValue(text: unknown): number {
  switch (text) {
    case 'NaN':
      return Number.NaN;
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
  }
  const v = typeof text === 'string' && text.trim() !== '' ? Number(text) : Number.NaN;
  if (Number.isNaN(v)) throw badReply(`sample value ${JSON.stringify(text)} is not a number`);
  return v;
}

const badReply = (why: string) => unavailable(`The metrics TSDB sent a reply Steady cannot read: ${why}`);

function parsePoint(pair: unknown): Point {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number')
    throw badReply(`expected [time, "value"], got ${JSON.stringify(pair)}`);
  return { ts: Math.round(pair[0] * 1000), value: parseValue(pair[1]) };
}

interface ApiSeries {
  metric?: Record<string, string>;
  values?: unknown[];
  value?: unknown;
}

const byLabels = (a: ResultSeries, b: ResultSeries): number => {
  const x = canonicalLabels(a.labels);
  const y = canonicalLabels(b.labels);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** A `matrix` result as series sorted by labels (points keep the TSDB's time order). */
export function parseMatrix(result: unknown): ResultSeries[] {
  if (!Array.isArray(result)) throw badReply('matrix result is not a list');
  return (result as ApiSeries[])
    .map((s) => ({ labels: (s.metric ?? {}) as Labels, points: (s.values ?? []).map(parsePoint) }))
    .sort(byLabels);
}

/** A `vector` result as one-point series sorted by labels. */
export function parseVector(result: unknown): ResultSeries[] {
  if (!Array.isArray(result)) throw badReply('vector result is not a list');
  return (result as ApiSeries[])
    .map((s) => ({ labels: (s.metric ?? {}) as Labels, points: [parsePoint(s.value)] }))
    .sort(byLabels);
}

/** The `data` of a query answer as PromQL's result types. */
export function parseInstant(data: unknown): InstantValue {
  const { resultType, result } = (data ?? {}) as { resultType?: string; result?: unknown };
  switch (resultType) {
    case 'vector':
      return { resultType, result: parseVector(result) };
    case 'matrix':
      return { resultType, result: parseMatrix(result) };
    case 'scalar':
      return { resultType, result: parsePoint(result) };
    case 'string': {
      const [ts, value] = Array.isArray(result) ? result : [];
      return { resultType, result: { ts: Math.round(Number(ts) * 1000), value: String(value) } };
    }
    default:
      throw badReply(`unknown result type ${JSON.stringify(resultType)}`);
  }
}

/**
 * Turns a Prometheus API error into Steady's: a query the TSDB refuses (400 `bad_data`) or cannot
 * execute (422) is the caller's to fix and keeps its status; anything else (5xx, auth, unknown path)
 * is the installation's problem and answers 503 so that callers retry.
 */
export function apiError(status: number, body: string): AppError {
  let reason = body;
  try {
    const parsed = JSON.parse(body) as { error?: string };
    if (typeof parsed.error === 'string') reason = parsed.error;
  } catch {
    // Not JSON (a proxy's page, a plain-text error): the text itself is the reason.
  }
  if (status === 400) return new AppError(400, 'bad_data', `The metrics TSDB refused the query: ${reason}`);
  if (status === 422)
    return new AppError(422, 'execution', `The metrics TSDB could not run the query: ${reason}`);
  return unavailable(`The metrics TSDB answered HTTP ${status}: ${reason}`, { status });
}

/**
 * Turns a remote_write refusal into Steady's. The sender's contract (Prometheus's remote_write spec):
 * 4xx means "do not retry this batch" and 5xx/429 "retry later". Refusals of the samples themselves
 * (out-of-order, too old, too large, over a limit) keep that meaning for Steady's own clients; a 401,
 * 403 or 404 means Steady is misconfigured, so those answer 503 and the samples are sent again later.
 */
export function writeError(status: number, body: string): AppError {
  const details = { status, reply: body };
  const said = `HTTP ${status}${body ? `: ${body}` : ''}`;
  if (status === 429)
    return new AppError(429, 'too_many_requests', `The metrics TSDB asks to slow down (${said})`, details);
  if (status === 401 || status === 403 || status === 404 || status === 405 || status >= 500)
    return unavailable(`The metrics TSDB did not store the samples (${said})`, details);
  const ours = status === 413 ? 413 : status === 422 ? 422 : 400;
  return new AppError(
    ours,
    'remote_write_rejected',
    `The metrics TSDB refused the samples (${said})`,
    details,
  );
}
