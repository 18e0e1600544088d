/**
 * Routes only `steady demo` adds: inject a fault into the running simulated shop, and the inbox its
 * notification channel delivers to (the messages then show as delivered in the console's delivery log).
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { FaultTruth } from '../../sim/index.ts';
import { SCENARIOS } from '../../sim/index.ts';
import { access } from '../platform/auth/roles.ts';
import { AppError } from '../platform/errors.ts';
import type { Api } from '../platform/http/api.ts';

export interface DemoControl {
  /** Injects a fault now (or `inSeconds` from now) into the running simulation. */
  inject(name: string, inSeconds: number): FaultTruth;
  faults(): FaultTruth[];
}

export interface InboxMessage {
  receivedAt: number;
  messageId: string;
  recipient: unknown;
  severity: unknown;
  subject: unknown;
}

const injectBody = z.strictObject({
  name: z.enum(SCENARIOS.map((s) => s.name) as [string, ...string[]]),
  inSeconds: z.number().int().min(0).max(86_400).default(0),
});

export function demoRoutes(deps: {
  control: () => DemoControl | null;
  inboxKey: string;
  onMessage: (m: InboxMessage) => void;
  now: () => number;
}) {
  const inbox: InboxMessage[] = [];
  return (http: Api): void => {
    const tags = ['demo'];
    http.get(
      '/api/v1/demo/scenarios',
      { config: { access: access.anyRole }, schema: { tags } },
      async () => ({
        scenarios: SCENARIOS.map((s) => ({ name: s.name, title: s.title })),
        faults: deps.control()?.faults() ?? [],
      }),
    );
    http.post(
      '/api/v1/demo/scenarios',
      { config: { access: access.roles('admin') }, schema: { tags, body: injectBody } },
      async (req, reply) => {
        const control = deps.control();
        if (!control) throw new AppError(409, 'conflict', 'The simulated shop is not running yet');
        return reply.status(201).send(control.inject(req.body.name, req.body.inSeconds));
      },
    );
    http.post(
      '/api/v1/demo/inbox',
      { config: { access: access.ownSecret }, schema: { tags, hide: true } },
      async (req, reply) => {
        const key = Buffer.from(String((req.query as { key?: string }).key ?? ''));
        const want = Buffer.from(deps.inboxKey);
        if (key.length !== want.length || !timingSafeEqual(key, want))
          throw new AppError(401, 'unauthorized', 'Wrong or missing inbox key');
        const body = (req.body ?? {}) as Record<string, unknown>;
        const m: InboxMessage = {
          receivedAt: deps.now(),
          messageId: String(req.headers['x-steady-message-id'] ?? ''),
          recipient: body.recipient ?? null,
          severity: body.severity ?? null,
          subject: body.subject ?? null,
        };
        inbox.unshift(m);
        inbox.length = Math.min(inbox.length, 200);
        deps.onMessage(m);
        return reply.status(204).send(null);
      },
    );
    http.get('/api/v1/demo/inbox', { config: { access: access.anyRole }, schema: { tags } }, async () => ({
      items: inbox,
    }));
  };
}
