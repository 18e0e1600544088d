// The cookie plugin's request typing (req.cookies), for any program that compiles this file.
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../audit/audit.repo.ts';
import { type AuthService, actorOf } from '../auth/auth.service.ts';
import type { Access, Principal, Scope } from '../auth/roles.ts';
import { safeEqual } from '../auth/secrets.ts';
import { AppError, forbidden, unauthorized } from '../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every route: who may call it (see platform/auth/roles.ts). */
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const SESSION_COOKIE = 'steady_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The scope a token needs when a route does not name one: reads need `read`, everything else `write`. */
const scopeFor = (method: string, a: Access): Scope =>
  'scope' in a && a.scope ? a.scope : SAFE_METHODS.has(method) ? 'read' : 'write';

/** A registered route and the access rule it declared (none: a public, non-API route). */
export interface RouteAccess {
  method: string;
  url: string;
  access: Access | undefined;
}

/**
 * Authenticates every request (session cookie or bearer token) and enforces the route's declared access
 * rule before the body is parsed. Routes under /api must declare a rule, or start-up fails. Install it
 * before any route is registered: it returns the list of every route registered afterwards with its rule
 * (the route-walk test checks each against every role).
 */
export function installAccessControl(app: FastifyInstance, auth: AuthService): readonly RouteAccess[] {
  const routes: RouteAccess[] = [];
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    // The OpenAPI document and its UI are public by design; every other /api route must say who may call it.
    if (route.url.startsWith('/api/docs')) route.config = { ...route.config, access: { public: true } };
    if (route.url.startsWith('/api/') && !route.config?.access) {
      throw new Error(`Route ${route.method} ${route.url} declares no access rule (config.access)`);
    }
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, access: route.config?.access });
    }
  });

  app.addHook('onRequest', async (req) => {
    const rule = req.routeOptions.config?.access;
    if (!rule || 'public' in rule) return;
    const principal = await authenticate(req, auth, 'scope' in rule && rule.scope === 'ingest');
    if (!principal) throw unauthorized();
    req.principal = principal;
    if (!rule.roles.includes(principal.role)) throw forbidden();
    const needed = scopeFor(req.method, rule);
    if (principal.scopes && !principal.scopes.includes(needed)) {
      throw new AppError(403, 'insufficient_scope', `This API token lacks the "${needed}" scope`);
    }
  });

  return routes;
}

/**
 * Ingestion routes also take HTTP Basic with the API token as the password (any user name): many agents
 * (Telegraf, older exporters, some collectors) can only send Basic credentials.
 */
function basicPassword(secret: string | undefined): string | undefined {
  if (!secret) return undefined;
  const decoded = Buffer.from(secret, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) || undefined : undefined;
}

async function authenticate(
  req: FastifyRequest,
  auth: AuthService,
  allowBasic: boolean,
): Promise<Principal | undefined> {
  const header = req.headers.authorization;
  if (header) {
    const [kind, credentials] = header.split(' ');
    const basic = allowBasic && kind?.toLowerCase() === 'basic';
    const secret = basic ? basicPassword(credentials) : credentials;
    if ((!basic && kind?.toLowerCase() !== 'bearer') || !secret)
      throw unauthorized(
        allowBasic
          ? 'Authorization must be "Bearer <token>" or Basic with the token as password'
          : 'Authorization must be "Bearer <token>"',
      );
    const principal = await auth.authenticateToken(secret);
    if (!principal) throw unauthorized('The API token is unknown, revoked or expired');
    return principal;
  }
  const cookie = req.cookies[SESSION_COOKIE];
  if (!cookie) return undefined;
  const session = await auth.authenticateSession(cookie);
  if (!session) return undefined;
  // Cookies ride along on cross-site requests; a write must also carry the token only our page can read.
  const csrf = req.headers['x-csrf-token'];
  if (!SAFE_METHODS.has(req.method) && (typeof csrf !== 'string' || !safeEqual(csrf, session.csrfToken))) {
    throw new AppError(403, 'csrf', 'Missing or wrong X-CSRF-Token header for a cookie-authenticated write');
  }
  return session.principal;
}

/** The authenticated caller; only for routes whose rule is not public. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthorized();
  return req.principal;
}

/** The audit actor for a request. */
export const requestActor = (req: FastifyRequest): Actor => actorOf(principalOf(req), req.id, req.ip);
