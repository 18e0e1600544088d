import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Every setting in one table: its key in the optional JSON file, its environment variable, its schema
 * (which also coerces the env string) and what it means. The README's configuration reference and
 * `steady config` are printed from this table, so they cannot drift from the code.
 */
const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
const bool = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
]);

/** Service mapping rules for ingestion (see ingest.service.ts); from the file as a list, from env as JSON text. */
const serviceRuleList = z.array(
  z.strictObject({
    label: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a label name'),
    regex: z.string().refine((r) => {
      try {
        new RegExp(r);
        return true;
      } catch {
        return false;
      }
    }, 'must be a valid regular expression'),
    service: z.string().min(1),
  }),
);
const serviceRules = z.union([
  serviceRuleList,
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON list of rules' });
        return z.NEVER;
      }
    })
    .pipe(serviceRuleList),
]);

/** An http(s) URL, or empty for "not used". */
const httpUrlOrEmpty = z
  .string()
  .refine((v) => v === '' || (/^https?:\/\//.test(v) && URL.canParse(v)), 'must be empty or an http(s) URL');
/** HTTP header name → value; from the file as an object, from env as JSON text. */
const headerObject = z
  .record(z.string(), z.string())
  .refine(
    (h) => Object.keys(h).every((k) => /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k)),
    'keys must be HTTP header names',
  );
const headerMap = z.preprocess((v, ctx) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object of headers' });
    return z.NEVER;
  }
}, headerObject);

