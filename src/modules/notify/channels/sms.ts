import { classifyStatus, isReply, request } from './http.ts';
import { type ChannelSender, permanent } from './types.ts';

/**
 * SMS or voice through any provider's HTTP API, described by data instead of code: method, URL, headers
 * and a body template with placeholders, and what a successful answer looks like. Twilio, or a gateway
 * in front of Aliyun or Tencent Cloud, plugs in from the console.
 */
export interface HttpTemplateSettings {
  purpose: 'sms' | 'voice';
  method: 'POST' | 'PUT' | 'GET';
  url: string;
  headers: Record<string, string>;
  contentType: 'json' | 'form' | 'text';
  body: string;
  /** A 2xx answer is a success only if its body contains this text (empty: any 2xx). */
  successBodyIncludes: string;
}
export interface HttpTemplateSecrets {
  /** Referenced as {{secret.NAME}}. */
  values: Record<string, string>;
}

const CONTENT_TYPES = {
  json: 'application/json; charset=utf-8',
  form: 'application/x-www-form-urlencoded; charset=utf-8',
  text: 'text/plain; charset=utf-8',
} as const;

type Escape = (v: string) => string;
const escapes: Record<'json' | 'form' | 'text' | 'url' | 'raw', Escape> = {
  json: (v) => JSON.stringify(v).slice(1, -1),
  form: (v) => encodeURIComponent(v),
  text: (v) => v,
  url: (v) => encodeURIComponent(v),
  raw: (v) => v,
};

export const PLACEHOLDERS = ['phone', 'text', 'subject', 'severity', 'incident', 'url', 'messageId'] as const;

/** Replaces {{name}} and {{secret.NAME}}; an unknown placeholder is an error, not an empty string. */
export function fillTemplate(template: string, values: Record<string, string>, escapeValue: Escape): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`unknown placeholder {{${name}}}`);
    return escapeValue(v);
  });
}

export const httpTemplate: ChannelSender<HttpTemplateSettings, HttpTemplateSecrets> = {
  async send(settings, secrets, message, ctx) {
    const values: Record<string, string> = {
      phone: message.recipient,
      text: message.content.short,
      subject: message.content.subject,
      severity: message.content.severity ?? '',
      incident: String(message.content.facts.incident ?? ''),
      url: message.content.links.incident ?? '',
      messageId: message.id,
    };
    for (const [k, v] of Object.entries(secrets.values ?? {})) values[`secret.${k}`] = v;
    let url: string;
    let body: string | undefined;
    const headers: Record<string, string> = {};
    try {
      url = fillTemplate(settings.url, values, escapes.url);
      for (const [k, v] of Object.entries(settings.headers))
        headers[k] = fillTemplate(v, values, escapes.raw);
      if (settings.method !== 'GET') {
        body = fillTemplate(settings.body, values, escapes[settings.contentType]);
        headers['content-type'] ??= CONTENT_TYPES[settings.contentType];
      }
    } catch (err) {
      return permanent(`template: ${(err as Error).message}`);
    }
    const reply = await request(
      url,
      { method: settings.method, headers, ...(body !== undefined ? { body } : {}) },
      ctx.timeoutMs,
    );
    if (!isReply(reply)) return reply;
    const verdict = classifyStatus(reply, ctx.now);
    if (verdict.ok && settings.successBodyIncludes && !reply.body.includes(settings.successBodyIncludes)) {
      return permanent(
        `answer lacks "${settings.successBodyIncludes}": ${reply.body.slice(0, 300)}`,
        reply.status,
      );
    }
    return verdict;
  },
};
