import { z } from 'zod';

const sampleValue = z
  .union([z.number(), z.enum(['NaN', '+Inf', '-Inf'])])
  .describe('The value: a number, or "NaN", "+Inf", "-Inf" (JSON has no literal for them)');

/** The plain JSON batch API: `POST /api/v1/ingest`. */
export const jsonIngestBody = z
  .strictObject({
    series: z
      .array(
        z.strictObject({
          labels: z
            .record(z.string(), z.string())
            .describe(
              'Label name → value, with the metric name as `__name__` (e.g. {"__name__":"orders_per_minute","service":"checkout"}). Names follow Prometheus rules; a `service` label ties the series to a catalog service.',
            ),
          points: z
            .array(
              z.tuple([
                z.number().int('timestamps must be whole epoch milliseconds').describe('Epoch milliseconds'),
                sampleValue,
              ]),
            )
            .min(1)
            .describe('[[timestamp_ms, value], …] in time order'),
        }),
      )
      .max(100_000),
  })
  .describe(
    'Example: {"series":[{"labels":{"__name__":"orders_per_minute","service":"checkout"},"points":[[1732500000000,42]]}]}',
  );

export const ingestReply = z.object({
  samples: z.number().describe('Samples durably stored'),
  newSeries: z.number().describe('Series seen for the first time'),
});

export const parseSampleValue = (v: number | 'NaN' | '+Inf' | '-Inf'): number =>
  typeof v === 'number'
    ? v
    : v === 'NaN'
      ? Number.NaN
      : v === '+Inf'
        ? Number.POSITIVE_INFINITY
        : Number.NEGATIVE_INFINITY;

const labelName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a label name ([a-zA-Z_][a-zA-Z0-9_]*)');

const targetFields = {
  jobName: z.string().trim().min(1).max(200).describe('The `job` label of every scraped series'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).describe('The exposition endpoint'),
  intervalSeconds: z.number().int().min(1).max(3600).describe('Seconds between scrapes'),
  timeoutSeconds: z.number().int().min(1).max(600).describe('Seconds a scrape may take'),
  labels: z
    .record(labelName, z.string().min(1).max(1024))
    .refine((l) => Object.keys(l).length <= 32, 'at most 32 labels')
    .refine((l) => !('job' in l) && !('instance' in l), 'job and instance are set from jobName and the URL')
    .describe('Extra labels added to every scraped series (e.g. {"service":"checkout"})'),
  enabled: z.boolean(),
};

export const createTargetBody = z
  .strictObject({
    ...targetFields,
    intervalSeconds: targetFields.intervalSeconds.default(30),
    timeoutSeconds: targetFields.timeoutSeconds.default(10),
    labels: targetFields.labels.default({}),
    enabled: targetFields.enabled.default(true),
  })
  .refine((t) => t.timeoutSeconds <= t.intervalSeconds, {
    message: 'timeoutSeconds must not exceed intervalSeconds',
    path: ['timeoutSeconds'],
  });
export const updateTargetBody = z.strictObject(targetFields).partial();

export const scrapeTargetSchema = z.object({
  id: z.string(),
  jobName: z.string(),
  url: z.string(),
  instance: z.string().describe('The `instance` label: host:port of the URL'),
  intervalSeconds: z.number(),
  timeoutSeconds: z.number(),
  labels: z.record(z.string(), z.string()),
  enabled: z.boolean(),
  health: z.enum(['up', 'down', 'unknown']),
  lastScrape: z
    .object({
      at: z.number().describe('Epoch ms the scrape started'),
      durationMs: z.number(),
      samples: z.number().describe('Samples scraped'),
      error: z.string().nullable(),
    })
    .nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type ScrapeTarget = z.infer<typeof scrapeTargetSchema>;
export const scrapeTargetsReply = z.object({ items: z.array(scrapeTargetSchema) });
