/** The channel and contact kinds (no sender code here: the console's types import this). */
export const CHANNEL_KINDS = ['email', 'webhook', 'dingtalk', 'wecom', 'feishu', 'slack', 'sms'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const CONTACT_KINDS = ['email', 'phone', 'dingtalk', 'wecom', 'feishu', 'slack'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];
