import type { Config } from '../../config.ts';
import { principalOf, requestActor, SESSION_COOKIE } from '../http/access.ts';
import { type Api, noContent } from '../http/api.ts';
import {
  changePasswordBody,
  createdTokenReply,
  createTokenBody,
  createUserBody,
  idParams,
  loginBody,
  resetPasswordBody,
  sessionReply,
  tokensQuery,
  tokensReply,
  updateMeBody,
  updateUserBody,
  userSchema,
  usersReply,
} from './auth.schemas.ts';
import type { AuthService } from './auth.service.ts';
import { access } from './roles.ts';
import type { UsersService } from './users.service.ts';

export interface AuthRoutesDeps {
  auth: AuthService;
  users: UsersService;
  config: Pick<Config, 'publicUrl' | 'sessionTtlHours'>;
}

/** Session (login/logout), the caller's own account, user administration and API tokens. */
export function registerAuthRoutes(app: Api, { auth, users, config }: AuthRoutesDeps): void {
  const secure = config.publicUrl.startsWith('https:');
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure };
  const tags = ['auth'];
  const admin = { access: access.roles('admin') };
  const anyone = { access: access.anyRole };

  app.post(
    '/api/v1/session',
    { config: { access: access.public }, schema: { tags, body: loginBody, response: { 200: sessionReply } } },
    async (req, reply) => {
      const { token, csrfToken, user } = await auth.login(
        req.body.username,
        req.body.password,
        req.ip,
        req.headers['user-agent'] ?? null,
      );
      // Secure also when this request itself came over TLS (behind a proxy with trustProxy).
      reply.setCookie(SESSION_COOKIE, token, {
        ...cookieOptions,
        secure: secure || req.protocol === 'https',
        maxAge: config.sessionTtlHours * 3600,
      });
      return { user, csrfToken };
    },
  );
  app.get(
    '/api/v1/session',
    { config: anyone, schema: { tags, response: { 200: sessionReply } } },
    async (req) => {
      const principal = principalOf(req);
      return { user: await users.get(principal.userId), csrfToken: await auth.csrfTokenOf(principal) };
    },
  );
  app.delete(
    '/api/v1/session',
    { config: anyone, schema: { tags, response: { 204: noContent } } },
    async (req, reply) => {
      const { sessionId } = principalOf(req);
      if (sessionId) await auth.logout(sessionId);
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return reply.status(204).send(null);
    },
  );

  app.patch(
    '/api/v1/me',
    { config: anyone, schema: { tags, body: updateMeBody, response: { 200: userSchema } } },
    (req) => users.updateMe(principalOf(req), req.body),
  );
  app.post(
    '/api/v1/me/password',
    { config: anyone, schema: { tags, body: changePasswordBody, response: { 204: noContent } } },
    async (req, reply) => {
      await users.changeOwnPassword(principalOf(req), req.body.currentPassword, req.body.newPassword);
      return reply.status(204).send(null);
    },
  );

  app.get('/api/v1/users', { config: anyone, schema: { tags, response: { 200: usersReply } } }, async () => ({
    items: await users.list(),
  }));
  app.post(
    '/api/v1/users',
    { config: admin, schema: { tags, body: createUserBody, response: { 201: userSchema } } },
    async (req, reply) => reply.status(201).send(await users.create(requestActor(req), req.body)),
  );
  app.get(
    '/api/v1/users/:id',
    { config: anyone, schema: { tags, params: idParams, response: { 200: userSchema } } },
    (req) => users.get(req.params.id),
  );
  app.patch(
    '/api/v1/users/:id',
    {
      config: admin,
      schema: { tags, params: idParams, body: updateUserBody, response: { 200: userSchema } },
    },
    (req) => users.update(requestActor(req), req.params.id, req.body),
  );
  app.post(
    '/api/v1/users/:id/disable',
    { config: admin, schema: { tags, params: idParams, response: { 200: userSchema } } },
    (req) => users.setDisabled(requestActor(req), req.params.id, true),
  );
  app.post(
    '/api/v1/users/:id/enable',
    { config: admin, schema: { tags, params: idParams, response: { 200: userSchema } } },
    (req) => users.setDisabled(requestActor(req), req.params.id, false),
  );
  app.post(
    '/api/v1/users/:id/password',
    {
      config: admin,
      schema: { tags, params: idParams, body: resetPasswordBody, response: { 204: noContent } },
    },
    async (req, reply) => {
      await users.resetPassword(requestActor(req), req.params.id, req.body.newPassword);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/tokens',
    { config: anyone, schema: { tags, querystring: tokensQuery, response: { 200: tokensReply } } },
    async (req) => ({ items: await users.listTokens(principalOf(req), req.query.all === 'true') }),
  );
  app.post(
    '/api/v1/tokens',
    { config: anyone, schema: { tags, body: createTokenBody, response: { 201: createdTokenReply } } },
    async (req, reply) =>
      reply.status(201).send(await users.createToken(principalOf(req), requestActor(req), req.body)),
  );
  app.delete(
    '/api/v1/tokens/:id',
    { config: anyone, schema: { tags, params: idParams, response: { 204: noContent } } },
    async (req, reply) => {
      await users.revokeToken(principalOf(req), requestActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
}
