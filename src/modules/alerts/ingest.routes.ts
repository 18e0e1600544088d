import { z } from 'zod';
import { access } from '../../platform/auth/roles.ts';
import { badRequest } from '../../platform/errors.ts';
import type { Api } from '../../platform/http/api.ts';
import type { IntegrationKind } from './alerts.schemas.ts';
import type { AlertsService, ReceiveResult } from './alerts.service.ts';
import type { AlertConfigService } from './config.service.ts';
import { parseAlertmanager, parseGrafana } from './formats/alertmanager.ts';
import { type GenericMapping, parseGeneric } from './formats/generic.ts';
import type { IncomingAlert } from './formats/types.ts';
import { parseZabbix } from './formats/zabbix.ts';

const params = z.strictObject({ id: z.uuid(), token: z.string().max(200).optional() });
const receiveReply = z.object({
  accepted: z.number(),
  created: z.number(),
  updated: z.number(),
  resolved: z.number(),
  suppressed: z.number(),
  ignored: z.number(),
});

function parse(kind: IntegrationKind, body: unknown, mapping: GenericMapping | null): IncomingAlert[] {
  if (body === undefined || body === null || typeof body !== 'object')
    throw badRequest(
      'Invalid webhook payload: the body must be a JSON object (Content-Type: application/json)',
    );
  switch (kind) {
    case 'alertmanager':
      return parseAlertmanager(body);
    case 'grafana':
      return parseGrafana(body);
    case 'zabbix':
      return parseZabbix(body);
    case 'webhook':
      if (!mapping) throw badRequest('This webhook integration has no field mapping; set one first');
      return parseGeneric(body, mapping);
  }
}

/**
 * Webhook intake. Each integration has its own URL and token; the token is checked here (the route is
 * public to the session/API-token layer), the body parsed by the integration's format in full before
 * anything is stored, and the alerts handed to `alerts.receive`, the same entry Steady's own rules use.
 */
export function registerIngestRoutes(
  app: Api,
  s: { alerts: AlertsService; config: AlertConfigService },
): void {
  const handler = async (id: string, token: string | undefined, body: unknown): Promise<ReceiveResult> => {
    const { integration, source } = await s.config.authenticate(id, token);
    return s.alerts.receive(source, parse(integration.kind, body, integration.mapping));
  };
  const bearer = (h: string | undefined) => {
    const [kind, secret] = (h ?? '').split(' ');
    return kind?.toLowerCase() === 'bearer' && secret ? secret : undefined;
  };
  const schema = {
    tags: ['alerts'],
    description: 'Alert webhook of an integration (Alertmanager, Grafana, Zabbix or generic JSON).',
    params,
    security: [],
    response: { 202: receiveReply },
  };
  app.post(
    '/api/v1/integrations/:id/webhook',
    { config: { access: access.ownSecret }, schema },
    async (req, reply) =>
      reply.status(202).send(await handler(req.params.id, bearer(req.headers.authorization), req.body)),
  );
  app.post(
    '/api/v1/integrations/:id/webhook/:token',
    { config: { access: access.ownSecret }, schema },
    async (req, reply) => reply.status(202).send(await handler(req.params.id, req.params.token, req.body)),
  );
}
