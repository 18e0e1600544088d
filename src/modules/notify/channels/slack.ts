import { classifyStatus, isReply, JSON_HEADERS, request } from './http.ts';
import type { ChannelSender } from './types.ts';

export type SlackSettings = Record<string, never>;
export interface SlackSecrets {
  /** The incoming-webhook URL; it is the credential, so it is stored as a secret. */
  webhookUrl: string;
}

const EMOJI: Record<string, string> = {
  P1: ':red_circle:',
  P2: ':large_orange_circle:',
  P3: ':large_blue_circle:',
};

/**
 * Slack incoming webhook with Block Kit: a header, the body as mrkdwn, link buttons. `text` is the
 * fallback Slack shows in notifications. Slack answers 200 "ok", or a 4xx with a reason such as
 * `invalid_payload` or `no_service` that no retry fixes.
 */
export const slack: ChannelSender<SlackSettings, SlackSecrets> = {
  async send(_settings, secrets, message, ctx) {
    const { content } = message;
    const buttons = [
      content.links.acknowledge && {
        label: content.facts.ackLabel,
        url: content.links.acknowledge,
        id: 'ack',
      },
      content.links.resolve && {
        label: content.facts.resolveLabel,
        url: content.links.resolve,
        id: 'resolve',
      },
      content.links.incident && { label: content.facts.openLabel, url: content.links.incident, id: 'open' },
    ].filter((b): b is { label: string; url: string; id: string } => !!b);
    const header = `${EMOJI[content.severity ?? ''] ?? ''} ${content.subject}`.trim().slice(0, 150);
    const body = {
      text: content.short,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: header, emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: content.slack.slice(0, 3000) } },
        ...(buttons.length
          ? [
              {
                type: 'actions',
                elements: buttons.map((b, i) => ({
                  type: 'button',
                  action_id: b.id,
                  text: { type: 'plain_text', text: String(b.label) },
                  url: b.url,
                  ...(i === 0 ? { style: 'danger' } : {}),
                })),
              },
            ]
          : []),
      ],
    };
    const reply = await request(
      secrets.webhookUrl,
      { headers: JSON_HEADERS, body: JSON.stringify(body) },
      ctx.timeoutMs,
    );
    return isReply(reply) ? classifyStatus(reply, ctx.now) : reply;
  },
};
