import { z } from 'zod';
import { SEVERITIES } from '../incidents/index.ts';
import { genericMappingSchema } from './formats/generic.ts';
import { MATCH_OPS, regexProblem } from './matchers.ts';

export const severitySchema = z.enum(SEVERITIES, { error: 'must be P1, P2 or P3' });

const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'label names are [A-Za-z_][A-Za-z0-9_]*');
export const matcherSchema = z
  .strictObject({ name: labelName, op: z.enum(MATCH_OPS), value: z.string().max(1000) })
  .superRefine((m, ctx) => {
    const problem = regexProblem(m);
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: `invalid regex: ${problem}` });
  });
const matchers = z.array(matcherSchema).max(30);

// ── integrations ──────────────────────────────────────────────────────────────────────────────────────
export const INTEGRATION_KINDS = ['alertmanager', 'grafana', 'zabbix', 'webhook'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

const integrationFields = {
  name: z.string().trim().min(1).max(100),
  defaultSeverity: severitySchema,
  /** Label holding the source's severity word (Alertmanager's convention is `severity`). */
  severityLabel: labelName,
  /** Source severity word (lower-case) → P1–P3, on top of the built-in table. */
  severityMap: z.record(z.string().max(50), severitySchema),
  /** Resolve a firing alert this long after it was last seen, for sources that never send "resolved". */
  resolveTimeoutSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .nullable(),
  /** Only for the generic webhook: where its fields are. */
  mapping: genericMappingSchema.nullable(),
};
export const createIntegrationBody = z
  .strictObject({
    ...integrationFields,
    kind: z.enum(INTEGRATION_KINDS),
    defaultSeverity: integrationFields.defaultSeverity.default('P3'),
    severityLabel: integrationFields.severityLabel.default('severity'),
    severityMap: integrationFields.severityMap.default({}),
    resolveTimeoutSeconds: integrationFields.resolveTimeoutSeconds.default(null),
    mapping: integrationFields.mapping.default(null),
  })
  .refine((b) => b.kind !== 'webhook' || b.mapping !== null, {
    path: ['mapping'],
    message: 'a generic webhook needs a field mapping (at least the title path)',
  });
export const updateIntegrationBody = z.strictObject({ ...integrationFields, enabled: z.boolean() }).partial();

export const integrationSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(INTEGRATION_KINDS),
  defaultSeverity: severitySchema,
  severityLabel: z.string(),
  severityMap: z.record(z.string(), severitySchema),
  resolveTimeoutSeconds: z.number().nullable(),
  mapping: genericMappingSchema.nullable(),
  enabled: z.boolean(),
  tokenPrefix: z.string(),
  /** Where the source posts; the token goes in `Authorization: Bearer`. */
  url: z.string(),
  lastReceivedAt: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Integration = z.infer<typeof integrationSchema>;
export const integrationWithSecret = integrationSchema.extend({
  /** Shown once; only its hash is kept. */
  token: z.string(),
  /** The URL with the token in the path, for senders that cannot set a header. */
  urlWithToken: z.string(),
});

// ── silences and maintenance windows ──────────────────────────────────────────────────────────────────
export const createSilenceBody = z
  .strictObject({
    matchers: matchers.min(1, 'a silence needs at least one matcher'),
    startsAt: z.number().int().positive().optional(),
    endsAt: z.number().int().positive(),
    comment: z.string().trim().min(1, 'say why (a comment is required)').max(2000),
  })
  .refine((s) => s.startsAt === undefined || s.endsAt > s.startsAt, {
    path: ['endsAt'],
    message: 'must be after startsAt',
  });
export const updateSilenceBody = z
  .strictObject({
    matchers: matchers.min(1),
    startsAt: z.number().int(),
    endsAt: z.number().int(),
    comment: z.string().trim().min(1).max(2000),
  })
  .partial();
export const silenceSchema = z.object({
  id: z.string(),
  matchers: z.array(z.object({ name: z.string(), op: z.enum(MATCH_OPS), value: z.string() })),
  startsAt: z.number(),
  endsAt: z.number(),
  comment: z.string(),
  createdBy: z.string(),
  state: z.enum(['pending', 'active', 'expired']),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Silence = z.infer<typeof silenceSchema>;
export const silencesQuery = z.strictObject({ state: z.enum(['pending', 'active', 'expired']).optional() });

export const RECURRENCES = ['once', 'daily', 'weekly', 'monthly'] as const;
const windowFields = {
  name: z.string().trim().min(1).max(100),
  matchers,
  timeZone: z.string().refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Asia/Shanghai'),
  /** Local wall-clock start of the first occurrence, `YYYY-MM-DDTHH:mm`, in `timeZone`. */
  start: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'must be a local time YYYY-MM-DDTHH:mm'),
  durationMinutes: z
    .number()
    .int()
    .min(1)
    .max(31 * 24 * 60),
  recurrence: z.enum(RECURRENCES),
  /** For weekly windows: ISO weekdays, 1 = Monday … 7 = Sunday. */
  weekdays: z.array(z.number().int().min(1).max(7)).max(7),
  /** Last local date an occurrence may start on, `YYYY-MM-DD`; null: no end. */
  until: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
    .nullable(),
  comment: z.string().max(2000),
};
const weeklyNeedsDays = (w: { recurrence?: string | undefined; weekdays?: number[] | undefined }) =>
  w.recurrence !== 'weekly' || (w.weekdays?.length ?? 0) > 0;
export const createWindowBody = z
  .strictObject({
    ...windowFields,
    weekdays: windowFields.weekdays.default([]),
    until: windowFields.until.default(null),
    comment: windowFields.comment.default(''),
  })
  .refine(weeklyNeedsDays, { path: ['weekdays'], message: 'a weekly window needs at least one weekday' });
export const updateWindowBody = z.strictObject(windowFields).partial();
export const windowSchema = z.object({
  id: z.string(),
  name: z.string(),
  matchers: z.array(z.object({ name: z.string(), op: z.enum(MATCH_OPS), value: z.string() })),
  timeZone: z.string(),
  start: z.string(),
  durationMinutes: z.number(),
  recurrence: z.enum(RECURRENCES),
  weekdays: z.array(z.number()),
  until: z.string().nullable(),
  comment: z.string(),
  createdBy: z.string(),
  activeNow: z.boolean(),
  nextOccurrences: z.array(z.object({ start: z.number(), end: z.number() })),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type MaintenanceWindow = z.infer<typeof windowSchema>;
export const previewWindowBody = createWindowBody;
export const occurrencesReply = z.object({
  items: z.array(z.object({ start: z.number(), end: z.number() })),
});

// ── routing tree and inhibition ───────────────────────────────────────────────────────────────────────
export const routeSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'route ids are lower-case letters, digits, "-" and "_"'),
  matchers: matchers.default([]),
  /** Labels whose values split alerts into groups; `["..."]` groups by every label (one alert per group). */
  get groupBy() {
    return z
      .array(z.union([labelName, z.literal('...')]))
      .max(20)
      .optional();
  },
  groupWaitSeconds: z.number().int().min(0).max(3600).optional(),
  groupIntervalSeconds: z.number().int().min(1).max(86_400).optional(),
  serviceId: z.uuid().nullable().optional(),
  teamId: z.uuid().nullable().optional(),
  escalationPolicyId: z.uuid().nullable().optional(),
  severity: severitySchema.nullable().optional(),
  /** Keep matching the following sibling routes after this one matched. */
  continue: z.boolean().default(false),
  get routes(): z.ZodDefault<z.ZodArray<typeof routeSchema>> {
    return z.array(routeSchema).max(100).default([]);
  },
});
export type RouteConfig = z.output<typeof routeSchema>;

export const inhibitRuleSchema = z.strictObject({
  sourceMatchers: matchers.min(1, 'an inhibition rule needs source matchers'),
  targetMatchers: matchers.min(1, 'an inhibition rule needs target matchers'),
  equal: z.array(labelName).max(20).default([]),
});
export type InhibitRule = z.output<typeof inhibitRuleSchema>;

export const routingBody = z.strictObject({
  route: routeSchema,
  inhibitRules: z.array(inhibitRuleSchema).max(200).default([]),
});
export type RoutingConfig = z.output<typeof routingBody>;
export const routingReply = routingBody.extend({
  updatedAt: z.number().nullable(),
  updatedBy: z.string().nullable(),
});

/** "Which route takes these labels?": against the saved tree, or a draft one (the editor tests before saving). */
export const routingTestBody = z.strictObject({
  labels: z.record(labelName, z.string().max(1000)).refine((l) => Object.keys(l).length <= 50, {
    message: 'at most 50 labels',
  }),
  route: routeSchema.optional(),
});
export const routingTestReply = z.object({
  matches: z.array(
    z.object({
      id: z.string(),
      /** Ids from the root to the matched route. */
      path: z.array(z.string()),
      serviceId: z.string().nullable(),
      teamId: z.string().nullable(),
      escalationPolicyId: z.string().nullable(),
      severity: severitySchema.nullable(),
      groupBy: z.array(z.string()),
      groupWaitSeconds: z.number(),
      groupIntervalSeconds: z.number(),
      /** The values the alert would be grouped by on this route. */
      groupLabels: z.record(z.string(), z.string()),
    }),
  ),
});

// ── alerts ────────────────────────────────────────────────────────────────────────────────────────────
export const SUPPRESSIONS = ['inhibited', 'silenced', 'maintenance'] as const;
export const alertSchema = z.object({
  id: z.string(),
  fingerprint: z.string(),
  integrationId: z.string().nullable(),
  source: z.string(),
  status: z.enum(['firing', 'resolved']),
  severity: severitySchema,
  title: z.string(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  generatorUrl: z.string().nullable(),
  startsAt: z.number(),
  endsAt: z.number().nullable(),
  resolvedAt: z.number().nullable(),
  lastSeenAt: z.number(),
  receiveCount: z.number(),
  suppressed: z.enum(SUPPRESSIONS).nullable(),
  suppressedBy: z.object({ id: z.string().nullable(), name: z.string() }).nullable(),
  serviceId: z.string().nullable(),
  teamId: z.string().nullable(),
  groupKeys: z.array(z.string()),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Alert = z.infer<typeof alertSchema>;
export const alertEventSchema = z.object({
  id: z.string(),
  at: z.number(),
  kind: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export const alertDetailSchema = alertSchema.extend({ history: z.array(alertEventSchema) });

export const alertsQuery = z.strictObject({
  state: z.enum(['firing', 'resolved', 'suppressed']).optional(),
  severity: severitySchema.optional(),
  serviceId: z.uuid().optional(),
  teamId: z.uuid().optional(),
  integrationId: z.uuid().optional(),
  source: z.string().max(100).optional(),
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
  q: z.string().max(200).optional(),
  /** Keyset cursor: the id of the last alert of the previous page. */
  before: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export const alertsReply = z.object({ items: z.array(alertSchema), nextBefore: z.string().nullable() });
export const silenceTemplateReply = z.object({ matchers: z.array(matcherSchema), comment: z.string() });
