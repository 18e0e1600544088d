import { createTransport } from 'nodemailer';
import { type ChannelSender, permanent, type SendResult, transient } from './types.ts';

export interface EmailSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  from: string;
  username: string;
}
export interface EmailSecrets {
  password?: string | undefined;
}

// nodemailer's codes for failures before the server said anything about the message.
const NETWORK_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET']);

/**
 * SMTP's own verdicts: 4xx replies are "try again later" by definition (RFC 5321 §4.2.1), 5xx are final;
 * a wrong password (EAUTH) is configuration, so final too.
 */
export function classifySmtpError(err: unknown): SendResult {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const message = `SMTP: ${e.message ?? String(err)}`;
  if (typeof e.responseCode === 'number') {
    return e.responseCode >= 400 && e.responseCode < 500
      ? transient(message, e.responseCode)
      : permanent(message, e.responseCode);
  }
  if (e.code === 'EAUTH' || e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return permanent(message);
  if (e.code && NETWORK_CODES.has(e.code)) return transient(message);
  return transient(message);
}

export const email: ChannelSender<EmailSettings, EmailSecrets> = {
  async send(settings, secrets, message, ctx) {
    if (!message.recipient) return permanent('no e-mail address to send to');
    const transport = createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      ...(settings.username ? { auth: { user: settings.username, pass: secrets.password ?? '' } } : {}),
      connectionTimeout: ctx.timeoutMs,
      greetingTimeout: ctx.timeoutMs,
      socketTimeout: ctx.timeoutMs,
    });
    try {
      const domain = settings.from.split('@')[1]?.replace(/>.*$/, '') || 'steady.local';
      await transport.sendMail({
        from: settings.from,
        to: message.recipient,
        subject: message.content.subject,
        text: message.content.text,
        html: message.content.html,
        // One id per outbox row, so a mail system that sees it twice can tell.
        messageId: `<${message.id}@${domain}>`,
        headers: { 'X-Steady-Message-Id': message.id },
      });
      return { ok: true };
    } catch (err) {
      return classifySmtpError(err);
    } finally {
      transport.close();
    }
  },
};
