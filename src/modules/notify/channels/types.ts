/**
 * What every channel sender shares: the rendered message it delivers, and the one answer it gives about
 * an attempt, "sent", "retry (maybe after N ms)" or "give up", as Alertmanager's notifiers answer with
 * their error whether a retry can help.
 */

/** A message rendered once, at enqueue time, in the recipient's language; each sender formats it. */
export interface MessageContent {
  /** Short title: e-mail subject, card title, SMS first line. */
  subject: string;
  /** One line for SMS and voice. */
  short: string;
  /** Plain text (e-mail text part, webhook `text`). */
  text: string;
  /** HTML (e-mail HTML part). */
  html: string;
  /** Markdown as DingTalk, WeCom and Feishu render it. */
  markdown: string;
  /** Slack mrkdwn (its own link syntax). */
  slack: string;
  severity: string | null;
  /** Structured facts for webhook receivers and the SMS template placeholders. */
  facts: Record<string, string | number | null>;
  links: { incident: string | null; acknowledge: string | null; resolve: string | null };
}

export interface OutgoingMessage {
  id: string;
  recipient: string;
  content: MessageContent;
  /** Mentions for group robots: phone numbers or user ids of the person paged. */
  mention: { mobiles: string[]; userIds: string[] };
}

export type SendResult =
  | { ok: true; statusCode?: number | undefined }
  | {
      ok: false;
      /** True when a later attempt may succeed (5xx, timeout, 429, vendor "busy"). */
      retry: boolean;
      /** The server's own wait (Retry-After, a vendor rate-limit code), in ms. */
      retryAfterMs?: number | undefined;
      statusCode?: number | undefined;
      error: string;
    };

export interface SendContext {
  /** Epoch ms, from the injected clock (signatures carry it). */
  now: number;
  timeoutMs: number;
}

export interface ChannelSender<S = unknown, K = unknown> {
  send(settings: S, secrets: K, message: OutgoingMessage, ctx: SendContext): Promise<SendResult>;
}

export const permanent = (error: string, statusCode?: number): SendResult => ({
  ok: false,
  retry: false,
  error,
  statusCode,
});
export const transient = (error: string, statusCode?: number, retryAfterMs?: number): SendResult => ({
  ok: false,
  retry: true,
  error,
  statusCode,
  retryAfterMs,
});
