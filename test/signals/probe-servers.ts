/**
 * Real servers on loopback for the probe tests: HTTP, HTTPS with a certificate made by openssl at test
 * time, plain TCP, and a tiny authoritative DNS server over UDP (node:dgram), so no test needs a network.
 */
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** The test shop: a few pages that pass or fail the way real ones do. */
export const shopHandler: Handler = (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  switch (url.pathname) {
    case '/':
      res.end('<html><title>Shop</title>Welcome to the shop, order 12345 ready</html>');
      return;
    case '/api/health':
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'ok', checks: [{ name: 'db', ok: true, ms: 4 }], version: '1.2.0' }));
      return;
    case '/broken':
      res.statusCode = 503;
      res.end('maintenance');
      return;
    case '/slow':
      setTimeout(() => res.end('finally'), Number(url.searchParams.get('ms') ?? 1500)).unref();
      return;
    case '/moved':
      res.statusCode = 302;
      res.setHeader('location', '/');
      res.end();
      return;
    case '/echo': {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            method: req.method,
            auth: req.headers.authorization ?? null,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      });
      return;
    }
    default:
      res.statusCode = 404;
      res.end('not found');
  }
};

export async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

export const close = (server: net.Server & { closeAllConnections?: () => void }) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await close(s);
  return port;
}

/** A self-signed certificate for localhost/127.0.0.1 valid `days` days, made by the openssl CLI. */
export function selfSignedCert(days: number): {
  key: Buffer;
  cert: Buffer;
  notAfter: number;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'steady-cert-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      String(days),
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const end = execFileSync('openssl', ['x509', '-enddate', '-noout', '-in', cert]).toString();
  const notAfter = Date.parse(end.replace(/^notAfter=/, '').trim());
  return {
    key: readFileSync(key),
    cert: readFileSync(cert),
    notAfter,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function httpsServer(cert: { key: Buffer; cert: Buffer }, handler: Handler = shopHandler) {
  return https.createServer({ key: cert.key, cert: cert.cert }, handler);
}

export const httpServer = (handler: Handler = shopHandler) => http.createServer(handler);

/** A DNS server answering A and TXT from a table, NXDOMAIN for other names. */
export async function dnsServer(records: Record<string, { A?: string[]; TXT?: string[] }>) {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    let off = 12;
    const labels: string[] = [];
    while (msg[off] !== 0 && off < msg.length) {
      const len = msg[off] ?? 0;
      labels.push(msg.subarray(off + 1, off + 1 + len).toString());
      off += len + 1;
    }
    const qEnd = off + 5;
    const qtype = msg.readUInt16BE(off + 1);
    const entry = records[labels.join('.').toLowerCase()];
    const answers: Buffer[] = [];
    if (entry && qtype === 1) {
      for (const ip of entry.A ?? []) answers.push(rr(1, Buffer.from(ip.split('.').map(Number))));
    }
    if (entry && qtype === 16) {
      for (const t of entry.TXT ?? [])
        answers.push(rr(16, Buffer.concat([Buffer.from([t.length]), Buffer.from(t)])));
    }
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(entry ? 0x8580 : 0x8583, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    socket.send(Buffer.concat([header, msg.subarray(12, qEnd), ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

function rr(type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt32BE(60, 6);
  head.writeUInt16BE(data.length, 10);
  return Buffer.concat([head, data]);
}
