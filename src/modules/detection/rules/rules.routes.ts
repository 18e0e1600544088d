import { idParams } from '../../../platform/auth/auth.schemas.ts';
import { access, EDITORS } from '../../../platform/auth/roles.ts';
import { requestActor } from '../../../platform/http/access.ts';
import type { Api } from '../../../platform/http/api.ts';
import { noContent } from '../../../platform/http/api.ts';
import type { Rule } from './rules.schemas.ts';
import {
  previewBody,
  previewReply,
  reviewQuery,
  reviewReply,
  ruleDetailReply,
  ruleInput,
  ruleSchema,
  rulesQuery,
  rulesReply,
} from './rules.schemas.ts';
import type { RulesService } from './rules.service.ts';

const tags = ['rules'];

export interface RulesRoutesDeps {
  rules: RulesService;
  preview(rule: Rule, range: { from?: number | undefined; to?: number | undefined }): Promise<unknown>;
  review(q: {
    from?: number | undefined;
    to?: number | undefined;
    autoResolveMinutes: number;
  }): Promise<unknown>;
}

export function registerRulesRoutes(app: Api, deps: RulesRoutesDeps): void {
  const read = { access: access.anyRole };
  const edit = { access: access.roles(...EDITORS) };
  const { rules } = deps;

  app.get(
    '/api/v1/rules',
    { config: read, schema: { tags, querystring: rulesQuery, response: { 200: rulesReply } } },
    async (req) => ({
      items: await rules.list(req.query),
    }),
  );
  app.post(
    '/api/v1/rules',
    { config: edit, schema: { tags, body: ruleInput, response: { 201: ruleSchema } } },
    async (req, reply) => reply.status(201).send(await rules.create(requestActor(req), req.body)),
  );
  // A preview writes nothing: anyone who may read rules may try one.
  app.post(
    '/api/v1/rules/preview',
    { config: read, schema: { tags, body: previewBody, response: { 200: previewReply } } },
    async (req) =>
      deps.preview(
        { ...req.body.rule, id: 'preview', createdAt: 0, updatedAt: 0 } as Rule,
        req.body,
      ) as never,
  );
  app.get(
    '/api/v1/rules/review',
    { config: read, schema: { tags, querystring: reviewQuery, response: { 200: reviewReply } } },
    async (req) => deps.review(req.query) as never,
  );
  app.get(
    '/api/v1/rules/:id',
    { config: read, schema: { tags, params: idParams, response: { 200: ruleDetailReply } } },
    (req) => rules.get(req.params.id),
  );
  app.put(
    '/api/v1/rules/:id',
    { config: edit, schema: { tags, params: idParams, body: ruleInput, response: { 200: ruleSchema } } },
    (req) => rules.update(requestActor(req), req.params.id, req.body),
  );
  app.delete(
    '/api/v1/rules/:id',
    { config: edit, schema: { tags, params: idParams, response: { 204: noContent } } },
    async (req, reply) => {
      await rules.remove(requestActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
}