export const SETTINGS = {
  host: { env: 'STEADY_HOST', schema: z.string().min(1), default: '0.0.0.0', doc: 'Address to listen on.' },
  port: { env: 'STEADY_PORT', schema: int(0, 65535), default: 8080, doc: 'HTTP port (0 picks a free one).' },
  dataDir: {
    env: 'STEADY_DATA_DIR',
    schema: z.string().min(1),
    default: './data',
    doc: 'Directory for the embedded SQLite database and other local state.',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    schema: z
      .string()
      .refine(
        (v) => v === '' || /^postgres(ql)?:\/\//.test(v),
        'must be empty (embedded SQLite) or postgres://…',
      ),
    default: '',
    doc: 'Empty: embedded SQLite in the data directory. `postgres://user:pass@host:5432/db`: PostgreSQL.',
  },
  dbPoolMax: { env: 'STEADY_DB_POOL_MAX', schema: int(1, 200), default: 10, doc: 'PostgreSQL pool size.' },
  publicUrl: {
    env: 'STEADY_PUBLIC_URL',
    schema: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]),
    default: '',
    doc: 'URL users reach Steady at; used in links, and an https URL marks cookies Secure. Default: http://localhost:<port>.',
  },
  trustProxy: {
    env: 'STEADY_TRUST_PROXY',
    schema: bool,
    default: false,
    doc: 'Trust X-Forwarded-* headers from a reverse proxy (client IP, https).',
  },
  logLevel: {
    env: 'STEADY_LOG_LEVEL',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    doc: 'Log level of the JSON logs on stdout.',
  },
  adminUsername: {
    env: 'STEADY_ADMIN_USERNAME',
    schema: z.string().regex(/^[a-z0-9._-]{2,64}$/, 'must be 2-64 characters of a-z 0-9 . _ -'),
    default: 'admin',
    doc: 'Name of the administrator created on first start.',
  },
  adminPassword: {
    env: 'STEADY_ADMIN_PASSWORD',
    schema: z.string().refine((v) => v === '' || v.length >= 8, 'must be at least 8 characters'),
    default: '',
    doc: 'Password of the first administrator; empty: one is generated and printed once.',
  },
  bodyLimitBytes: {
    env: 'STEADY_BODY_LIMIT_BYTES',
    schema: int(1024, 512 * 1024 * 1024),
    default: 1024 * 1024,
    doc: 'Largest request body accepted; larger bodies get 413.',
  },
  sessionTtlHours: {
    env: 'STEADY_SESSION_TTL_HOURS',
    schema: int(1, 24 * 90),
    default: 12,
    doc: 'Console sessions expire after this many hours without use.',
  },
  loginMaxFailures: {
    env: 'STEADY_LOGIN_MAX_FAILURES',
    schema: int(1, 1000),
    default: 5,
    doc: 'Failed logins allowed per user name and address within the window before 429.',
  },
  loginWindowMinutes: {
    env: 'STEADY_LOGIN_WINDOW_MINUTES',
    schema: int(1, 24 * 60),
    default: 15,
    doc: 'Window for counting failed logins.',
  },
  jobPollMs: {
    env: 'STEADY_JOB_POLL_MS',
    schema: int(10, 60_000),
    default: 500,
    doc: 'How often the job worker looks for due jobs.',
  },
  jobConcurrency: {
    env: 'STEADY_JOB_CONCURRENCY',
    schema: int(1, 256),
    default: 8,
    doc: 'Jobs one instance runs at once.',
  },
  probeConcurrency: {
    env: 'STEADY_PROBE_CONCURRENCY',
    schema: int(1, 5000),
    default: 200,
    doc: 'Probe runs one instance runs at once (they mostly wait on the network, apart from other jobs).',
  },
  jobLeaseSeconds: {
    env: 'STEADY_JOB_LEASE_SECONDS',
    schema: int(5, 3600),
    default: 60,
    doc: 'A claimed job not finished within this time is taken up again by any worker.',
  },
  shutdownTimeoutSeconds: {
    env: 'STEADY_SHUTDOWN_TIMEOUT_SECONDS',
    schema: int(1, 600),
    default: 25,
    doc: 'On SIGTERM, how long to wait for in-flight requests and jobs.',
  },
  incidentAutoResolve: {
    env: 'STEADY_INCIDENT_AUTO_RESOLVE',
    schema: bool,
    default: true,
    doc: 'Resolve an incident when the last of its alerts resolves (the timeline says so either way).',
  },
  ingestBodyLimitBytes: {
    env: 'STEADY_INGEST_BODY_LIMIT_BYTES',
    schema: int(1024, 1024 * 1024 * 1024),
    default: 16 * 1024 * 1024,
    doc: 'Largest body the ingestion endpoints (remote_write, OTLP, JSON, scrapes) accept, as sent; decompressed bodies may be up to 8 times this. Larger bodies get 413.',
  },
  ingestServiceRules: {
    env: 'STEADY_INGEST_SERVICE_RULES',
    schema: serviceRules,
    default: [],
    doc: 'Ties series without a `service` label to a catalog service: a JSON list of `{"label":"job","regex":"shop-(.*)","service":"$1"}`, first match wins.',
  },
  metricsMaxSeries: {
    env: 'STEADY_METRICS_MAX_SERIES',
    schema: int(1, 100_000_000),
    default: 100_000,
    doc: 'Most series the embedded metric store keeps; a batch that would create more is refused whole (422).',
  },
  metricsRetentionRawDays: {
    env: 'STEADY_METRICS_RETENTION_RAW_DAYS',
    schema: int(1, 3650),
    default: 7,
    doc: 'Days raw metric samples are kept in the embedded store.',
  },
  metricsRetention1mDays: {
    env: 'STEADY_METRICS_RETENTION_1M_DAYS',
    schema: int(1, 3650),
    default: 90,
    doc: 'Days 1-minute metric rollups (min, max, sum, count, last) are kept.',
  },
  metricsRetention1hDays: {
    env: 'STEADY_METRICS_RETENTION_1H_DAYS',
    schema: int(1, 36500),
    default: 730,
    doc: 'Days 1-hour metric rollups are kept.',
  },
  metricsRemoteWriteUrl: {
    env: 'STEADY_METRICS_REMOTE_WRITE_URL',
    schema: httpUrlOrEmpty,
    default: '',
    doc: 'remote_write 1.0 receiver of a Prometheus-compatible TSDB (e.g. `http://prometheus:9090/api/v1/write`); set together with the query URL to keep metrics there instead of the embedded store.',
  },
  metricsRemoteQueryUrl: {
    env: 'STEADY_METRICS_REMOTE_QUERY_URL',
    schema: httpUrlOrEmpty,
    default: '',
    doc: "Base URL of that TSDB's PromQL HTTP API, the part before `/api/v1/query` (e.g. `http://prometheus:9090`).",
  },
  metricsRemoteBearerToken: {
    env: 'STEADY_METRICS_REMOTE_BEARER_TOKEN',
    schema: z.string(),
    default: '',
    doc: 'Bearer token sent to the metrics TSDB (not together with basic auth).',
  },
  metricsRemoteBasicAuth: {
    env: 'STEADY_METRICS_REMOTE_BASIC_AUTH',
    schema: z.string().refine((v) => v === '' || v.includes(':'), 'must be empty or `user:password`'),
    default: '',
    doc: 'Basic auth for the metrics TSDB as `user:password`.',
  },
  metricsRemoteHeaders: {
    env: 'STEADY_METRICS_REMOTE_HEADERS',
    schema: headerMap,
    default: {},
    doc: 'Extra headers sent to the metrics TSDB, a JSON object (e.g. `{"X-Scope-OrgID":"shop"}` for Mimir).',
  },
  metricsRemoteTimeoutMs: {
    env: 'STEADY_METRICS_REMOTE_TIMEOUT_MS',
    schema: int(100, 600_000),
    default: 30_000,
    doc: 'How long one request to the metrics TSDB may take; an append or query that times out answers 503.',
  },
  notifyLinkSecret: {
    env: 'STEADY_NOTIFY_LINK_SECRET',
    schema: z.string().refine((v) => v === '' || v.length >= 32, 'must be empty or at least 32 characters'),
    default: '',
    doc: 'Key that signs the one-click acknowledge/resolve links in notifications; empty: one is generated and kept in the database.',
  },
  notifyLinkTtlHours: {
    env: 'STEADY_NOTIFY_LINK_TTL_HOURS',
    schema: int(1, 24 * 30),
    default: 24,
    doc: 'One-click links in notifications expire after this many hours.',
  },
  notifySendTimeoutMs: {
    env: 'STEADY_NOTIFY_SEND_TIMEOUT_MS',
    schema: int(100, 120_000),
    default: 10_000,
    doc: 'How long one delivery attempt (HTTP request or SMTP session) may take before it counts as failed and is retried.',
  },
  notifyTimeZone: {
    env: 'STEADY_NOTIFY_TIME_ZONE',
    schema: z.string().refine((v) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: v });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Asia/Shanghai'),
    default: 'Asia/Shanghai',
    doc: 'Time zone of the times written in notifications.',
  },
} as const;

