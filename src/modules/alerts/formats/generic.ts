import { z } from 'zod';
import { badRequest } from '../../../platform/errors.ts';
import { type IncomingAlert, parseTime, stringMap } from './types.ts';

/** `a.b[0].c` or `a.b.0.c`; `$` or empty is the value itself. */
const PATH = /^(\$|[A-Za-z_$][\w$-]*|\[\d+\])?(\.[A-Za-z_$][\w$-]*|\.\d+|\[\d+\])*$/;
const path = z
  .string()
  .max(200)
  .regex(PATH, 'must be a path such as "data.alert.title" or "alerts[0].labels"');

/** How a generic JSON webhook's fields become an alert; paths are relative to one alert object. */
export const genericMappingSchema = z.strictObject({
  /** Where the list of alerts is in the body; empty: the body is one alert, or an array of them. */
  alertsPath: path.default(''),
  title: path,
  status: path.optional(),
  /** Status values meaning "resolved" (compared case-insensitively); anything else is firing. */
  resolvedValues: z.array(z.string().max(100)).max(20).default(['resolved', 'ok', 'recovered', 'closed']),
  severity: path.optional(),
  /** An object whose entries become labels. */
  labels: path.optional(),
  /** Single labels picked from elsewhere in the alert: label name → path. */
  labelPaths: z
    .record(z.string().regex(/^[A-Za-z_]\w*$/, 'label names are [A-Za-z_][A-Za-z0-9_]*'), path)
    .default({}),
  description: path.optional(),
  dedupeKey: path.optional(),
  startsAt: path.optional(),
});
export type GenericMapping = z.output<typeof genericMappingSchema>;

export function getPath(value: unknown, p: string): unknown {
  if (p === '' || p === '$') return value;
  const parts = p
    .replace(/^\$\.?/, '')
    .replaceAll(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean);
  let cur = value;
  for (const part of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const scalarText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

export function parseGeneric(body: unknown, mapping: GenericMapping): IncomingAlert[] {
  const root = getPath(body, mapping.alertsPath);
  if (root === undefined)
    throw badRequest(
      `Invalid webhook payload: nothing at "${mapping.alertsPath}" (the mapping's alertsPath)`,
    );
  const items = Array.isArray(root) ? root : [root];
  if (items.length === 0) throw badRequest('Invalid webhook payload: the list of alerts is empty');
  if (items.length > 1000) throw badRequest('Invalid webhook payload: at most 1000 alerts per call');
  const resolvedValues = new Set(mapping.resolvedValues.map((v) => v.toLowerCase()));
  return items.map((item, i): IncomingAlert => {
    const where = Array.isArray(root) ? `alert ${i}: ` : '';
    const problem = (m: string) => badRequest(`Invalid webhook payload: ${where}${m}`);
    if (item === null || typeof item !== 'object') throw problem('an alert must be a JSON object');
    const title = scalarText(getPath(item, mapping.title));
    if (!title) throw problem(`no title at "${mapping.title}" (the mapping's title path)`);
    const rawLabels = mapping.labels ? getPath(item, mapping.labels) : undefined;
    if (
      rawLabels !== undefined &&
      (rawLabels === null || typeof rawLabels !== 'object' || Array.isArray(rawLabels))
    )
      throw problem(`"${mapping.labels}" must be an object of labels`);
    const labels = stringMap(rawLabels as Record<string, unknown> | undefined);
    for (const [name, p] of Object.entries(mapping.labelPaths)) {
      const v = scalarText(getPath(item, p));
      if (v !== undefined) labels[name] = v;
    }
    labels.alertname ??= title;
    const status = mapping.status ? scalarText(getPath(item, mapping.status)) : undefined;
    const dedupeKey = mapping.dedupeKey ? scalarText(getPath(item, mapping.dedupeKey)) : undefined;
    if (mapping.dedupeKey && !dedupeKey) throw problem(`no dedupe key at "${mapping.dedupeKey}"`);
    const description = mapping.description ? scalarText(getPath(item, mapping.description)) : undefined;
    const startsAt = mapping.startsAt ? parseTime(scalarText(getPath(item, mapping.startsAt))) : null;
    if (startsAt !== null && Number.isNaN(startsAt))
      throw problem(`"${mapping.startsAt}" must be a time (RFC 3339 or epoch seconds/ms)`);
    return {
      status: status !== undefined && resolvedValues.has(status.toLowerCase()) ? 'resolved' : 'firing',
      labels,
      annotations: description ? { description } : ({} as Record<string, string>),
      startsAt,
      endsAt: null,
      generatorUrl: null,
      title,
      severity: mapping.severity ? scalarText(getPath(item, mapping.severity)) : undefined,
      dedupeKey: dedupeKey ? `key:${dedupeKey}` : undefined,
    };
  });
}
