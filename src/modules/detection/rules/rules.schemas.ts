import { z } from 'zod';
import { parseQuery, parseSelector, QueryError } from './expr.ts';
import { checkTemplate, TemplateError } from './template.ts';

export const SEVERITIES = ['P1', 'P2', 'P3'] as const;
export const RULE_KINDS = ['threshold', 'rate_of_change', 'anomaly', 'burn_rate', 'probe_down'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

const severity = z.enum(SEVERITIES);
const seconds = (min: number, max: number) =>
  z
    .number()
    .int('must be a whole number of seconds')
    .min(min, `must be at least ${min} s`)
    .max(max, `must be at most ${max} s`);

/** A PromQL expression that must parse; the error says where it does not. */
const query = z
  .string()
  .max(2000)
  .superRefine((text, ctx) => {
    try {
      parseQuery(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof QueryError ? err.message : String(err) });
    }
  });
const selector = z
  .string()
  .max(1000)
  .superRefine((text, ctx) => {
    try {
      parseSelector(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof QueryError ? err.message : String(err) });
    }
  });
const template = z
  .string()
  .max(2000)
  .superRefine((text, ctx) => {
    try {
      checkTemplate(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof TemplateError ? err.message : String(err) });
    }
  });

export const COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const thresholdSpec = z.object({
  query,
  op: z.enum(COMPARISONS),
  value: z.number(),
  /** The value that must be crossed back before the alert resolves; absent: `value`. */
  recovery: z.number().nullable().default(null),
  forSeconds: seconds(0, 86_400).default(0),
  noData: z
    .object({ afterSeconds: seconds(60, 7 * 86_400), state: z.enum(['ok', 'alert', 'keep']) })
    .nullable()
    .default(null),
});

export const rateOfChangeSpec = z.object({
  query: selector,
  windowSeconds: seconds(60, 7 * 86_400),
  mode: z.enum(['percent', 'absolute']),
  direction: z.enum(['up', 'down', 'either']).default('either'),
  value: z.number().positive('must be above 0'),
  forSeconds: seconds(0, 86_400).default(0),
});

export const anomalySpec = z.object({
  /** A series selector (a detector per series) or an expression (a detector per result series). */
  query: query.superRefine((text, ctx) => {
    try {
      const q = parseQuery(text);
      if (q.plainSelector) parseSelector(text);
    } catch (err) {
      if (err instanceof QueryError) ctx.addIssue({ code: 'custom', message: err.message });
    }
  }),
  detector: z.literal('default').default('default'),
  sensitivity: z.enum(['low', 'medium', 'high']).default('medium'),
  /** Which side of the expected band counts: an error ratio matters only above it. */
  direction: z.enum(['up', 'down', 'either']).default('either'),
  minDurationSeconds: seconds(0, 86_400).default(0),
});

const duration = z.string().regex(/^\d+[smhd]$/, 'must be a duration such as 5m, 1h or 3d');
export const burnWindow = z.object({
  long: duration,
  short: duration,
  factor: z.number().positive('must be above 0'),
  severity,
});

/** SRE workbook (chapter 5, multiwindow multi-burn-rate alerts). */
export const DEFAULT_BURN_WINDOWS: z.output<typeof burnWindow>[] = [
  { long: '1h', short: '5m', factor: 14.4, severity: 'P1' },
  { long: '6h', short: '30m', factor: 6, severity: 'P2' },
  { long: '3d', short: '6h', factor: 1, severity: 'P3' },
];

export const burnRateSpec = z.object({
  source: z.discriminatedUnion('type', [
    z.object({
      /** Counters: total requests, plus good OR bad requests. */
      type: z.literal('counters'),
      total: selector,
      good: selector.nullable().default(null),
      bad: selector.nullable().default(null),
    }),
    /** A gauge that already is the error ratio (0..1), averaged over each window. */
    z.object({ type: z.literal('error_ratio'), query: selector }),
  ]),
  /** Percent, e.g. 99.9. */
  objective: z.number().gt(0, 'must be above 0').lt(100, 'must be below 100'),
  periodDays: z.number().int().min(1).max(90).default(30),
  windows: z.array(burnWindow).min(1).max(6).default(DEFAULT_BURN_WINDOWS),
  forSeconds: seconds(0, 86_400).default(0),
});

