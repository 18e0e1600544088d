import type { RuleInputBody } from './api';

export const KINDS = ['threshold', 'rate_of_change', 'anomaly', 'burn_rate', 'probe_down'] as const;
export type Kind = (typeof KINDS)[number];
export const COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
export const NO_DATA = ['off', 'ok', 'alert', 'keep'] as const;

export interface BurnWindowValues {
  long: string;
  short: string;
  factor: number | null;
  severity: 'P1' | 'P2' | 'P3';
}

/** The SRE workbook's multiwindow, multi-burn-rate pairs (the API's defaults too). */
export const DEFAULT_WINDOWS: BurnWindowValues[] = [
  { long: '1h', short: '5m', factor: 14.4, severity: 'P1' },
  { long: '6h', short: '30m', factor: 6, severity: 'P2' },
  { long: '3d', short: '6h', factor: 1, severity: 'P3' },
];

/**
 * Every kind's fields in one flat-ish object, shaped like the API's spec so that a server error at
 * `spec.source.total` lands on the form field `['spec', 'source', 'total']`. Only `noData` differs: the
 * form always holds an object (state `off` stands for the API's null).
 */
export interface SpecValues {
  query?: string;
  op?: (typeof COMPARISONS)[number];
  value?: number | null;
  recovery?: number | null;
  forSeconds?: number | null;
  noData?: { state: (typeof NO_DATA)[number]; afterSeconds: number | null };
  windowSeconds?: number | null;
  mode?: 'percent' | 'absolute';
  direction?: 'up' | 'down' | 'either';
  sensitivity?: 'low' | 'medium' | 'high';
  minDurationSeconds?: number | null;
  source?: {
    type: 'counters' | 'error_ratio';
    total?: string;
    good?: string;
    bad?: string;
    query?: string;
  };
  objective?: number | null;
  periodDays?: number | null;
  windows?: BurnWindowValues[];
  consecutive?: number | null;
}

/** A starting point per kind, so a new rule shows sensible values rather than empty boxes. */
export const TEMPLATES: Record<Kind, SpecValues> = {
  threshold: {
    query: '',
    op: '>',
    value: null,
    recovery: null,
    forSeconds: 300,
    noData: { state: 'off', afterSeconds: 600 },
  },
  rate_of_change: {
    query: '',
    windowSeconds: 900,
    mode: 'percent',
    direction: 'down',
    value: 50,
    forSeconds: 0,
  },
  anomaly: { query: '', direction: 'either', sensitivity: 'medium', minDurationSeconds: 0 },
  burn_rate: {
    source: { type: 'counters', total: '', bad: '', good: '' },
    objective: 99.9,
    periodDays: 30,
    windows: DEFAULT_WINDOWS,
    forSeconds: 0,
  },
  probe_down: { query: 'probe_success', consecutive: 3 },
};

const orNull = (s: string | undefined) => (s?.trim() ? s.trim() : null);
const num = (n: number | null | undefined) => (n === null || n === undefined ? undefined : n);

/** Form values → the API's spec for the kind (fields of other kinds left behind in the form are dropped). */
export function toSpec(kind: Kind, v: SpecValues): Record<string, unknown> {
  switch (kind) {
    case 'threshold':
      return {
        query: v.query ?? '',
        op: v.op,
        value: num(v.value),
        recovery: v.recovery ?? null,
        forSeconds: v.forSeconds ?? 0,
        noData:
          !v.noData || v.noData.state === 'off'
            ? null
            : { state: v.noData.state, afterSeconds: num(v.noData.afterSeconds) },
      };
    case 'rate_of_change':
      return {
        query: v.query ?? '',
        windowSeconds: num(v.windowSeconds),
        mode: v.mode,
        direction: v.direction,
        value: num(v.value),
        forSeconds: v.forSeconds ?? 0,
      };
    case 'anomaly':
      return {
        query: v.query ?? '',
        direction: v.direction,
        sensitivity: v.sensitivity,
        minDurationSeconds: v.minDurationSeconds ?? 0,
      };
    case 'burn_rate': {
      const s = v.source ?? { type: 'counters' };
      return {
        source:
          s.type === 'error_ratio'
            ? { type: 'error_ratio', query: s.query ?? '' }
            : { type: 'counters', total: s.total ?? '', good: orNull(s.good), bad: orNull(s.bad) },
        objective: num(v.objective),
        periodDays: num(v.periodDays),
        windows: (v.windows ?? []).map((w) => ({ ...w, factor: num(w.factor) })),
        forSeconds: v.forSeconds ?? 0,
      };
    }
    case 'probe_down':
      return { query: v.query || 'probe_success', consecutive: num(v.consecutive) };
  }
}

/** A stored (or hand-written JSON) spec → form values, with the kind's template filling what is missing. */
export function fromSpec(kind: Kind, spec: Record<string, unknown>): SpecValues {
  const base = TEMPLATES[kind];
  const out = { ...base, ...spec } as SpecValues & { noData?: unknown; source?: unknown };
  if (kind === 'threshold') {
    const nd = spec.noData as { state: 'ok' | 'alert' | 'keep'; afterSeconds: number } | null | undefined;
    out.noData = nd ? { state: nd.state, afterSeconds: nd.afterSeconds } : base.noData;
  }
  if (kind === 'burn_rate') {
    const src = (spec.source ?? base.source) as Record<string, string | null>;
    out.source = {
      type: src.type === 'error_ratio' ? 'error_ratio' : 'counters',
      total: src.total ?? '',
      good: src.good ?? '',
      bad: src.bad ?? '',
      query: src.query ?? '',
    };
  }
  return out as SpecValues;
}

/** The rule editor's fields other than the condition (labels as `name=value` lines). */
export interface RuleFields {
  name: string;
  kind: Kind;
  severity: 'P1' | 'P2' | 'P3';
  labels: string;
  summary: string;
  description: string;
  runbookUrl: string;
  serviceId: string | null;
  enabled: boolean;
}

export function toInput(v: RuleFields, spec: Record<string, unknown>): RuleInputBody {
  return {
    name: v.name,
    kind: v.kind,
    severity: v.severity,
    labels: parseLabels(v.labels ?? ''),
    summary: v.summary,
    description: v.description,
    runbookUrl: v.runbookUrl,
    serviceId: v.serviceId ?? null,
    enabled: v.enabled,
    spec,
  } as RuleInputBody;
}

export const parseLabels = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const i = l.indexOf('=');
        return i < 0 ? [l, ''] : [l.slice(0, i).trim(), l.slice(i + 1).trim()];
      }),
  );
