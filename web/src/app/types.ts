/**
 * API types. Where the server exports its zod schemas, the console uses their inferred types (type-only
 * imports: nothing from src/ is bundled), so a change to a schema breaks `npm run typecheck` here too.
 */
import type { z } from 'zod';
import type {
  createServiceBody,
  createTeamBody,
  Service,
  Team,
  updateServiceBody,
} from '../../../src/modules/catalog/catalog.schemas.ts';
import type {
  ApiToken,
  createTokenBody,
  createUserBody,
  User,
  updateMeBody,
  updateUserBody,
} from '../../../src/platform/auth/auth.schemas.ts';
import type { Locale, Role, Scope } from '../../../src/platform/auth/roles.ts';

export type { ApiToken, Locale, Role, Scope, Service, Team, User };
export type TeamMember = Team['members'][number];
export type TeamRole = TeamMember['role'];

export type CreateUserInput = z.input<typeof createUserBody>;
export type UpdateUserInput = z.input<typeof updateUserBody>;
export type UpdateMeInput = z.input<typeof updateMeBody>;
export type CreateTokenInput = z.input<typeof createTokenBody>;
export type CreateTeamInput = z.input<typeof createTeamBody>;
export type CreateServiceInput = z.input<typeof createServiceBody>;
export type UpdateServiceInput = z.input<typeof updateServiceBody>;

export interface Session {
  user: User;
  csrfToken: string;
}

export interface ListReply<T> {
  items: T[];
}

/** GET /api/v1/audit (the route does not export its schema). */
export interface AuditEntry {
  id: string;
  at: number;
  actorId: string | null;
  actorName: string;
  actorKind: string;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  ip: string | null;
}

export interface AuditPage {
  items: AuditEntry[];
  nextBefore: string | null;
}

export const ROLES: readonly Role[] = ['admin', 'manager', 'responder', 'agent', 'viewer'];
export const SCOPES: readonly Scope[] = ['read', 'write', 'ingest'];
export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];