type Settings = typeof SETTINGS;
export type Config = Readonly<{ [K in keyof Settings]: z.output<Settings[K]['schema']> }>;
export type SettingKey = keyof Settings;

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Builds the frozen Config from defaults, then an optional JSON file (`STEADY_CONFIG` or the `file`
 * argument), then environment variables. Every invalid value is reported, naming its setting.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  file: string | undefined = env.STEADY_CONFIG,
  overrides: Partial<Record<SettingKey, unknown>> = {},
): Config {
  const problems: string[] = [];
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(resolve(file), 'utf8'));
    } catch (err) {
      throw new ConfigError([`config file ${file}: ${(err as Error).message}`]);
    }
    const known = new Set(Object.keys(SETTINGS));
    for (const key of Object.keys(fromFile)) {
      if (!known.has(key)) problems.push(`config file ${file}: unknown setting "${key}"`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS)) {
    const envValue = env[setting.env];
    const source =
      key in overrides
        ? { value: overrides[key as SettingKey], where: key }
        : envValue !== undefined
          ? { value: envValue, where: setting.env }
          : key in fromFile
            ? { value: fromFile[key], where: `${key} in ${file}` }
            : { value: setting.default, where: key };
    const parsed = (setting.schema as z.ZodType).safeParse(source.value);
    if (parsed.success) out[key] = parsed.data;
    else {
      const why = parsed.error.issues.map((i) => i.message).join('; ');
      problems.push(`${source.where}: ${why} (got ${JSON.stringify(source.value)})`);
    }
  }
  // The metrics TSDB needs both directions, and one way to authenticate.
  if (!out.metricsRemoteWriteUrl !== !out.metricsRemoteQueryUrl)
    problems.push(
      'STEADY_METRICS_REMOTE_WRITE_URL and STEADY_METRICS_REMOTE_QUERY_URL: set both (metrics are kept in that Prometheus-compatible TSDB) or neither (the embedded store)',
    );
  if (out.metricsRemoteBearerToken && out.metricsRemoteBasicAuth)
    problems.push(
      'STEADY_METRICS_REMOTE_BEARER_TOKEN and STEADY_METRICS_REMOTE_BASIC_AUTH: set one, not both',
    );
  if (problems.length > 0) throw new ConfigError(problems);
  if (!out.publicUrl) out.publicUrl = `http://localhost:${out.port}`;
  return Object.freeze(out) as Config;
}

/** The reference table (Markdown) for the README and `steady config`. */
export function describeSettings(): string {
  const rows = Object.entries(SETTINGS).map(
    ([key, s]) => `| \`${s.env}\` | \`${key}\` | \`${JSON.stringify(s.default)}\` | ${s.doc} |`,
  );
  return ['| env var | file key | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
