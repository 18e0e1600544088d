/**
 * The endpoint the probe benchmark's 10,000 probes hit, in its own process so it never shares an event
 * loop with Steady or the measuring side. Records when each probe's request arrived; the parent asks for
 * the record over IPC.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const arrivals: [number, number][] = [];
const server = http.createServer((req, res) => {
  const m = /^\/p\/(\d+)/.exec(req.url ?? '');
  if (m) arrivals.push([Number(m[1]), Date.now()]);
  res.setHeader('content-type', 'text/plain');
  res.end('ok shop');
});
server.keepAliveTimeout = 1000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'arrivals') process.send?.({ arrivals });
  if (msg.cmd === 'stop') server.close(() => process.exit(0));
});
