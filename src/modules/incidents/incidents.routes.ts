import { access, EDITORS } from '../../platform/auth/roles.ts';
import { requestActor } from '../../platform/http/access.ts';
import type { Api } from '../../platform/http/api.ts';
import {
  actionItemBody,
  actionItemParams,
  alertsReply,
  assignBody,
  createIncidentBody,
  figuresQuery,
  figuresReply,
  incidentParams,
  incidentSchema,
  incidentsReply,
  listQuery,
  mergeBody,
  noteBody,
  reasonBody,
  reviewBody,
  reviewSchema,
  serviceBody,
  severitiesReply,
  severityBody,
  severityParams,
  severitySettingBody,
  severitySettingSchema,
  timelineReply,
  updateActionItemBody,
} from './incidents.schemas.ts';
import type { IncidentsService } from './incidents.service.ts';
import type { ReviewService } from './review.service.ts';
import type { SettingsService } from './settings.service.ts';

const tags = ['incidents'];

export interface IncidentRouteDeps {
  incidents: IncidentsService;
  reviews: ReviewService;
  settings: SettingsService;
}

export function registerIncidentRoutes(app: Api, deps: IncidentRouteDeps): void {
  const { incidents, reviews, settings } = deps;
  const read = { access: access.anyRole };
  // Responding is the responders' work; agents and viewers follow along.
  const respond = { access: access.roles('admin', 'manager', 'responder') };
  const edit = { access: access.roles(...EDITORS) };
  const one = { params: incidentParams, response: { 200: incidentSchema } };

  app.get(
    '/api/v1/incidents',
    { config: read, schema: { tags, querystring: listQuery, response: { 200: incidentsReply } } },
    (req) => incidents.list(req.query),
  );
  app.post(
    '/api/v1/incidents',
    { config: respond, schema: { tags, body: createIncidentBody, response: { 201: incidentSchema } } },
    async (req, reply) => reply.status(201).send(await incidents.create(requestActor(req), req.body)),
  );
  app.get('/api/v1/incidents/:id', { config: read, schema: { tags, ...one } }, (req) =>
    incidents.get(req.params.id),
  );
  app.get(
    '/api/v1/incidents/:id/timeline',
    { config: read, schema: { tags, params: incidentParams, response: { 200: timelineReply } } },
    async (req) => ({ items: await incidents.timeline(req.params.id) }),
  );
  app.get(
    '/api/v1/incidents/:id/alerts',
    { config: read, schema: { tags, params: incidentParams, response: { 200: alertsReply } } },
    async (req) => ({ items: await incidents.alerts(req.params.id) }),
  );

  const action = (
    name: string,
    run: (
      req: { id: string; note?: string | undefined },
      actor: ReturnType<typeof requestActor>,
    ) => Promise<unknown>,
  ) =>
    app.post(
      `/api/v1/incidents/:id/${name}`,
      {
        config: respond,
        schema: {
          tags,
          params: incidentParams,
          body: reasonBody.optional(),
          response: { 200: incidentSchema },
        },
      },
      (req) => run({ id: req.params.id, note: req.body?.note }, requestActor(req)) as never,
    );
  action('acknowledge', (r, actor) => incidents.acknowledge(actor, r.id));
  action('resolve', (r, actor) => incidents.resolve(actor, r.id, r.note));
  action('reopen', (r, actor) => incidents.reopen(actor, r.id, r.note));
  action('close', (r, actor) => incidents.close(actor, r.id, r.note));
  action('escalate', (r, actor) => incidents.escalate(actor, r.id, r.note));

  app.post(
    '/api/v1/incidents/:id/notes',
    { config: respond, schema: { tags, ...one, body: noteBody } },
    (req) => incidents.addNote(requestActor(req), req.params.id, req.body.text),
  );
  app.put(
    '/api/v1/incidents/:id/severity',
    { config: respond, schema: { tags, ...one, body: severityBody } },
    (req) => incidents.setSeverity(requestActor(req), req.params.id, req.body.severity, req.body.note),
  );
  app.put(
    '/api/v1/incidents/:id/assignment',
    { config: respond, schema: { tags, ...one, body: assignBody } },
    (req) => incidents.assign(requestActor(req), req.params.id, req.body),
  );
  app.put(
    '/api/v1/incidents/:id/service',
    { config: respond, schema: { tags, ...one, body: serviceBody } },
    (req) => incidents.setService(requestActor(req), req.params.id, req.body.serviceId, req.body.teamId),
  );
  app.post(
    '/api/v1/incidents/:id/merge',
    { config: respond, schema: { tags, ...one, body: mergeBody } },
    (req) => incidents.merge(requestActor(req), req.params.id, req.body.childIds),
  );

  app.get(
    '/api/v1/incidents/:id/review',
    { config: read, schema: { tags, params: incidentParams, response: { 200: reviewSchema } } },
    (req) => reviews.get(req.params.id),
  );
  app.put(
    '/api/v1/incidents/:id/review',
    {
      config: respond,
      schema: { tags, params: incidentParams, body: reviewBody, response: { 200: reviewSchema } },
    },
    (req) => reviews.save(requestActor(req), req.params.id, req.body),
  );
  app.post(
    '/api/v1/incidents/:id/review/action-items',
    {
      config: respond,
      schema: { tags, params: incidentParams, body: actionItemBody, response: { 200: reviewSchema } },
    },
    (req) => reviews.addItem(requestActor(req), req.params.id, req.body),
  );
  app.patch(
    '/api/v1/incidents/:id/review/action-items/:itemId',
    {
      config: respond,
      schema: { tags, params: actionItemParams, body: updateActionItemBody, response: { 200: reviewSchema } },
    },
    (req) => reviews.updateItem(requestActor(req), req.params.id, req.params.itemId, req.body),
  );

  app.get(
    '/api/v1/incident-figures',
    { config: read, schema: { tags, querystring: figuresQuery, response: { 200: figuresReply } } },
    (req) => settings.figures(req.query),
  );
  app.get(
    '/api/v1/incident-severities',
    { config: read, schema: { tags, response: { 200: severitiesReply } } },
    async () => ({ items: await settings.listSeverities() }),
  );
  app.put(
    '/api/v1/incident-severities/:severity',
    {
      config: edit,
      schema: {
        tags,
        params: severityParams,
        body: severitySettingBody,
        response: { 200: severitySettingSchema },
      },
    },
    (req) => settings.updateSeverity(requestActor(req), req.params.severity, req.body),
  );
}
