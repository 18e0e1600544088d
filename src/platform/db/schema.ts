/**
 * Table types as Kysely sees them (camelCase; the CamelCasePlugin maps to snake_case columns).
 * Times are epoch milliseconds; JSON is stored as text on both engines and parsed in the repos.
 * Absence of a state is a null timestamp (`disabledAt`), not a boolean, so both engines read alike.
 */
export interface UsersTable {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  role: string;
  locale: string;
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
  disabledAt: number | null;
}

export interface SessionsTable {
  id: string;
  userId: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
  ip: string | null;
  userAgent: string | null;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  tokenHash: string;
  prefix: string;
  scopes: string;
  userId: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface LoginAttemptsTable {
  id: string;
  username: string;
  ip: string;
  at: number;
  outcome: string;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actorId: string | null;
  actorName: string;
  actorKind: string;
  action: string;
  entityType: string;
  entityId: string | null;
  beforeJson: string | null;
  afterJson: string | null;
  requestId: string | null;
  ip: string | null;
}

export interface JobsTable {
  id: string;
  kind: string;
  payload: string;
  runAt: number;
  attempts: number;
  maxAttempts: number;
  state: string;
  lockedBy: string | null;
  lockedUntil: number | null;
  lastError: string | null;
  dedupeKey: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface TeamsTable {
  id: string;
  name: string;
  description: string;
  createdAt: number;
  updatedAt: number;
}

export interface TeamMembersTable {
  teamId: string;
  userId: string;
  role: string;
  createdAt: number;
}

export interface ServicesTable {
  id: string;
  name: string;
  description: string;
  ownerTeamId: string | null;
  tier: number;
  tags: string;
  links: string;
  createdAt: number;
  updatedAt: number;
}

export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  apiTokens: ApiTokensTable;
  loginAttempts: LoginAttemptsTable;
  auditLog: AuditLogTable;
  jobs: JobsTable;
  teams: TeamsTable;
  teamMembers: TeamMembersTable;
  services: ServicesTable;
}