export const probeDownSpec = z.object({
  query: selector.default('probe_success'),
  consecutive: z.number().int().min(1).max(100).default(3),
});

const common = {
  name: z.string().trim().min(1, 'must not be empty').max(200),
  labels: z
    .record(
      z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are letters, digits and _'),
      z.string().max(500),
    )
    .default({}),
  severity: severity.default('P2'),
  summary: template.default('{{ $rule }}: {{ $value }}'),
  description: template.default(''),
  runbookUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
  serviceId: z.uuid().nullable().default(null),
  enabled: z.boolean().default(true),
};

export const ruleInput = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('threshold'), spec: thresholdSpec }),
  z.object({ ...common, kind: z.literal('rate_of_change'), spec: rateOfChangeSpec }),
  z.object({ ...common, kind: z.literal('anomaly'), spec: anomalySpec }),
  z.object({ ...common, kind: z.literal('burn_rate'), spec: burnRateSpec }),
  z.object({ ...common, kind: z.literal('probe_down'), spec: probeDownSpec }),
]);
export type RuleInput = z.output<typeof ruleInput>;

export const ruleSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(RULE_KINDS),
  spec: z.record(z.string(), z.unknown()),
  labels: z.record(z.string(), z.string()),
  severity,
  summary: z.string(),
  description: z.string(),
  runbookUrl: z.string(),
  serviceId: z.string().nullable(),
  enabled: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
/** A stored rule; `spec` has the shape its kind's schema gives. */
export type TypedRule = RuleInput & { id: string; createdAt: number; updatedAt: number };
export type Rule = TypedRule;

export const instanceSchema = z.object({
  instanceKey: z.string(),
  labels: z.record(z.string(), z.string()),
  state: z.enum(['inactive', 'pending', 'firing']),
  pendingSince: z.number().nullable(),
  firingSince: z.number().nullable(),
  resolvedAt: z.number().nullable(),
  lastValue: z.number().nullable(),
  lastEvalAt: z.number().nullable(),
});
export const ruleDetailReply = ruleSchema.extend({ instances: z.array(instanceSchema) });
export const rulesReply = z.object({
  items: z.array(ruleSchema.extend({ firing: z.number(), pending: z.number() })),
});
export const rulesQuery = z.object({
  kind: z.enum(RULE_KINDS).optional(),
  serviceId: z.string().optional(),
  q: z.string().max(200).optional(),
});

export const previewBody = z.object({
  rule: ruleInput,
  /** Defaults: the last 7 days up to now. */
  from: z.number().int().optional(),
  to: z.number().int().optional(),
});
const point = z.tuple([z.number(), z.number().nullable()]);
export const previewReply = z.object({
  from: z.number(),
  to: z.number(),
  step: z.number(),
  series: z
    .array(
      z.object({
        labels: z.record(z.string(), z.string()),
        points: z.array(point),
        lower: z.array(point).optional(),
        upper: z.array(point).optional(),
        intervals: z.array(z.object({ start: z.number(), end: z.number().nullable() })),
      }),
    )
    .max(50),
  /** Horizontal lines to draw: the threshold and recovery values. */
  thresholds: z.array(z.object({ name: z.string(), value: z.number() })),
  firings: z.number(),
  seriesTotal: z.number(),
  /** What was simplified (e.g. only the first 50 series are drawn). */
  notes: z.array(z.string()),
});
export type PreviewReply = z.output<typeof previewReply>;

export const reviewQuery = z.object({
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
  /** A firing resolved by the rule itself within this many minutes counts as auto-resolved. */
  autoResolveMinutes: z.coerce.number().int().min(1).max(1440).default(5),
});
export const reviewReply = z.object({
  from: z.number(),
  to: z.number(),
  items: z.array(
    z.object({
      ruleId: z.string(),
      name: z.string(),
      kind: z.string(),
      severity: z.string(),
      serviceId: z.string().nullable(),
      fired: z.number(),
      /** Null when the incidents side cannot be asked. */
      incidentShare: z.number().nullable(),
      autoResolvedShare: z.number(),
      flapping: z.number(),
      medianFiringSeconds: z.number().nullable(),
    }),
  ),
});
export type ReviewReply = z.output<typeof reviewReply>;
