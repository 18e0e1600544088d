import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { constraintConflict } from '../db/constraint-errors.ts';
import { AppError } from '../errors.ts';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/**
 * One place turns every error into a reply `{ error: { code, message, details } }`. Bad input is a 4xx
 * that says what was wrong; only a fault of ours is a 500, and its cause goes to the log, not the client.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const send = (status: number, code: string, message: string, details?: Record<string, unknown>) => {
      const retry = details?.retryAfterSeconds;
      if (typeof retry === 'number') reply.header('retry-after', String(retry));
      return reply
        .status(status)
        .send({ error: { code, message, ...(details ? { details } : {}) } } satisfies ErrorBody);
    };

    if (err instanceof AppError) return send(err.status, err.code, err.message, err.details);

    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => {
        // `body.links.0.url`; an issue with the whole object (an unknown key, a wrong type) is just `body`.
        const where = err.validationContext ?? 'body';
        const field = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
        return { path: field ? `${where}.${field}` : where, message: v.message ?? 'invalid' };
      });
      const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      return send(400, 'validation_failed', `Invalid request: ${summary}`, { issues });
    }

    const conflictError = constraintConflict(err);
    if (conflictError) return send(409, conflictError.code, conflictError.message, conflictError.details);

    if (isResponseSerializationError(err)) {
      req.log.error({ err, issues: err.cause.issues }, 'reply did not match its schema');
      return send(500, 'internal', 'Internal error');
    }

    // Fastify's own 4xx: malformed JSON, too large, unsupported media type, and the like.
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = (err.code ?? 'bad_request').replace(/^FST_ERR_/, '').toLowerCase();
      if (status === 415) {
        const type = req.headers['content-type'] ?? 'none';
        return send(415, code, `Unsupported Content-Type "${type}": send the body as application/json`);
      }
      if (status === 413) {
        const limit = req.routeOptions.bodyLimit;
        return send(413, code, `Request body is too large (the limit is ${limit} bytes)`, { limit });
      }
      return send(status, code, err.message);
    }
    req.log.error({ err }, 'unhandled error');
    return send(500, 'internal', 'Internal error');
  });

  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      error: { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}` },
    } satisfies ErrorBody),
  );
}
