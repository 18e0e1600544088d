import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One request a receiver got, with the raw body (signatures are over the raw bytes). */
export interface Received {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  raw: string;
  json: unknown;
  at: number;
}

export type Reply = { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number };

/**
 * A real HTTP server on loopback standing in for a vendor. `respond` decides the answer (default 200
 * with `defaultBody`); everything received is kept for the test to check.
 */
export async function startReceiver(
  respond?: (req: Received, n: number) => Reply | Promise<Reply>,
): Promise<{ url: string; received: Received[]; server: Server; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(raw);
      } catch {
        json = null;
      }
      const r: Received = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', 'http://localhost'),
        headers: req.headers,
        raw,
        json,
        at: Date.now(),
      };
      received.push(r);
      const reply = (await respond?.(r, received.length)) ?? {
        status: 200,
        body: { errcode: 0, errmsg: 'ok' },
      };
      if (reply.delayMs) await new Promise((ok) => setTimeout(ok, reply.delayMs));
      if (res.destroyed) return;
      const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    server,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export interface Mail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Map<string, unknown>;
  raw: string;
}

/**
 * A real SMTP server (the `smtp-server` package) on loopback; each delivered message is parsed back
 * with `mailparser`. `reject` answers an SMTP error code for the next messages.
 */
export async function startSmtp(): Promise<{
  port: number;
  mails: Mail[];
  reject: { code: number; message: string } | null;
  close(): Promise<void>;
}> {
  const state = {
    port: 0,
    mails: [] as Mail[],
    reject: null as { code: number; message: string } | null,
    close: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (state.reject) {
          const err = Object.assign(new Error(state.reject.message), { responseCode: state.reject.code });
          return callback(err);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = await simpleParser(raw);
        state.mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          html: typeof parsed.html === 'string' ? parsed.html : '',
          messageId: parsed.messageId ?? '',
          headers: parsed.headers as Map<string, unknown>,
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  state.port = (server.server.address() as AddressInfo).port;
  state.close = () => new Promise<void>((ok) => server.close(() => ok()));
  return state;
}

export async function waitFor<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false && v !== null) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((ok) => setTimeout(ok, 25));
  }
}
