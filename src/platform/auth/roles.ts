/** Roles, from most to least powerful; a route lists exactly the roles it allows. */
export const ROLES = ['admin', 'manager', 'responder', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** What an API token may be used for; console sessions may do whatever their role allows. */
export const SCOPES = ['read', 'write', 'ingest'] as const;
export type Scope = (typeof SCOPES)[number];

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** Who is calling: a console user (session) or a machine (API token acting for its owner). */
export interface Principal {
  kind: 'user' | 'token';
  userId: string;
  username: string;
  displayName: string;
  role: Role;
  locale: Locale;
  /** Null for a session (all scopes); the token's scopes otherwise. */
  scopes: readonly Scope[] | null;
  sessionId: string | null;
  tokenId: string | null;
}

/**
 * The access rule every route must declare (in its `config.access`). A route without one fails at
 * start-up, and the route-walk test checks every rule against every role.
 */
export type Access = { public: true; ownSecret?: true } | { roles: readonly Role[]; scope?: Scope };

export const access = {
  public: { public: true } as Access,
  /**
   * No login, but the route checks a secret of its own (an integration's token, a signed link) and
   * answers 401 without it: senders such as Alertmanager cannot hold a session.
   */
  ownSecret: { public: true, ownSecret: true } as Access,
  anyRole: { roles: ROLES } as Access,
  roles: (...roles: Role[]): Access => ({ roles }),
  ingest: (...roles: Role[]): Access => ({ roles: roles.length ? roles : ROLES, scope: 'ingest' }),
  /** Reads by any method (e.g. a POSTed query) that a token with only the `read` scope may make. */
  read: (...roles: Role[]): Access => ({ roles: roles.length ? roles : ROLES, scope: 'read' }),
};

/** Roles that change configuration (catalog, rules, schedules). */
export const EDITORS: readonly Role[] = ['admin', 'manager'];
