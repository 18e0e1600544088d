import type { Role, User } from './types';

/**
 * What a role may do in the console; mirrors the access rules of the API routes so the console hides
 * what the server would refuse (the server still decides).
 */
const RULES = {
  /** Catalog (teams, services) and, later, rules and schedules: src/platform/auth/roles.ts EDITORS. */
  editCatalog: ['admin', 'manager'],
  manageUsers: ['admin'],
  viewAudit: ['admin', 'manager'],
  viewAllTokens: ['admin'],
  /** Acknowledge, resolve, escalate, note, review: the incident routes' responders. */
  respond: ['admin', 'manager', 'responder'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof RULES;

export const can = (user: Pick<User, 'role'> | null | undefined, permission: Permission): boolean =>
  !!user && (RULES[permission] as readonly Role[]).includes(user.role);
