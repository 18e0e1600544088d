import { z } from 'zod';
import { CHANNEL_KINDS, CONTACT_KINDS } from './channels/kinds.ts';

const SEVERITIES = ['P1', 'P2', 'P3'] as const;
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const name = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const secret = z.string().min(1, 'must not be empty').max(2000);

/** Per kind: settings (returned by the API) and secrets (accepted, stored, never returned). */
export const channelKinds = {
  email: {
    settings: z.strictObject({
      host: z.string().trim().min(1, 'must not be empty'),
      port: z.number().int().min(1).max(65535).default(587),
      secure: z.boolean().default(false),
      from: z.string().trim().min(3, 'must be a sender address such as "Steady <steady@shop.example>"'),
      username: z.string().default(''),
    }),
    secrets: z.strictObject({ password: secret.optional() }),
  },
  webhook: {
    settings: z.strictObject({ url: httpUrl }),
    secrets: z.strictObject({ signingSecret: z.string().min(16, 'must be at least 16 characters') }),
  },
  dingtalk: {
    settings: z.strictObject({ baseUrl: httpUrl.default('https://oapi.dingtalk.com/robot/send') }),
    secrets: z.strictObject({ accessToken: secret, signSecret: secret.optional() }),
  },
  wecom: {
    settings: z.strictObject({
      baseUrl: httpUrl.default('https://qyapi.weixin.qq.com/cgi-bin/webhook/send'),
    }),
    secrets: z.strictObject({ key: secret }),
  },
  feishu: {
    settings: z.strictObject({ baseUrl: httpUrl.default('https://open.feishu.cn/open-apis/bot/v2/hook') }),
    secrets: z.strictObject({ hookId: secret, signSecret: secret.optional() }),
  },
  slack: {
    settings: z.strictObject({}),
    secrets: z.strictObject({ webhookUrl: httpUrl }),
  },
  sms: {
    settings: z.strictObject({
      purpose: z.enum(['sms', 'voice']).default('sms'),
      method: z.enum(['POST', 'PUT', 'GET']).default('POST'),
      url: z.string().trim().min(1, 'must not be empty'),
      headers: z.record(z.string(), z.string()).default({}),
      contentType: z.enum(['json', 'form', 'text']).default('json'),
      body: z.string().max(10_000).default(''),
      successBodyIncludes: z.string().max(200).default(''),
    }),
    secrets: z.strictObject({ values: z.record(z.string().regex(/^\w+$/), z.string()).default({}) }),
  },
} as const;

export const channelKind = z.enum(CHANNEL_KINDS);
export const createChannelBody = z.object({
  name,
  kind: channelKind,
  settings: z.record(z.string(), z.unknown()).default({}),
  secrets: z.record(z.string(), z.unknown()).default({}),
  ratePerMinute: z.number().int().min(0).max(10_000).optional(),
  enabled: z.boolean().default(true),
});
export const updateChannelBody = z
  .object({
    name: name.optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    /** Keys given replace stored ones; keys left out keep their stored value. */
    secrets: z.record(z.string(), z.unknown()).optional(),
    ratePerMinute: z.number().int().min(0).max(10_000).optional(),
    enabled: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');

export const channelSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: channelKind,
  settings: z.record(z.string(), z.unknown()),
  /** Names of the secrets that are set; their values are never returned. */
  secretsSet: z.array(z.string()),
  ratePerMinute: z.number(),
  enabled: z.boolean(),
  health: z.enum(['ok', 'failing', 'unknown']),
  consecutiveFailures: z.number(),
  lastError: z.string().nullable(),
  lastSuccessAt: z.number().nullable(),
  lastFailureAt: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Channel = z.infer<typeof channelSchema>;
export const channelsReply = z.object({ items: z.array(channelSchema) });

export const testMessageBody = z.object({
  /** E-mail address, phone number, user id…; default: the caller's own contact for this channel. */
  to: z.string().trim().max(320).optional(),
});
export const messageQueued = z.object({ messageId: z.string() });

export const contactKind = z.enum(CONTACT_KINDS);
export const contactBody = z
  .object({
    kind: contactKind,
    address: z.string().trim().min(1, 'must not be empty').max(320),
    label: z.string().trim().max(100).default(''),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'email' && !z.email().safeParse(v.address).success)
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'must be an e-mail address' });
    if (v.kind === 'phone' && !/^\+?[0-9][0-9 -]{5,19}$/.test(v.address))
      ctx.addIssue({
        code: 'custom',
        path: ['address'],
        message: 'must be a phone number such as +8613800138000',
      });
  });
export const contactSchema = z.object({
  id: z.string(),
  kind: contactKind,
  address: z.string(),
  label: z.string(),
  createdAt: z.number(),
});
export type Contact = z.infer<typeof contactSchema>;

export const ruleSchema = z.object({
  severity: z.enum(SEVERITIES),
  channelId: z.string().min(1),
  delayMinutes: z
    .number()
    .int()
    .min(0, 'must be 0 or more')
    .max(24 * 60)
    .default(0),
});
export type NotifyRule = z.infer<typeof ruleSchema>;
export const rulesBody = z.object({ rules: z.array(ruleSchema).max(50) });
export const rulesReply = z.object({ rules: z.array(ruleSchema), updatedAt: z.number().nullable() });

export const myNotifyReply = z.object({
  contacts: z.array(contactSchema),
  rules: z.array(ruleSchema),
  /** True when the rules come from a team default (the user has none of their own). */
  rulesFromTeam: z.string().nullable(),
});

export const messageStates = ['pending', 'sending', 'sent', 'failed', 'unknown', 'cancelled'] as const;
export const attemptSchema = z.object({
  attempt: z.number(),
  at: z.number(),
  durationMs: z.number(),
  outcome: z.string(),
  statusCode: z.number().nullable(),
  error: z.string().nullable(),
});
export const messageSchema = z.object({
  id: z.string(),
  channelId: z.string(),
  channelName: z.string(),
  channelKind: channelKind,
  incidentId: z.string().nullable(),
  userId: z.string().nullable(),
  purpose: z.string(),
  recipient: z.string(),
  locale: z.string(),
  subject: z.string(),
  state: z.enum(messageStates),
  attempts: z.number(),
  nextAttemptAt: z.number(),
  lastError: z.string().nullable(),
  sentAt: z.number().nullable(),
  createdAt: z.number(),
});
export type DeliveryMessage = z.infer<typeof messageSchema>;
export const messageDetail = messageSchema.extend({ attemptLog: z.array(attemptSchema) });
export const messagesQuery = z.object({
  incidentId: z.string().optional(),
  channelId: z.string().optional(),
  state: z.enum(messageStates).optional(),
  before: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const messagesReply = z.object({ items: z.array(messageSchema) });
export const teamParams = z.object({ id: z.string() });
export const tokenParams = z.object({ token: z.string().max(1000) });
