import type { z } from 'zod';
import { badRequest } from '../../../platform/errors.ts';

/** One alert as every source is reduced to before the alerts stage acts on it. */
export interface IncomingAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Epoch ms; null: now. */
  startsAt: number | null;
  /** Epoch ms the source says the alert ends at; null: until a resolve message arrives. */
  endsAt: number | null;
  generatorUrl: string | null;
  title?: string | undefined;
  /** The source's own severity word (e.g. "critical", "Disaster"); mapped to P1–P3 by the integration. */
  severity?: string | undefined;
  /** When the source names the alert itself (Zabbix event id, generic dedupe key) rather than by labels. */
  dedupeKey?: string | undefined;
}

/** Validates a webhook body; a 400 lists every problem with its path, and nothing is stored. */
export function parsePayload<S extends z.ZodType>(schema: S, body: unknown, format: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 20).map((i) => ({
    path: ['body', ...i.path.map(String)].join('.'),
    message: i.message,
  }));
  throw badRequest(`Invalid ${format} payload: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    issues,
  });
}

/** Alertmanager marks "no end" with Go's zero time (0001-01-01T00:00:00Z). */
export function parseTime(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return value < 1e11 ? Math.round(value * 1000) : Math.round(value);
  if (/^\d+(\.\d+)?$/.test(value)) return parseTime(Number(value));
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return Number.NaN;
  return ms <= 0 ? null : ms;
}

/** Label and annotation values are strings; numbers and booleans from loose senders are accepted as text. */
export const stringMap = (value: Record<string, unknown> | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value ?? {})) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
};
