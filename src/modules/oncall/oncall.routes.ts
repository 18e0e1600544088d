import { z } from 'zod';
import { idParams } from '../../platform/auth/auth.schemas.ts';
import { access, EDITORS } from '../../platform/auth/roles.ts';
import { requestActor } from '../../platform/http/access.ts';
import type { Api } from '../../platform/http/api.ts';
import { noContent } from '../../platform/http/api.ts';
import {
  atQuery,
  createPolicyBody,
  createScheduleBody,
  onCallNowReply,
  onCallNowSchema,
  overrideBody,
  overrideParams,
  overrideSchema,
  overridesReply,
  policiesReply,
  policySchema,
  rangeQuery,
  scheduleSchema,
  schedulesReply,
  shiftsReply,
  updatePolicyBody,
  updateScheduleBody,
} from './oncall.schemas.ts';
import type { OncallService } from './oncall.service.ts';

const tags = ['oncall'];
const DAY = 86_400_000;

export function registerOncallRoutes(app: Api, oncall: OncallService, now: () => number): void {
  const read = { access: access.anyRole };
  const edit = { access: access.roles(...EDITORS) };
  // Responders arrange cover among themselves; the rotation itself is an editor's.
  const cover = { access: access.roles('admin', 'manager', 'responder') };

  app.get(
    '/api/v1/schedules',
    { config: read, schema: { tags, response: { 200: schedulesReply } } },
    async () => ({
      items: await oncall.listSchedules(),
    }),
  );
  app.post(
    '/api/v1/schedules',
    { config: edit, schema: { tags, body: createScheduleBody, response: { 201: scheduleSchema } } },
    async (req, reply) => reply.status(201).send(await oncall.createSchedule(requestActor(req), req.body)),
  );
  app.get(
    '/api/v1/schedules/:id',
    { config: read, schema: { tags, params: idParams, response: { 200: scheduleSchema } } },
    (req) => oncall.getSchedule(req.params.id),
  );
  app.patch(
    '/api/v1/schedules/:id',
    {
      config: edit,
      schema: { tags, params: idParams, body: updateScheduleBody, response: { 200: scheduleSchema } },
    },
    (req) => oncall.updateSchedule(requestActor(req), req.params.id, req.body),
  );
  app.delete(
    '/api/v1/schedules/:id',
    { config: edit, schema: { tags, params: idParams, response: { 204: noContent } } },
    async (req, reply) => {
      await oncall.deleteSchedule(requestActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/v1/schedules/:id/shifts',
    {
      config: read,
      schema: { tags, params: idParams, querystring: rangeQuery, response: { 200: shiftsReply } },
    },
    (req) => oncall.shifts(req.params.id, req.query.from, req.query.to),
  );
  app.get(
    '/api/v1/schedules/:id/oncall',
    {
      config: read,
      schema: { tags, params: idParams, querystring: atQuery, response: { 200: onCallNowSchema } },
    },
    (req) => oncall.onCallAt(req.params.id, req.query.at ?? now()),
  );
  app.get(
    '/api/v1/schedules/:id/calendar.ics',
    {
      config: read,
      schema: {
        tags,
        params: idParams,
        querystring: z.strictObject({ days: z.coerce.number().int().min(1).max(92).default(60) }),
      },
    },
    async (req, reply) => {
      const from = now() - 7 * DAY;
      const body = await oncall.ical(req.params.id, from, from + (req.query.days + 7) * DAY);
      return reply.type('text/calendar; charset=utf-8').send(body);
    },
  );
  app.get(
    '/api/v1/schedules/:id/overrides',
    {
      config: read,
      schema: { tags, params: idParams, querystring: rangeQuery, response: { 200: overridesReply } },
    },
    async (req) => ({ items: await oncall.listOverrides(req.params.id, req.query.from, req.query.to) }),
  );
  app.post(
    '/api/v1/schedules/:id/overrides',
    {
      config: cover,
      schema: { tags, params: idParams, body: overrideBody, response: { 201: overrideSchema } },
    },
    async (req, reply) =>
      reply.status(201).send(await oncall.addOverride(requestActor(req), req.params.id, req.body)),
  );
  app.delete(
    '/api/v1/schedules/:id/overrides/:overrideId',
    { config: cover, schema: { tags, params: overrideParams, response: { 204: noContent } } },
    async (req, reply) => {
      await oncall.removeOverride(requestActor(req), req.params.id, req.params.overrideId);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/v1/oncall',
    { config: read, schema: { tags, querystring: atQuery, response: { 200: onCallNowReply } } },
    (req) => oncall.onCallNow(req.query.at ?? now()),
  );

  app.get(
    '/api/v1/escalation-policies',
    { config: read, schema: { tags, response: { 200: policiesReply } } },
    async () => ({ items: await oncall.listPolicies() }),
  );
  app.post(
    '/api/v1/escalation-policies',
    { config: edit, schema: { tags, body: createPolicyBody, response: { 201: policySchema } } },
    async (req, reply) => reply.status(201).send(await oncall.createPolicy(requestActor(req), req.body)),
  );
  app.get(
    '/api/v1/escalation-policies/:id',
    { config: read, schema: { tags, params: idParams, response: { 200: policySchema } } },
    (req) => oncall.getPolicy(req.params.id),
  );
  app.patch(
    '/api/v1/escalation-policies/:id',
    {
      config: edit,
      schema: { tags, params: idParams, body: updatePolicyBody, response: { 200: policySchema } },
    },
    (req) => oncall.updatePolicy(requestActor(req), req.params.id, req.body),
  );
  app.delete(
    '/api/v1/escalation-policies/:id',
    { config: edit, schema: { tags, params: idParams, response: { 204: noContent } } },
    async (req, reply) => {
      await oncall.deletePolicy(requestActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
}
