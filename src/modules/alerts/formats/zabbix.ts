import { z } from 'zod';
import { type IncomingAlert, parsePayload, parseTime } from './types.ts';

/**
 * What Steady's Zabbix webhook media type sends (docs/alerts-zabbix.md has the script to paste). Status is
 * Zabbix's {EVENT.STATUS} ("PROBLEM" / "RESOLVED") or {EVENT.VALUE} (1 / 0); an update event stays firing.
 */
const scalar = z.union([z.string(), z.number()]).transform(String);
const payloadSchema = z.object({
  event_id: scalar.refine((v) => v.trim() !== '' && !v.startsWith('{'), 'must be the event id ({EVENT.ID})'),
  status: z
    .union([z.string(), z.number()])
    .transform((v) => String(v).trim().toUpperCase())
    .refine((v) => ['PROBLEM', 'RESOLVED', 'OK', 'UPDATE', '1', '0'].includes(v), {
      message: 'must be PROBLEM or RESOLVED ({EVENT.STATUS}), or 1 or 0 ({EVENT.VALUE})',
    }),
  severity: z.string().default('Not classified'),
  host: z.string().min(1, 'must name the host ({HOST.NAME})'),
  trigger_name: z.string().min(1, 'must name the trigger ({EVENT.NAME})'),
  trigger_id: scalar.optional(),
  message: z.string().optional(),
  url: z.string().optional(),
  event_time: z.union([z.string(), z.number()]).optional(),
  tags: z
    .union([z.array(z.object({ tag: z.string(), value: z.string().default('') })), z.string()])
    .optional(),
});

/** {EVENT.TAGSJSON} is an array of {tag, value}; {EVENT.TAGS} is "a:b, c:d". */
function tagLabels(tags: z.output<typeof payloadSchema>['tags']): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(tags)) for (const t of tags) out[t.tag] = t.value;
  else if (tags && !tags.startsWith('{'))
    for (const part of tags.split(',')) {
      const [k, ...v] = part.split(':');
      if (k?.trim()) out[k.trim()] = v.join(':').trim();
    }
  return out;
}

export function parseZabbix(body: unknown): IncomingAlert[] {
  const p = parsePayload(payloadSchema, body, 'Zabbix webhook');
  const resolved = p.status === 'RESOLVED' || p.status === 'OK' || p.status === '0';
  const labels: Record<string, string> = {
    ...tagLabels(p.tags),
    alertname: p.trigger_name,
    host: p.host,
  };
  if (p.trigger_id) labels.zabbix_trigger_id = p.trigger_id;
  const startsAt = parseTime(p.event_time);
  return [
    {
      status: resolved ? 'resolved' : 'firing',
      labels,
      annotations: p.message ? { description: p.message } : {},
      startsAt: startsAt === null || Number.isNaN(startsAt) ? null : startsAt,
      endsAt: null,
      generatorUrl: p.url || null,
      title: p.trigger_name,
      severity: p.severity,
      // The recovery event carries the problem's {EVENT.ID}, so it resolves the same alert.
      dedupeKey: `zabbix:${p.event_id}`,
    },
  ];
}
