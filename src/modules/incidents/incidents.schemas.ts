import { z } from 'zod';
import { SEVERITIES } from './intake.ts';

export { SEVERITIES };
export const STATES = ['triggered', 'acknowledged', 'resolved', 'closed'] as const;
export type IncidentState = (typeof STATES)[number];
export const SOURCES = ['alert', 'manual', 'api'] as const;

/** "INC-42" or the uuid: people talk in numbers, machines in ids. */
export const incidentParams = z.strictObject({
  id: z.string().regex(/^(INC-\d{1,12}|[0-9a-f-]{36})$/i, 'must be an incident id or a number like INC-42'),
});

const snapshotStepSchema = z.object({
  waitMinutes: z.number(),
  targets: z.array(z.object({ type: z.string(), id: z.string(), name: z.string().optional() })),
});
export const escalationSnapshotSchema = z.object({
  policyId: z.string(),
  policyName: z.string(),
  repeat: z.number(),
  steps: z.array(snapshotStepSchema),
});
export type EscalationSnapshot = z.infer<typeof escalationSnapshotSchema>;

export const incidentSchema = z.object({
  id: z.string(),
  ref: z.string(),
  number: z.number(),
  title: z.string(),
  description: z.string(),
  severity: z.enum(SEVERITIES),
  state: z.enum(STATES),
  source: z.string(),
  groupKey: z.string().nullable(),
  serviceId: z.string().nullable(),
  serviceName: z.string().nullable(),
  teamId: z.string().nullable(),
  teamName: z.string().nullable(),
  assigneeId: z.string().nullable(),
  assigneeName: z.string().nullable(),
  commanderId: z.string().nullable(),
  commanderName: z.string().nullable(),
  parentId: z.string().nullable(),
  escalation: escalationSnapshotSchema.nullable(),
  escalationStep: z.number(),
  escalationRound: z.number(),
  escalationLastAt: z.number().nullable(),
  escalationNextAt: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  acknowledgedAt: z.number().nullable(),
  resolvedAt: z.number().nullable(),
  closedAt: z.number().nullable(),
  ackDueAt: z.number(),
  resolveDueAt: z.number(),
  ackBreachedAt: z.number().nullable(),
  resolveBreachedAt: z.number().nullable(),
});
export type Incident = z.infer<typeof incidentSchema>;

export const createIncidentBody = z.strictObject({
  title: z.string().trim().min(1).max(300),
  description: z.string().max(10_000).default(''),
  severity: z.enum(SEVERITIES).default('P3'),
  serviceId: z.uuid().nullable().default(null),
  teamId: z.uuid().nullable().default(null),
  assigneeId: z.uuid().nullable().default(null),
  escalationPolicyId: z.uuid().nullable().default(null),
});
export type CreateIncidentInput = z.output<typeof createIncidentBody>;

