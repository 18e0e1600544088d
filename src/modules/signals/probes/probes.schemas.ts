import { isIP } from 'node:net';
import { z } from 'zod';
import { parseJsonPath } from './checks/json-path.ts';

export const PROBE_KINDS = ['http', 'tcp', 'dns', 'heartbeat'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];
/** `unknown` until the first result; `pending-retry` while failures are within the allowed retries. */
export const PROBE_STATES = ['unknown', 'up', 'degraded', 'pending-retry', 'down', 'paused'] as const;
export type ProbeState = (typeof PROBE_STATES)[number];
export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS'] as const;
export const JSON_OPS = [
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'contains',
  'matches',
  'exists',
  'absent',
] as const;

/** Labels every probe series carries; a probe's own labels may not take these names. */
export const RESERVED_LABELS = ['__name__', 'probe', 'probe_id', 'kind', 'service', 'job', 'instance'];

const regexSource = z
  .string()
  .min(1)
  .max(1000)
  .superRefine((v, ctx) => {
    try {
      new RegExp(v);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a valid regular expression: ${(err as Error).message}`,
      });
    }
  });

/** `200`, `200-299` or `2xx`. */
const statusSpec = z
  .string()
  .regex(
    /^(?:[1-5]xx|[1-5]\d\d(?:-[1-5]\d\d)?)$/,
    'must be a status code (200), a range (200-299) or a class (2xx)',
  );

const warningDays = z.number().int().min(0).max(365);
const latencyMs = z.number().int().min(1).max(600_000);

const jsonAssertion = z
  .strictObject({
    path: z
      .string()
      .max(500)
      .superRefine((v, ctx) => {
        try {
          parseJsonPath(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      }),
    op: z.enum(JSON_OPS).default('=='),
    value: z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]).optional(),
  })
  .superRefine((a, ctx) => {
    if (a.op !== 'exists' && a.op !== 'absent' && a.value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `is required for operator "${a.op}"` });
    }
    if (a.op === 'matches') {
      try {
        new RegExp(String(a.value));
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          path: ['value'],
          message: `is not a valid regular expression: ${(err as Error).message}`,
        });
      }
    }
  });

export const httpSettings = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
  headers: z
    .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a header name'), z.string().max(4000))
    .default({}),
  body: z.string().max(65_536).optional(),
  expectStatus: z.array(statusSpec).min(1).max(20).default(['200-299']),
  bodyContains: z.string().min(1).max(1000).optional(),
  bodyNotContains: z.string().min(1).max(1000).optional(),
  bodyMatches: regexSource.optional(),
  bodyNotMatches: regexSource.optional(),
  json: z.array(jsonAssertion).max(20).default([]),
  /** Slower than this: degraded (still counted as success). */
  degradedAboveMs: latencyMs.optional(),
  /** Slower than this: a failure, as if it had not answered. */
  downAboveMs: latencyMs.optional(),
  followRedirects: z.boolean().default(true),
  tlsVerify: z.boolean().default(true),
  tlsWarningDays: warningDays.default(14),
});

export const tcpSettings = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  tls: z.boolean().default(false),
  tlsVerify: z.boolean().default(true),
  tlsWarningDays: warningDays.default(14),
  degradedAboveMs: latencyMs.optional(),
});

export const dnsSettings = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9_.-]+\.?$/, 'must be a domain name'),
  recordType: z.enum(DNS_RECORD_TYPES).default('A'),
  /** `ip` or `ip:port` (IPv6 with a port as `[::1]:53`); default: the system's resolvers. */
  server: z
    .string()
    .refine(
      (v) => isIP(v) !== 0 || /^\d+\.\d+\.\d+\.\d+:\d{1,5}$/.test(v) || /^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(v),
      'must be an IP address, optionally with :port',
    )
    .optional(),
  /** Passes when some answer contains this text (case-insensitive). */
  expect: z.string().min(1).max(500).optional(),
  degradedAboveMs: latencyMs.optional(),
});

export const heartbeatSettings = z.strictObject({
  /** The job is expected to call at least this often. */
  periodSeconds: z
    .number()
    .int()
    .min(60)
    .max(31 * 86_400),
  /** Extra time allowed after the period before the probe counts as down. */
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(300),
});

export type HttpSettings = z.output<typeof httpSettings>;
export type TcpSettings = z.output<typeof tcpSettings>;
export type DnsSettings = z.output<typeof dnsSettings>;
export type HeartbeatSettings = z.output<typeof heartbeatSettings>;
export type JsonAssertion = z.output<typeof jsonAssertion>;

const labelsSchema = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  const keys = Object.keys(labels);
  if (keys.length > 20) ctx.addIssue({ code: 'custom', message: 'at most 20 labels' });
  for (const [k, v] of Object.entries(labels)) {
    const problem = !/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/.test(k)
      ? `"${k}" is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, up to 64)`
      : k.startsWith('__') || RESERVED_LABELS.includes(k)
        ? `"${k}" is reserved for the probe's own labels (${RESERVED_LABELS.join(', ')})`
        : v.length === 0 || v.length > 200
          ? 'must be 1-200 characters'
          : undefined;
    if (problem) ctx.addIssue({ code: 'custom', path: [k], message: problem });
  }
});

