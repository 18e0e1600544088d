import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors.ts';

/** Where the first string (or object key) holding U+0000 is, as `body.tags.0`; iterative, so depth is no risk. */
export function findNulCharacter(value: unknown, root: string): string | undefined {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [v, path] = stack.pop() as [unknown, string];
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return path;
    } else if (ArrayBuffer.isView(v)) {
      // A raw body (remote_write, OTLP protobuf) is bytes, checked by its decoder; not walked byte by byte.
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        stack.push([item, `${path}.${i}`]);
      });
    } else if (v && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        if (key.includes('\u0000')) return path;
        stack.push([item, `${path}.${key}`]);
      }
    }
  }
  return undefined;
}

/**
 * PostgreSQL text cannot hold the NUL character (SQLite can, and would keep it): refuse it in every path
 * parameter, query parameter and body before validation, the same on both engines, as a 400 that names
 * the field, instead of a 500 from the database.
 */
export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    const parts: [string, unknown][] = [
      ['params', req.params],
      ['querystring', req.query],
      ['body', req.body],
    ];
    for (const [where, value] of parts) {
      const path = findNulCharacter(value, where);
      if (path) {
        const message = 'must not contain the NUL character (\\u0000)';
        throw badRequest(`Invalid request: ${path}: ${message}`, { issues: [{ path, message }] });
      }
    }
  });
}
