import { z } from 'zod';
import { isValidZone } from './rotation.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time "HH:mm" (00:00-23:59)');
const zone = z
  .string()
  .min(1)
  .refine(isValidZone, 'is not a known IANA time zone (e.g. "Asia/Shanghai", "Europe/Berlin")');

const restrictionSchema = z.strictObject({
  days: z.array(z.number().int().min(1).max(7)).max(7).optional(),
  from: hhmm,
  to: hhmm,
});

export const layerSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    rotation: z.enum(['daily', 'weekly', 'custom']),
    shiftHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 28)
      .optional(),
    handoffTime: hhmm.default('09:00'),
    handoffWeekday: z.number().int().min(1).max(7).optional(),
    startDate: z.iso.date('must be a date "YYYY-MM-DD"'),
    participants: z
      .array(z.uuid())
      .min(1, 'a layer needs at least one participant')
      .max(100)
      .refine((ids) => new Set(ids).size === ids.length, 'lists a participant twice'),
    restrictions: z.array(restrictionSchema).max(14).optional(),
  })
  .refine((l) => l.rotation !== 'custom' || l.shiftHours !== undefined, {
    message: 'a custom rotation needs shiftHours',
    path: ['shiftHours'],
  });
export type LayerInput = z.output<typeof layerSchema>;

const scheduleFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2000),
  timeZone: zone,
  teamId: z.uuid().nullable(),
  layers: z.array(layerSchema).max(10),
};
export const createScheduleBody = z.strictObject({
  ...scheduleFields,
  description: scheduleFields.description.default(''),
  teamId: scheduleFields.teamId.default(null),
  layers: scheduleFields.layers.default([]),
});
export const updateScheduleBody = z.strictObject(scheduleFields).partial();

export const scheduleSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  timeZone: z.string(),
  teamId: z.string().nullable(),
  layers: z.array(layerSchema),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Schedule = z.infer<typeof scheduleSchema>;

export const overrideBody = z
  .strictObject({
    userId: z.uuid(),
    replacesUserId: z.uuid().nullable().default(null),
    startsAt: z.number().int().nonnegative(),
    endsAt: z.number().int().nonnegative(),
    note: z.string().max(500).default(''),
  })
  .refine((o) => o.endsAt > o.startsAt, { message: 'endsAt must be after startsAt', path: ['endsAt'] })
  .refine((o) => o.replacesUserId !== o.userId, {
    message: 'a user cannot swap with themselves',
    path: ['replacesUserId'],
  });
export const overrideSchema = z.object({
  id: z.string(),
  scheduleId: z.string(),
  userId: z.string(),
  replacesUserId: z.string().nullable(),
  startsAt: z.number(),
  endsAt: z.number(),
  note: z.string(),
  createdAt: z.number(),
});
export type OverrideRecord = z.infer<typeof overrideSchema>;

export const overrideParams = z.strictObject({ id: z.uuid(), overrideId: z.uuid() });

const MAX_RANGE_DAYS = 92;
export const rangeQuery = z
  .strictObject({
    from: z.coerce.number().int().nonnegative(),
    to: z.coerce.number().int().nonnegative(),
  })
  .refine((r) => r.to > r.from, { message: 'to must be after from', path: ['to'] })
  .refine((r) => r.to - r.from <= MAX_RANGE_DAYS * 86_400_000, {
    message: `the range may span at most ${MAX_RANGE_DAYS} days`,
    path: ['to'],
  });
export const atQuery = z.strictObject({ at: z.coerce.number().int().nonnegative().optional() });

export const shiftSchema = z.object({
  start: z.number(),
  end: z.number(),
  userId: z.string().nullable(),
  userName: z.string().nullable(),
  source: z.object({ kind: z.string(), layer: z.string().optional() }).nullable(),
});
export type ShiftView = z.infer<typeof shiftSchema>;
export const shiftsReply = z.object({
  scheduleId: z.string(),
  timeZone: z.string(),
  from: z.number(),
  to: z.number(),
  shifts: z.array(shiftSchema),
  gaps: z.array(z.object({ start: z.number(), end: z.number() })),
});

export const onCallNowSchema = z.object({
  scheduleId: z.string(),
  scheduleName: z.string(),
  at: z.number(),
  shift: shiftSchema.nullable(),
});
export const onCallNowReply = z.object({ items: z.array(onCallNowSchema) });

export const TARGET_TYPES = ['user', 'schedule', 'team'] as const;
export const targetSchema = z.strictObject({ type: z.enum(TARGET_TYPES), id: z.uuid() });
export type EscalationTarget = z.infer<typeof targetSchema>;
export const stepSchema = z.strictObject({
  targets: z.array(targetSchema).min(1, 'a step needs at least one target').max(20),
  /** Minutes to wait after this step before the next (or before the next round after the last). */
  waitMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60),
});
export type EscalationStep = z.infer<typeof stepSchema>;

const policyFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2000),
  teamId: z.uuid().nullable(),
  steps: z.array(stepSchema).min(1, 'a policy needs at least one step').max(20),
  repeat: z.number().int().min(0).max(9),
};
export const createPolicyBody = z.strictObject({
  ...policyFields,
  description: policyFields.description.default(''),
  teamId: policyFields.teamId.default(null),
  repeat: policyFields.repeat.default(0),
});
export const updatePolicyBody = z.strictObject(policyFields).partial();
export const policySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  teamId: z.string().nullable(),
  steps: z.array(stepSchema),
  repeat: z.number(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type EscalationPolicy = z.infer<typeof policySchema>;

export const schedulesReply = z.object({ items: z.array(scheduleSchema) });
export const overridesReply = z.object({ items: z.array(overrideSchema) });
export const policiesReply = z.object({ items: z.array(policySchema) });
