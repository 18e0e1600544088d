import { createHmac } from 'node:crypto';
import { classifyStatus, isReply, JSON_HEADERS, request } from './http.ts';
import type { ChannelSender } from './types.ts';

export interface WebhookSettings {
  url: string;
}
export interface WebhookSecrets {
  signingSecret: string;
}

/**
 * `v1=` + hex HMAC-SHA256 over `<timestamp>.<raw body>`, timestamp in Unix seconds. Receivers recompute
 * it over the raw bytes, compare in constant time, refuse timestamps outside their replay window and
 * drop a message id they have already seen (docs/notifications.md).
 */
export function webhookSignature(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

export const webhook: ChannelSender<WebhookSettings, WebhookSecrets> = {
  async send(settings, secrets, message, ctx) {
    const { content } = message;
    const seconds = Math.floor(ctx.now / 1000);
    const body = JSON.stringify({
      id: message.id,
      type: 'steady.notification',
      sentAt: new Date(ctx.now).toISOString(),
      recipient: message.recipient || null,
      severity: content.severity,
      subject: content.subject,
      text: content.text,
      facts: content.facts,
      links: content.links,
    });
    const reply = await request(
      settings.url,
      {
        headers: {
          ...JSON_HEADERS,
          'user-agent': 'Steady-Notify/1',
          'x-steady-message-id': message.id,
          'x-steady-timestamp': String(seconds),
          'x-steady-signature': webhookSignature(secrets.signingSecret, seconds, body),
        },
        body,
      },
      ctx.timeoutMs,
    );
    return isReply(reply) ? classifyStatus(reply, ctx.now) : reply;
  },
};
