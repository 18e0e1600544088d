import { email } from './email.ts';
import type { ChannelKind, ContactKind } from './kinds.ts';
import { dingtalk, feishu, wecom } from './robots.ts';
import { slack } from './slack.ts';
import { httpTemplate } from './sms.ts';
import type { ChannelSender } from './types.ts';
import { webhook } from './webhook.ts';

export { CHANNEL_KINDS, type ChannelKind, CONTACT_KINDS, type ContactKind } from './kinds.ts';

export const SENDERS: Record<ChannelKind, ChannelSender<never, never>> = {
  email,
  webhook,
  dingtalk,
  wecom,
  feishu,
  slack,
  sms: httpTemplate,
} as Record<ChannelKind, ChannelSender<never, never>>;

/**
 * The vendors' documented limits as defaults: DingTalk and WeCom robots take 20 messages a minute,
 * Feishu custom bots 100, Slack webhooks about one a second. 0 means no limit of ours.
 */
export const DEFAULT_RATE_PER_MINUTE: Record<ChannelKind, number> = {
  email: 0,
  webhook: 0,
  dingtalk: 20,
  wecom: 20,
  feishu: 100,
  slack: 60,
  sms: 0,
};

/** Which contact method of a person a channel uses to reach (or mention) them. */
export const CONTACT_FOR_CHANNEL: Record<ChannelKind, ContactKind | null> = {
  email: 'email',
  sms: 'phone',
  dingtalk: 'phone',
  wecom: 'wecom',
  feishu: 'feishu',
  slack: null,
  webhook: null,
};

export type { MessageContent, OutgoingMessage, SendResult } from './types.ts';
