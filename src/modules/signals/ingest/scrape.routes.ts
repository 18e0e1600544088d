import { idParams } from '../../../platform/auth/auth.schemas.ts';
import { access, EDITORS } from '../../../platform/auth/roles.ts';
import { requestActor } from '../../../platform/http/access.ts';
import type { Api } from '../../../platform/http/api.ts';
import { noContent } from '../../../platform/http/api.ts';
import {
  createTargetBody,
  scrapeTargetSchema,
  scrapeTargetsReply,
  updateTargetBody,
} from './ingest.schemas.ts';
import type { ScrapeService } from './scrape.service.ts';

const tags = ['ingest'];

/** Scrape targets: anyone signed in reads them (with each one's last scrape), editors change them. */
export function registerScrapeRoutes(app: Api, scrapes: ScrapeService): void {
  const read = { access: access.anyRole };
  const edit = { access: access.roles(...EDITORS) };

  app.get(
    '/api/v1/scrape-targets',
    { config: read, schema: { tags, response: { 200: scrapeTargetsReply } } },
    async () => ({
      items: await scrapes.list(),
    }),
  );
  app.post(
    '/api/v1/scrape-targets',
    { config: edit, schema: { tags, body: createTargetBody, response: { 201: scrapeTargetSchema } } },
    async (req, reply) => reply.status(201).send(await scrapes.create(requestActor(req), req.body)),
  );
  app.get(
    '/api/v1/scrape-targets/:id',
    { config: read, schema: { tags, params: idParams, response: { 200: scrapeTargetSchema } } },
    (req) => scrapes.get(req.params.id),
  );
  app.patch(
    '/api/v1/scrape-targets/:id',
    {
      config: edit,
      schema: { tags, params: idParams, body: updateTargetBody, response: { 200: scrapeTargetSchema } },
    },
    (req) => scrapes.update(requestActor(req), req.params.id, req.body),
  );
  app.delete(
    '/api/v1/scrape-targets/:id',
    { config: edit, schema: { tags, params: idParams, response: { 204: noContent } } },
    async (req, reply) => {
      await scrapes.delete(requestActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
}