const csv = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(values)));
export const listQuery = z.strictObject({
  state: csv(STATES).optional(),
  severity: csv(SEVERITIES).optional(),
  serviceId: z.uuid().optional(),
  teamId: z.uuid().optional(),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  q: z.string().max(200).optional(),
  /** Keyset cursor: the id of the last incident of the previous page (ids are time-ordered). */
  before: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListQuery = z.output<typeof listQuery>;
export const incidentsReply = z.object({ items: z.array(incidentSchema), nextBefore: z.string().nullable() });

export const noteBody = z.strictObject({ text: z.string().trim().min(1, 'a note needs text').max(10_000) });
export const reasonBody = z.strictObject({ note: z.string().trim().max(2000).optional() });
export const severityBody = z.strictObject({
  severity: z.enum(SEVERITIES),
  note: z.string().trim().max(2000).optional(),
});
export const assignBody = z
  .strictObject({ assigneeId: z.uuid().nullable(), commanderId: z.uuid().nullable() })
  .partial()
  .refine((b) => b.assigneeId !== undefined || b.commanderId !== undefined, 'give assigneeId or commanderId');
export const serviceBody = z.strictObject({
  serviceId: z.uuid().nullable(),
  teamId: z.uuid().nullable().optional(),
});
export const mergeBody = z.strictObject({
  childIds: z.array(incidentParams.shape.id).min(1, 'name at least one incident to merge').max(50),
});

export const eventSchema = z.object({
  id: z.string(),
  at: z.number(),
  kind: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type TimelineEvent = z.infer<typeof eventSchema>;
export const timelineReply = z.object({ items: z.array(eventSchema) });

export const alertSchema = z.object({
  alertId: z.string(),
  fingerprint: z.string(),
  status: z.string(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  startsAt: z.number(),
  endsAt: z.number().nullable(),
  attachedAt: z.number(),
});
export type IncidentAlert = z.infer<typeof alertSchema>;
export const alertsReply = z.object({ items: z.array(alertSchema) });

export const severitySettingSchema = z.object({
  severity: z.enum(SEVERITIES),
  ackMinutes: z.number(),
  resolveMinutes: z.number(),
  retriggerMinutes: z.number().nullable(),
  updatedAt: z.number(),
});
export type SeveritySetting = z.infer<typeof severitySettingSchema>;
export const severitiesReply = z.object({ items: z.array(severitySettingSchema) });
export const severityParams = z.strictObject({ severity: z.enum(SEVERITIES) });
export const severitySettingBody = z.strictObject({
  ackMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
  resolveMinutes: z
    .number()
    .int()
    .min(1)
    .max(90 * 24 * 60),
  retriggerMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .nullable(),
});

export const GROUP_BY = ['none', 'severity', 'service', 'team'] as const;
export const figuresQuery = z
  .strictObject({
    from: z.coerce.number().int().nonnegative(),
    to: z.coerce.number().int().nonnegative(),
    groupBy: z.enum(GROUP_BY).default('none'),
    serviceId: z.uuid().optional(),
    teamId: z.uuid().optional(),
    severity: z.enum(SEVERITIES).optional(),
  })
  .refine((q) => q.to > q.from, { message: 'to must be after from', path: ['to'] });
export type FiguresQuery = z.output<typeof figuresQuery>;
export const figureRowSchema = z.object({
  key: z.string().nullable(),
  label: z.string().nullable(),
  incidents: z.number(),
  acknowledged: z.number(),
  resolved: z.number(),
  /** Mean time to acknowledge, ms; null when nothing was acknowledged. */
  mttaMs: z.number().nullable(),
  mttrMs: z.number().nullable(),
  /** Incidents whose acknowledge deadline has passed or that were acknowledged: the compliance base. */
  ackSlaDue: z.number(),
  ackSlaMet: z.number(),
  /** Share 0..1; null when nothing is due yet. */
  ackCompliance: z.number().nullable(),
});
export type FigureRow = z.infer<typeof figureRowSchema>;
export const figuresReply = z.object({
  from: z.number(),
  to: z.number(),
  groupBy: z.enum(GROUP_BY),
  total: figureRowSchema,
  rows: z.array(figureRowSchema),
});

export const ACTION_STATES = ['open', 'in_progress', 'done'] as const;
const reviewText = z.string().max(20_000);
export const reviewBody = z.strictObject({
  summary: reviewText.default(''),
  customerImpact: reviewText.default(''),
  timeline: reviewText.default(''),
  rootCause: reviewText.default(''),
  contributingFactors: reviewText.default(''),
  wentWell: reviewText.default(''),
  wentBadly: reviewText.default(''),
  /** Mark the review complete (needs summary, customer impact and root cause). */
  completed: z.boolean().default(false),
});
export const actionItemSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  title: z.string(),
  ownerId: z.string().nullable(),
  ownerName: z.string().nullable(),
  dueAt: z.number().nullable(),
  state: z.enum(ACTION_STATES),
  doneAt: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type ActionItem = z.infer<typeof actionItemSchema>;
export const reviewSchema = z.object({
  incidentId: z.string(),
  required: z.boolean(),
  summary: z.string(),
  customerImpact: z.string(),
  timeline: z.string(),
  rootCause: z.string(),
  contributingFactors: z.string(),
  wentWell: z.string(),
  wentBadly: z.string(),
  completedAt: z.number().nullable(),
  updatedAt: z.number().nullable(),
  actionItems: z.array(actionItemSchema),
});
export type Review = z.infer<typeof reviewSchema>;
export const actionItemBody = z.strictObject({
  title: z.string().trim().min(1).max(500),
  ownerId: z.uuid().nullable().default(null),
  dueAt: z.number().int().nonnegative().nullable().default(null),
});
export const updateActionItemBody = z
  .strictObject({
    title: z.string().trim().min(1).max(500),
    ownerId: z.uuid().nullable(),
    dueAt: z.number().int().nonnegative().nullable(),
    state: z.enum(ACTION_STATES),
  })
  .partial();
export const actionItemParams = z.strictObject({ id: incidentParams.shape.id, itemId: z.uuid() });