const commonFields = {
  name: z.string().trim().min(1).max(100),
  serviceId: z.uuid().nullable(),
  intervalSeconds: z.number().int().min(10, 'must be at least 10 seconds').max(86_400),
  timeoutMs: z.number().int().min(100).max(60_000),
  /** Failed runs in a row that are tolerated (state pending-retry) before the probe is down. */
  retries: z.number().int().min(0).max(10),
  labels: labelsSchema,
  enabled: z.boolean(),
};

const withDefaults = {
  ...commonFields,
  serviceId: commonFields.serviceId.default(null),
  intervalSeconds: commonFields.intervalSeconds.default(60),
  timeoutMs: commonFields.timeoutMs.default(10_000),
  retries: commonFields.retries.default(1),
  labels: labelsSchema.default({}),
  enabled: commonFields.enabled.default(true),
};

export const createProbeBody = z.discriminatedUnion('kind', [
  z.strictObject({ ...withDefaults, kind: z.literal('http'), http: httpSettings }),
  z.strictObject({ ...withDefaults, kind: z.literal('tcp'), tcp: tcpSettings }),
  z.strictObject({ ...withDefaults, kind: z.literal('dns'), dns: dnsSettings }),
  z.strictObject({ ...withDefaults, kind: z.literal('heartbeat'), heartbeat: heartbeatSettings }),
]);
export type CreateProbeInput = z.output<typeof createProbeBody>;

/** A kind's settings object is replaced whole; the kind itself does not change. */
export const updateProbeBody = z
  .strictObject({
    ...commonFields,
    http: httpSettings,
    tcp: tcpSettings,
    dns: dnsSettings,
    heartbeat: heartbeatSettings,
  })
  .partial();
export type UpdateProbeInput = z.output<typeof updateProbeBody>;

export type ProbeSettings =
  | { kind: 'http'; http: HttpSettings }
  | { kind: 'tcp'; tcp: TcpSettings }
  | { kind: 'dns'; dns: DnsSettings }
  | { kind: 'heartbeat'; heartbeat: HeartbeatSettings };

export const resultSchema = z.object({
  at: z.number(),
  ok: z.boolean(),
  state: z.enum(PROBE_STATES),
  durationMs: z.number(),
  statusCode: z.number().nullable(),
  tlsDaysLeft: z.number().nullable(),
  reason: z.string().nullable(),
  manual: z.boolean(),
});
export type ProbeResult = z.infer<typeof resultSchema>;

export const eventSchema = z.object({
  at: z.number(),
  from: z.enum(PROBE_STATES),
  to: z.enum(PROBE_STATES),
  reason: z.string().nullable(),
});

export const uptimeSchema = z.object({
  '24h': z.number().nullable(),
  '7d': z.number().nullable(),
  '30d': z.number().nullable(),
  /** Why a figure is missing (the metric store is not ready, or has no samples yet). */
  note: z.string().optional(),
});
export type Uptime = z.infer<typeof uptimeSchema>;

export const probeSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(PROBE_KINDS),
  serviceId: z.string().nullable(),
  serviceName: z.string().nullable(),
  intervalSeconds: z.number(),
  timeoutMs: z.number(),
  retries: z.number(),
  labels: z.record(z.string(), z.string()),
  enabled: z.boolean(),
  http: z.unknown().optional(),
  tcp: z.unknown().optional(),
  dns: z.unknown().optional(),
  heartbeat: z.unknown().optional(),
  state: z.enum(PROBE_STATES),
  stateSince: z.number(),
  stateReason: z.string().nullable(),
  consecutiveFailures: z.number(),
  lastResult: resultSchema.nullable(),
  tlsDaysLeft: z.number().nullable(),
  lastHeartbeatAt: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Probe = z.infer<typeof probeSchema>;

export const probeListItem = probeSchema.extend({ uptime24h: z.number().nullable() });
export const probesReply = z.object({ items: z.array(probeListItem), uptimeNote: z.string().optional() });
export const probeDetail = probeSchema.extend({
  uptime: uptimeSchema,
  recentResults: z.array(resultSchema),
  recentEvents: z.array(eventSchema),
});
export type ProbeDetail = z.infer<typeof probeDetail>;
/** A heartbeat probe's secret URL is shown once, when created. */
export const createdProbe = probeDetail.extend({
  heartbeatToken: z.string().optional(),
  heartbeatPath: z.string().optional(),
});

export const probesQuery = z.strictObject({
  q: z.string().max(100).optional(),
  serviceId: z.uuid().optional(),
  kind: z.enum(PROBE_KINDS).optional(),
  state: z.enum(PROBE_STATES).optional(),
});
const boolQuery = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
export const resultsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  onlyFailures: boolQuery.default(false),
});
export const resultsReply = z.object({ items: z.array(resultSchema) });
export const runReply = z.object({ result: resultSchema, probe: probeSchema });
export const heartbeatParams = z.strictObject({ token: z.string().min(1).max(200) });
export const heartbeatReply = z.object({
  ok: z.literal(true),
  probe: z.string(),
  state: z.enum(PROBE_STATES),
});
