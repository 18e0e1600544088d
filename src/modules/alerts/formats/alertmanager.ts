import { z } from 'zod';
import { type IncomingAlert, parsePayload, parseTime, stringMap } from './types.ts';

const time = z
  .string()
  .refine((v) => !Number.isNaN(parseTime(v)), 'must be an RFC 3339 time such as 2026-01-05T09:00:00Z')
  .optional();
const scalarMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved'], { error: 'must be "firing" or "resolved"' }),
  labels: scalarMap.refine((l) => Object.keys(l).length > 0, 'must hold at least one label'),
  annotations: scalarMap.optional(),
  startsAt: time,
  endsAt: time,
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

/** Alertmanager's webhook (version 4) and Grafana's alerting webhook share this shape. */
const payloadSchema = z.object({
  version: z.string().optional(),
  status: z.string().optional(),
  groupKey: z.string().optional(),
  title: z.string().optional(),
  state: z.string().optional(),
  message: z.string().optional(),
  alerts: z
    .array(alertSchema)
    .min(1, 'must hold at least one alert')
    .max(1000, 'at most 1000 alerts per call'),
});

function toIncoming(a: z.output<typeof alertSchema>, title?: string): IncomingAlert {
  const labels = stringMap(a.labels);
  const annotations = stringMap(a.annotations);
  return {
    status: a.status,
    labels,
    annotations,
    startsAt: parseTime(a.startsAt),
    // A firing alert's endsAt from Alertmanager is when it would time out; a resolved one's is when it ended.
    endsAt: parseTime(a.endsAt),
    generatorUrl: a.generatorURL || null,
    title: annotations.summary ?? labels.alertname ?? title,
  };
}

export function parseAlertmanager(body: unknown): IncomingAlert[] {
  return parsePayload(payloadSchema, body, 'Alertmanager webhook').alerts.map((a) => toIncoming(a));
}

export function parseGrafana(body: unknown): IncomingAlert[] {
  const p = parsePayload(payloadSchema, body, 'Grafana webhook');
  return p.alerts.map((a) => toIncoming(a, p.title));
}
