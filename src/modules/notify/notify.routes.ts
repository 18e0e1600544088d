import { z } from 'zod';
import { idParams } from '../../platform/auth/auth.schemas.ts';
import { access, EDITORS } from '../../platform/auth/roles.ts';
import { principalOf, requestActor } from '../../platform/http/access.ts';
import type { Api } from '../../platform/http/api.ts';
import { noContent } from '../../platform/http/api.ts';
import {
  channelSchema,
  channelsReply,
  contactBody,
  contactSchema,
  createChannelBody,
  messageDetail,
  messageQueued,
  messagesQuery,
  messagesReply,
  myNotifyReply,
  rulesBody,
  rulesReply,
  testMessageBody,
  updateChannelBody,
} from './notify.schemas.ts';
import type { NotifyService } from './notify.service.ts';

const tags = ['notify'];
const contactParams = z.strictObject({ id: z.uuid() });
const myTestBody = z.object({ channelId: z.uuid() });

export function registerNotifyRoutes(app: Api, notify: NotifyService): void {
  const read = { access: access.anyRole };
  const edit = { access: access.roles(...EDITORS) };
  const self = { access: access.anyRole };

  app.get(
    '/api/v1/notify/channels',
    { config: read, schema: { tags, response: { 200: channelsReply } } },
    async () => ({
      items: await notify.listChannels(),
    }),
  );
  app.post(
    '/api/v1/notify/channels',
    { config: edit, schema: { tags, body: createChannelBody, response: { 201: channelSchema } } },
    async (req, reply) => reply.status(201).send(await notify.createChannel(requestActor(req), req.body)),
  );
  app.get(
    '/api/v1/notify/channels/:id',
    { config: read, schema: { tags, params: idParams, response: { 200: channelSchema } } },
    (req) => notify.getChannel(req.params.id),
  );
  app.patch(
    '/api/v1/notify/channels/:id',
    {
      config: edit,
      schema: { tags, params: idParams, body: updateChannelBody, response: { 200: channelSchema } },
    },
    (req) => notify.updateChannel(requestActor(req), req.params.id, req.body),
  );
  app.delete(
    '/api/v1/notify/channels/:id',
    { config: edit, schema: { tags, params: idParams, response: { 204: noContent } } },
    async (req, reply) => {
      await notify.deleteChannel(requestActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/v1/notify/channels/:id/test',
    {
      config: edit,
      schema: { tags, params: idParams, body: testMessageBody, response: { 202: messageQueued } },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const messageId = await notify.sendTest(
        { userId: p.userId, name: p.displayName },
        req.params.id,
        req.body.to,
      );
      return reply.status(202).send({ messageId });
    },
  );

  app.get(
    '/api/v1/notify/messages',
    { config: read, schema: { tags, querystring: messagesQuery, response: { 200: messagesReply } } },
    async (req) => ({ items: await notify.listMessages(req.query) }),
  );
  app.get(
    '/api/v1/notify/messages/:id',
    { config: read, schema: { tags, params: idParams, response: { 200: messageDetail } } },
    (req) => notify.getMessage(req.params.id),
  );

  app.get(
    '/api/v1/notify/me',
    { config: self, schema: { tags, response: { 200: myNotifyReply } } },
    async (req) => {
      const { userId } = principalOf(req);
      const own = await notify.rules(`user:${userId}`);
      const effective = own.rules.length ? null : await notify.effectiveRules(userId);
      return {
        contacts: await notify.myContacts(userId),
        rules: own.rules.length ? own.rules : (effective?.rules ?? []),
        rulesFromTeam: effective?.from ?? null,
      };
    },
  );
  app.post(
    '/api/v1/notify/me/contacts',
    { config: self, schema: { tags, body: contactBody, response: { 201: contactSchema } } },
    async (req, reply) =>
      reply.status(201).send(await notify.addContact(requestActor(req), principalOf(req).userId, req.body)),
  );
  app.delete(
    '/api/v1/notify/me/contacts/:id',
    { config: self, schema: { tags, params: contactParams, response: { 204: noContent } } },
    async (req, reply) => {
      await notify.removeContact(requestActor(req), principalOf(req).userId, req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.put(
    '/api/v1/notify/me/rules',
    { config: self, schema: { tags, body: rulesBody, response: { 200: rulesReply } } },
    (req) => notify.setRules(requestActor(req), `user:${principalOf(req).userId}`, req.body.rules),
  );
  app.post(
    '/api/v1/notify/me/test',
    { config: self, schema: { tags, body: myTestBody, response: { 202: messageQueued } } },
    async (req, reply) => {
      const p = principalOf(req);
      const messageId = await notify.sendTest(
        { userId: p.userId, name: p.displayName },
        req.body.channelId,
        undefined,
      );
      return reply.status(202).send({ messageId });
    },
  );

  app.get(
    '/api/v1/notify/teams/:id/rules',
    { config: read, schema: { tags, params: idParams, response: { 200: rulesReply } } },
    async (req) => {
      await notify.ensureTeam(req.params.id);
      return notify.rules(`team:${req.params.id}`);
    },
  );
  app.put(
    '/api/v1/notify/teams/:id/rules',
    { config: edit, schema: { tags, params: idParams, body: rulesBody, response: { 200: rulesReply } } },
    async (req) => {
      await notify.ensureTeam(req.params.id);
      return notify.setRules(requestActor(req), `team:${req.params.id}`, req.body.rules);
    },
  );
}
