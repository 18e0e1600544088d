import net from 'node:net';
import tls from 'node:tls';
import type { TcpSettings } from '../probes.schemas.ts';
import { type CheckOutcome, daysLeft, describeNetworkError, latencyVerdict, tlsVerdict } from './types.ts';

/** Connects (and with `tls`, completes the handshake), then hangs up: the service accepts connections. */
export function checkTcp(s: TcpSettings, timeoutMs: number, now: number): Promise<CheckOutcome> {
  const started = performance.now();
  const target = `${s.host}:${s.port}`;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: CheckOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const socket = s.tls
      ? tls.connect({
          host: s.host,
          port: s.port,
          rejectUnauthorized: s.tlsVerify,
          ...(net.isIP(s.host) ? {} : { servername: s.host }),
        })
      : net.connect({ host: s.host, port: s.port });
    const connected = () => {
      const durationMs = performance.now() - started;
      const validTo = s.tls ? (socket as tls.TLSSocket).getPeerCertificate()?.valid_to : undefined;
      const tlsDaysLeft = validTo ? daysLeft(validTo, now) : undefined;
      const measured = { durationMs, ...(tlsDaysLeft !== undefined ? { tlsDaysLeft } : {}) };
      const cert = tlsVerdict(tlsDaysLeft, s.tlsWarningDays);
      if (cert.fail) return finish({ ok: false, degraded: null, reason: cert.fail, ...measured });
      const latency = latencyVerdict(durationMs, s);
      finish({ ok: true, degraded: latency.degraded ?? cert.degraded, reason: null, ...measured });
    };
    socket.once(s.tls ? 'secureConnect' : 'connect', connected);
    socket.once('error', (err) =>
      finish({
        ok: false,
        degraded: null,
        reason: describeNetworkError(err, target),
        durationMs: performance.now() - started,
      }),
    );
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          degraded: null,
          reason: `connecting to ${target} timed out after ${timeoutMs} ms`,
          durationMs: performance.now() - started,
        }),
      timeoutMs,
    );
  });
}
