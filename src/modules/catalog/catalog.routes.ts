import { idParams } from '../../platform/auth/auth.schemas.ts';
import { access, EDITORS } from '../../platform/auth/roles.ts';
import { requestActor } from '../../platform/http/access.ts';
import type { Api } from '../../platform/http/api.ts';
import { noContent } from '../../platform/http/api.ts';
import {
  createServiceBody,
  createTeamBody,
  memberBody,
  memberParams,
  serviceSchema,
  servicesQuery,
  servicesReply,
  teamSchema,
  teamsReply,
  updateServiceBody,
  updateTeamBody,
} from './catalog.schemas.ts';
import type { CatalogService } from './catalog.service.ts';

const tags = ['catalog'];

export function registerCatalogRoutes(app: Api, catalog: CatalogService): void {
  const read = { access: access.anyRole };
  const edit = { access: access.roles(...EDITORS) };

  app.get('/api/v1/teams', { config: read, schema: { tags, response: { 200: teamsReply } } }, async () => ({
    items: await catalog.listTeams(),
  }));
  app.post(
    '/api/v1/teams',
    { config: edit, schema: { tags, body: createTeamBody, response: { 201: teamSchema } } },
    async (req, reply) => reply.status(201).send(await catalog.createTeam(requestActor(req), req.body)),
  );
  app.get(
    '/api/v1/teams/:id',
    { config: read, schema: { tags, params: idParams, response: { 200: teamSchema } } },
    (req) => catalog.getTeam(req.params.id),
  );
  app.patch(
    '/api/v1/teams/:id',
    { config: edit, schema: { tags, params: idParams, body: updateTeamBody, response: { 200: teamSchema } } },
    (req) => catalog.updateTeam(requestActor(req), req.params.id, req.body),
  );
  app.delete(
    '/api/v1/teams/:id',
    { config: edit, schema: { tags, params: idParams, response: { 204: noContent } } },
    async (req, reply) => {
      await catalog.deleteTeam(requestActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.put(
    '/api/v1/teams/:id/members/:userId',
    { config: edit, schema: { tags, params: memberParams, body: memberBody, response: { 200: teamSchema } } },
    (req) => catalog.setMember(requestActor(req), req.params.id, req.params.userId, req.body.role),
  );
  app.delete(
    '/api/v1/teams/:id/members/:userId',
    { config: edit, schema: { tags, params: memberParams, response: { 200: teamSchema } } },
    (req) => catalog.removeMember(requestActor(req), req.params.id, req.params.userId),
  );

  app.get(
    '/api/v1/services',
    { config: read, schema: { tags, querystring: servicesQuery, response: { 200: servicesReply } } },
    async (req) => ({ items: await catalog.listServices(req.query) }),
  );
  app.post(
    '/api/v1/services',
    { config: edit, schema: { tags, body: createServiceBody, response: { 201: serviceSchema } } },
    async (req, reply) => reply.status(201).send(await catalog.createService(requestActor(req), req.body)),
  );
  app.get(
    '/api/v1/services/:id',
    { config: read, schema: { tags, params: idParams, response: { 200: serviceSchema } } },
    (req) => catalog.getService(req.params.id),
  );
  app.patch(
    '/api/v1/services/:id',
    {
      config: edit,
      schema: { tags, params: idParams, body: updateServiceBody, response: { 200: serviceSchema } },
    },
    (req) => catalog.updateService(requestActor(req), req.params.id, req.body),
  );
  app.delete(
    '/api/v1/services/:id',
    { config: edit, schema: { tags, params: idParams, response: { 204: noContent } } },
    async (req, reply) => {
      await catalog.deleteService(requestActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
}
