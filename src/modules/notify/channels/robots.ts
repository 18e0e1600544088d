import { createHmac } from 'node:crypto';
import { classifyStatus, type HttpReply, isReply, JSON_HEADERS, parseJson, request } from './http.ts';
import {
  type ChannelSender,
  type OutgoingMessage,
  permanent,
  type SendContext,
  type SendResult,
  transient,
} from './types.ts';

/**
 * The group robots of the Chinese IM suites (DingTalk, WeCom, Feishu/Lark). All three answer HTTP 200
 * even when they refuse a message and put the verdict in the body (`errcode` or `code`), so the body is
 * read for every reply and each vendor's rate-limit code is told apart from codes that mean bad config.
 */

const MINUTE = 60_000;

/** A 200 with a vendor code: 0 is delivered; the codes listed in `busy` may pass in a minute. */
function vendorVerdict(
  reply: HttpReply,
  ctx: SendContext,
  codeField: string[],
  busy: ReadonlySet<number>,
  vendor: string,
): SendResult {
  const byStatus = classifyStatus(reply, ctx.now);
  if (!byStatus.ok) return byStatus;
  const json = parseJson(reply.body);
  if (!json) return permanent(`${vendor} answered with a body that is not JSON: ${reply.body.slice(0, 200)}`);
  const field = codeField.find((f) => typeof json[f] === 'number');
  const code = field ? (json[field] as number) : 0;
  if (code === 0) return { ok: true, statusCode: reply.status };
  const message = String(json.errmsg ?? json.msg ?? json.StatusMessage ?? '');
  const error = `${vendor} error ${code}: ${message}`;
  return busy.has(code) ? transient(error, reply.status, MINUTE) : permanent(error, reply.status);
}

const atP1 = (m: OutgoingMessage) => m.content.severity === 'P1';

// --- DingTalk custom robot ------------------------------------------------------------------------
export interface DingtalkSettings {
  baseUrl: string;
}
export interface DingtalkSecrets {
  accessToken: string;
  signSecret?: string | undefined;
}

/** DingTalk's "加签": base64(HMAC-SHA256(key = secret, message = timestamp + "\n" + secret)), ms timestamp. */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

// 130101: sending too fast (more than 20 a minute); -1: system busy.
const DINGTALK_BUSY = new Set([130101, -1]);

export const dingtalk: ChannelSender<DingtalkSettings, DingtalkSecrets> = {
  async send(settings, secrets, message, ctx) {
    const url = new URL(settings.baseUrl);
    url.searchParams.set('access_token', secrets.accessToken);
    if (secrets.signSecret) {
      url.searchParams.set('timestamp', String(ctx.now));
      url.searchParams.set('sign', dingtalkSign(secrets.signSecret, ctx.now));
    }
    // A mention only notifies when the number also appears in the text.
    const mobiles = atP1(message) ? message.mention.mobiles : [];
    const text = mobiles.length
      ? `${message.content.markdown}\n\n${mobiles.map((m) => `@${m}`).join(' ')}`
      : message.content.markdown;
    const body = {
      msgtype: 'markdown',
      markdown: { title: message.content.subject, text },
      at: { atMobiles: mobiles, isAtAll: false },
    };
    const reply = await request(
      url.toString(),
      { headers: JSON_HEADERS, body: JSON.stringify(body) },
      ctx.timeoutMs,
    );
    return isReply(reply) ? vendorVerdict(reply, ctx, ['errcode'], DINGTALK_BUSY, 'DingTalk') : reply;
  },
};

// --- WeCom (企业微信) group robot -------------------------------------------------------------------
export interface WecomSettings {
  baseUrl: string;
}
export interface WecomSecrets {
  key: string;
}

// 45009: API frequency limit (20 a minute per robot); -1: system busy.
const WECOM_BUSY = new Set([45009, -1]);

export const wecom: ChannelSender<WecomSettings, WecomSecrets> = {
  async send(settings, secrets, message, ctx) {
    const url = new URL(settings.baseUrl);
    url.searchParams.set('key', secrets.key);
    const ids = atP1(message) ? message.mention.userIds : [];
    const content = ids.length
      ? `${message.content.markdown}\n${ids.map((id) => `<@${id}>`).join(' ')}`
      : message.content.markdown;
    const body = { msgtype: 'markdown', markdown: { content } };
    const reply = await request(
      url.toString(),
      { headers: JSON_HEADERS, body: JSON.stringify(body) },
      ctx.timeoutMs,
    );
    return isReply(reply) ? vendorVerdict(reply, ctx, ['errcode'], WECOM_BUSY, 'WeCom') : reply;
  },
};

// --- Feishu / Lark custom bot ---------------------------------------------------------------------
export interface FeishuSettings {
  baseUrl: string;
}
export interface FeishuSecrets {
  hookId: string;
  signSecret?: string | undefined;
}

/**
 * Feishu's signature: base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = empty)), with the
 * timestamp in seconds; both go in the body.
 */
export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

// 11232: frequency limited; 9499 with HTTP 429 is covered by the status already.
const FEISHU_BUSY = new Set([11232]);
const FEISHU_COLOURS: Record<string, string> = { P1: 'red', P2: 'orange', P3: 'blue' };

export const feishu: ChannelSender<FeishuSettings, FeishuSecrets> = {
  async send(settings, secrets, message, ctx) {
    const { content } = message;
    const ids = atP1(message) ? message.mention.userIds : [];
    const md = ids.length
      ? `${content.markdown}\n${ids.map((id) => `<at id=${id}></at>`).join(' ')}`
      : content.markdown;
    const buttons = [
      content.links.acknowledge && { label: content.facts.ackLabel, url: content.links.acknowledge },
      content.links.resolve && { label: content.facts.resolveLabel, url: content.links.resolve },
      content.links.incident && { label: content.facts.openLabel, url: content.links.incident },
    ].filter((b): b is { label: string; url: string } => !!b);
    const card = {
      header: {
        title: { tag: 'plain_text', content: content.subject },
        template: FEISHU_COLOURS[content.severity ?? ''] ?? 'grey',
      },
      elements: [
        { tag: 'markdown', content: md },
        ...(buttons.length
          ? [
              {
                tag: 'action',
                actions: buttons.map((b, i) => ({
                  tag: 'button',
                  text: { tag: 'plain_text', content: String(b.label) },
                  type: i === 0 ? 'primary' : 'default',
                  url: b.url,
                })),
              },
            ]
          : []),
      ],
    };
    const seconds = Math.floor(ctx.now / 1000);
    const body = {
      ...(secrets.signSecret
        ? { timestamp: String(seconds), sign: feishuSign(secrets.signSecret, seconds) }
        : {}),
      msg_type: 'interactive',
      card,
    };
    const url = `${settings.baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(secrets.hookId)}`;
    const reply = await request(url, { headers: JSON_HEADERS, body: JSON.stringify(body) }, ctx.timeoutMs);
    return isReply(reply) ? vendorVerdict(reply, ctx, ['code', 'StatusCode'], FEISHU_BUSY, 'Feishu') : reply;
  },
};
