import { z } from 'zod';
import { idParams } from '../../platform/auth/auth.schemas.ts';
import { access, EDITORS } from '../../platform/auth/roles.ts';
import { requestActor } from '../../platform/http/access.ts';
import type { Api } from '../../platform/http/api.ts';
import { noContent } from '../../platform/http/api.ts';
import {
  alertDetailSchema,
  alertsQuery,
  alertsReply,
  createIntegrationBody,
  createSilenceBody,
  createWindowBody,
  integrationSchema,
  integrationWithSecret,
  occurrencesReply,
  previewWindowBody,
  routingBody,
  routingReply,
  routingTestBody,
  routingTestReply,
  silenceSchema,
  silencesQuery,
  silenceTemplateReply,
  updateIntegrationBody,
  updateSilenceBody,
  updateWindowBody,
  windowSchema,
} from './alerts.schemas.ts';
import type { AlertsService } from './alerts.service.ts';
import type { AlertConfigService } from './config.service.ts';
import type { NoiseService } from './noise.service.ts';

const tags = ['alerts'];
const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** The console's API for alerts, silences, maintenance windows, routing and integrations. */
export function registerAlertRoutes(
  app: Api,
  s: { alerts: AlertsService; config: AlertConfigService; noise: NoiseService },
): void {
  const read = { access: access.anyRole };
  const edit = { access: access.roles(...EDITORS) };
  // Silencing is part of responding: the people on call may do it, not only configuration editors.
  const silence = { access: access.roles('admin', 'manager', 'responder') };

  app.get(
    '/api/v1/alerts',
    { config: read, schema: { tags, querystring: alertsQuery, response: { 200: alertsReply } } },
    (req) => s.alerts.list(req.query),
  );
  app.get(
    '/api/v1/alerts/:id',
    { config: read, schema: { tags, params: idParams, response: { 200: alertDetailSchema } } },
    (req) => s.alerts.get(req.params.id),
  );
  app.get(
    '/api/v1/alerts/:id/silence-template',
    { config: read, schema: { tags, params: idParams, response: { 200: silenceTemplateReply } } },
    (req) => s.noise.silenceTemplate(req.params.id),
  );

  app.get(
    '/api/v1/silences',
    { config: read, schema: { tags, querystring: silencesQuery, response: { 200: list(silenceSchema) } } },
    async (req) => ({
      items: await s.noise.listSilences(req.query.state),
    }),
  );
  app.post(
    '/api/v1/silences',
    { config: silence, schema: { tags, body: createSilenceBody, response: { 201: silenceSchema } } },
    async (req, reply) => reply.status(201).send(await s.noise.createSilence(requestActor(req), req.body)),
  );
  app.get(
    '/api/v1/silences/:id',
    { config: read, schema: { tags, params: idParams, response: { 200: silenceSchema } } },
    (req) => s.noise.getSilence(req.params.id),
  );
  app.patch(
    '/api/v1/silences/:id',
    {
      config: silence,
      schema: { tags, params: idParams, body: updateSilenceBody, response: { 200: silenceSchema } },
    },
    (req) => s.noise.updateSilence(requestActor(req), req.params.id, req.body),
  );
  app.delete(
    '/api/v1/silences/:id',
    {
      config: silence,
      schema: {
        tags,
        description: 'Expires the silence (kept as history).',
        params: idParams,
        response: { 200: silenceSchema },
      },
    },
    (req) => s.noise.expireSilence(requestActor(req), req.params.id),
  );

  app.get(
    '/api/v1/maintenance-windows',
    { config: read, schema: { tags, response: { 200: list(windowSchema) } } },
    async () => ({
      items: await s.noise.listWindows(),
    }),
  );
  app.post(
    '/api/v1/maintenance-windows/preview',
    { config: read, schema: { tags, body: previewWindowBody, response: { 200: occurrencesReply } } },
    async (req) => ({ items: s.noise.preview(req.body) }),
  );
  app.post(
    '/api/v1/maintenance-windows',
    { config: edit, schema: { tags, body: createWindowBody, response: { 201: windowSchema } } },
    async (req, reply) => reply.status(201).send(await s.noise.createWindow(requestActor(req), req.body)),
  );
  app.get(
    '/api/v1/maintenance-windows/:id',
    { config: read, schema: { tags, params: idParams, response: { 200: windowSchema } } },
    (req) => s.noise.getWindow(req.params.id),
  );
  app.patch(
    '/api/v1/maintenance-windows/:id',
    {
      config: edit,
      schema: { tags, params: idParams, body: updateWindowBody, response: { 200: windowSchema } },
    },
    (req) => s.noise.updateWindow(requestActor(req), req.params.id, req.body),
  );
  app.delete(
    '/api/v1/maintenance-windows/:id',
    { config: edit, schema: { tags, params: idParams, response: { 204: noContent } } },
    async (req, reply) => {
      await s.noise.deleteWindow(requestActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get('/api/v1/alert-routing', { config: read, schema: { tags, response: { 200: routingReply } } }, () =>
    s.config.getRouting(),
  );
  app.put(
    '/api/v1/alert-routing',
    { config: edit, schema: { tags, body: routingBody, response: { 200: routingReply } } },
    (req) => s.config.putRouting(requestActor(req), req.body),
  );

  app.post(
    '/api/v1/alert-routing/test',
    {
      config: read,
      schema: {
        tags,
        description: 'Which routes would take alerts with these labels: the saved tree, or `route` if given.',
        body: routingTestBody,
        response: { 200: routingTestReply },
      },
    },
    (req) => s.config.testRouting(req.body.labels, req.body.route),
  );

  app.get(
    '/api/v1/integrations',
    { config: read, schema: { tags, response: { 200: list(integrationSchema) } } },
    async () => ({
      items: await s.config.listIntegrations(),
    }),
  );
  app.post(
    '/api/v1/integrations',
    { config: edit, schema: { tags, body: createIntegrationBody, response: { 201: integrationWithSecret } } },
    async (req, reply) =>
      reply.status(201).send(await s.config.createIntegration(requestActor(req), req.body)),
  );
  app.get(
    '/api/v1/integrations/:id',
    { config: read, schema: { tags, params: idParams, response: { 200: integrationSchema } } },
    (req) => s.config.getIntegration(req.params.id),
  );
  app.patch(
    '/api/v1/integrations/:id',
    {
      config: edit,
      schema: { tags, params: idParams, body: updateIntegrationBody, response: { 200: integrationSchema } },
    },
    (req) => s.config.updateIntegration(requestActor(req), req.params.id, req.body),
  );
  app.post(
    '/api/v1/integrations/:id/token',
    {
      config: edit,
      schema: {
        tags,
        description: 'Replaces the token; the old one stops working.',
        params: idParams,
        response: { 200: integrationWithSecret },
      },
    },
    (req) => s.config.rotateToken(requestActor(req), req.params.id),
  );
  app.delete(
    '/api/v1/integrations/:id',
    { config: edit, schema: { tags, params: idParams, response: { 204: noContent } } },
    async (req, reply) => {
      await s.config.deleteIntegration(requestActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
}
