import type { z } from 'zod';
import { idParams } from '../../../platform/auth/auth.schemas.ts';
import { access, EDITORS } from '../../../platform/auth/roles.ts';
import { requestActor } from '../../../platform/http/access.ts';
import { type Api, noContent } from '../../../platform/http/api.ts';
import {
  createdProbe,
  createProbeBody,
  heartbeatParams,
  heartbeatReply,
  probeDetail,
  probeSchema,
  probesQuery,
  probesReply,
  resultsQuery,
  resultsReply,
  runReply,
  updateProbeBody,
} from './probes.schemas.ts';
import type { ProbesService } from './probes.service.ts';

const tags = ['probes'];

export function registerProbeRoutes(app: Api, probes: ProbesService): void {
  const read = { access: access.anyRole };
  const edit = { access: access.roles(...EDITORS) };
  // Running a probe by hand changes nothing but is a step of diagnosing an incident.
  const operate = { access: access.roles('admin', 'manager', 'responder') };

  app.get(
    '/api/v1/probes',
    { config: read, schema: { tags, querystring: probesQuery, response: { 200: probesReply } } },
    (req) => probes.list(req.query),
  );
  app.post(
    '/api/v1/probes',
    { config: edit, schema: { tags, body: createProbeBody, response: { 201: createdProbe } } },
    async (req, reply) => reply.status(201).send(await probes.create(requestActor(req), req.body)),
  );
  app.get(
    '/api/v1/probes/:id',
    { config: read, schema: { tags, params: idParams, response: { 200: probeDetail } } },
    (req) => probes.get(req.params.id),
  );
  app.patch(
    '/api/v1/probes/:id',
    {
      config: edit,
      schema: { tags, params: idParams, body: updateProbeBody, response: { 200: probeDetail } },
    },
    (req) => probes.update(requestActor(req), req.params.id, req.body),
  );
  app.delete(
    '/api/v1/probes/:id',
    { config: edit, schema: { tags, params: idParams, response: { 204: noContent } } },
    async (req, reply) => {
      await probes.delete(requestActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/v1/probes/:id/results',
    {
      config: read,
      schema: { tags, params: idParams, querystring: resultsQuery, response: { 200: resultsReply } },
    },
    async (req) => ({ items: await probes.results(req.params.id, req.query.limit, req.query.onlyFailures) }),
  );
  app.post(
    '/api/v1/probes/:id/run',
    { config: operate, schema: { tags, params: idParams, response: { 200: runReply } } },
    (req) => probes.runNow(req.params.id),
  );
  app.post(
    '/api/v1/probes/:id/pause',
    { config: edit, schema: { tags, params: idParams, response: { 200: probeSchema } } },
    (req) => probes.pause(requestActor(req), req.params.id),
  );
  app.post(
    '/api/v1/probes/:id/resume',
    { config: edit, schema: { tags, params: idParams, response: { 200: probeSchema } } },
    (req) => probes.resume(requestActor(req), req.params.id),
  );

  // The secret URL a batch job calls; the unguessable token is the credential (stored only hashed).
  const ping = {
    config: { access: access.public },
    schema: {
      tags,
      params: heartbeatParams,
      response: { 200: heartbeatReply },
      description: 'Heartbeat from a batch job; GET or POST, any body is ignored.',
    },
  };
  const handler = async (req: { params: z.infer<typeof heartbeatParams> }) => ({
    ok: true as const,
    ...(await probes.heartbeat(req.params.token)),
  });
  app.get('/api/v1/heartbeats/:token', ping, handler);
  app.post('/api/v1/heartbeats/:token', ping, handler);
}
