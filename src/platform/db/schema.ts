import type { Generated } from 'kysely';

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

export interface IncidentSeveritiesTable {
  severity: string;
  ackMinutes: number;
  resolveMinutes: number;
  retriggerMinutes: number | null;
  updatedAt: number;
}

export interface IncidentCountersTable {
  name: string;
  value: number;
}

export interface IncidentsTable {
  id: string;
  number: number;
  title: string;
  description: string;
  severity: string;
  state: string;
  source: string;
  groupKey: string | null;
  openGroupKey: string | null;
  serviceId: string | null;
  teamId: string | null;
  assigneeId: string | null;
  commanderId: string | null;
  parentId: string | null;
  escalationSnapshot: string | null;
  escalationGen: number;
  escalationRound: number;
  escalationStep: number;
  escalationLastAt: number | null;
  escalationNextAt: number | null;
  createdAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  closedAt: number | null;
  ackDueAt: number;
  resolveDueAt: number;
  ackBreachedAt: number | null;
  resolveBreachedAt: number | null;
}

export interface IncidentAlertsTable {
  incidentId: string;
  alertId: string;
  fingerprint: string;
  status: string;
  labels: string;
  annotations: string;
  startsAt: number;
  endsAt: number | null;
  attachedAt: number;
  updatedAt: number;
}

export interface IncidentEventsTable {
  id: string;
  incidentId: string;
  at: number;
  kind: string;
  actorId: string | null;
  actorName: string;
  data: string;
  dedupeKey: string | null;
}

export interface IncidentReviewsTable {
  incidentId: string;
  summary: string;
  customerImpact: string;
  timeline: string;
  rootCause: string;
  contributingFactors: string;
  wentWell: string;
  wentBadly: string;
  completedAt: number | null;
  updatedAt: number;
}

export interface IncidentActionItemsTable {
  id: string;
  incidentId: string;
  title: string;
  ownerId: string | null;
  dueAt: number | null;
  state: string;
  doneAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface OncallSchedulesTable {
  id: string;
  name: string;
  description: string;
  timeZone: string;
  teamId: string | null;
  layers: string;
  createdAt: number;
  updatedAt: number;
}

export interface OncallOverridesTable {
  id: string;
  scheduleId: string;
  userId: string;
  replacesUserId: string | null;
  startsAt: number;
  endsAt: number;
  note: string;
  createdAt: number;
}

export interface EscalationPoliciesTable {
  id: string;
  name: string;
  description: string;
  teamId: string | null;
  steps: string;
  repeat: number;
  createdAt: number;
  updatedAt: number;
}

export interface ProbesTable {
  id: string;
  name: string;
  kind: string;
  serviceId: string | null;
  intervalSeconds: number;
  timeoutMs: number;
  retries: number;
  labels: string;
  settings: string;
  heartbeatTokenHash: string | null;
  pausedAt: number | null;
  state: string;
  stateSince: number;
  stateReason: string | null;
  consecutiveFailures: number;
  lastSlotAt: number | null;
  lastRunAt: number | null;
  lastOk: number | null;
  lastDurationMs: number | null;
  lastStatusCode: number | null;
  lastTlsDaysLeft: number | null;
  lastReason: string | null;
  lastHeartbeatAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ProbeResultsTable {
  id: string;
  probeId: string;
  at: number;
  ok: number;
  state: string;
  durationMs: number;
  statusCode: number | null;
  tlsDaysLeft: number | null;
  reason: string | null;
  manual: number;
}

export interface ProbeEventsTable {
  id: string;
  probeId: string;
  at: number;
  fromState: string;
  toState: string;
  reason: string | null;
}

export interface AlertIntegrationsTable {
  id: string;
  name: string;
  kind: string;
  tokenHash: string;
  tokenPrefix: string;
  defaultSeverity: string;
  severityLabel: string;
  severityMap: string;
  resolveTimeoutSeconds: number | null;
  mapping: string | null;
  disabledAt: number | null;
  lastReceivedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface AlertsTable {
  id: string;
  fingerprint: string;
  activeKey: string | null;
  integrationId: string | null;
  source: string;
  status: string;
  severity: string;
  title: string;
  labels: string;
  annotations: string;
  generatorUrl: string | null;
  startsAt: number;
  endsAt: number | null;
  resolvedAt: number | null;
  lastSeenAt: number;
  receiveCount: number;
  suppressed: string | null;
  suppressedBy: string | null;
  serviceId: string | null;
  teamId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface AlertEventsTable {
  id: string;
  alertId: string;
  at: number;
  kind: string;
  detail: string;
}

export interface AlertGroupsTable {
  groupKey: string;
  routeId: string;
  labels: string;
  serviceId: string | null;
  teamId: string | null;
  escalationPolicyId: string | null;
  severityOverride: string | null;
  groupWaitMs: number;
  groupIntervalMs: number;
  lastFlushAt: number | null;
  nextFlushAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface AlertGroupMembersTable {
  groupKey: string;
  alertId: string;
  version: number;
  flushedVersion: number;
  joinedAt: number;
  handedAt: number | null;
}

export interface SilencesTable {
  id: string;
  matchers: string;
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
  createdById: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface MaintenanceWindowsTable {
  id: string;
  name: string;
  matchers: string;
  timeZone: string;
  start: string;
  durationMinutes: number;
  recurrence: string;
  weekdays: string;
  until: string | null;
  comment: string;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface AlertRoutingTable {
  id: string;
  config: string;
  updatedAt: number;
  updatedBy: string;
}

export interface AlertRulesTable {
  id: string;
  name: string;
  kind: string;
  spec: string;
  labels: string;
  severity: string;
  summary: string;
  description: string;
  runbookUrl: string;
  serviceId: string | null;
  enabled: number;
  createdAt: number;
  updatedAt: number;
}

export interface RuleInstancesTable {
  ruleId: string;
  instanceKey: string;
  labels: string;
  state: string;
  pendingSince: number | null;
  firingSince: number | null;
  resolvedAt: number | null;
  lastValue: number | null;
  lastEvalAt: number | null;
  lastSampleAt: number | null;
  count: number;
  annotations: string;
  updatedAt: number;
}

export interface RuleFiringsTable {
  id: string;
  ruleId: string;
  instanceKey: string;
  labels: string;
  severity: string;
  startedAt: number;
  endedAt: number | null;
}

export interface NotifyChannelsTable {
  id: string;
  name: string;
  kind: string;
  settings: string;
  secrets: string;
  ratePerMinute: number;
  rateTat: number | null;
  disabledAt: number | null;
  health: string;
  consecutiveFailures: number;
  lastError: string | null;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface NotifyContactsTable {
  id: string;
  userId: string;
  kind: string;
  address: string;
  label: string;
  createdAt: number;
}

export interface NotifyRuleSetsTable {
  owner: string;
  rules: string;
  updatedAt: number;
}

export interface NotifyMessagesTable {
  id: string;
  dedupeKey: string;
  channelId: string;
  incidentId: string | null;
  userId: string | null;
  purpose: string;
  recipient: string;
  locale: string;
  content: string;
  state: string;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: number;
  claimedBy: string | null;
  claimedUntil: number | null;
  lastError: string | null;
  cancelIfAcked: number;
  sentAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface NotifyAttemptsTable {
  id: string;
  messageId: string;
  channelId: string;
  attempt: number;
  at: number;
  durationMs: number;
  outcome: string;
  statusCode: number | null;
  error: string | null;
}

export interface NotifyActionTokensTable {
  id: string;
  incidentId: string;
  action: string;
  userId: string | null;
  expiresAt: number;
  usedAt: number | null;
  createdAt: number;
}

export interface NotifyKeysTable {
  name: string;
  value: string;
  createdAt: number;
}

export interface ScrapeTargetsTable {
  id: string;
  jobName: string;
  url: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  labels: string;
  disabledAt: number | null;
  /** The schedule slot last claimed; claiming it once makes several instances scrape a slot once. */
  lastSlotAt: number | null;
  lastScrapeAt: number | null;
  lastDurationMs: number | null;
  lastSamples: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The embedded metric store (migration 0003); `value` is null on SQLite for a stored NaN. */
export interface MetricSeriesTable {
  id: Generated<number>;
  hash: string;
  name: string;
  service: string | null;
  labels: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface MetricSeriesLabelsTable {
  name: string;
  value: string;
  seriesId: number;
}

/** SQLite only: PostgreSQL packs compacted samples in `metric_sample_chunks` (migration 0012, raw SQL). */
export interface MetricSamplesTable {
  seriesId: number;
  ts: number;
  value: number | null;
}

/** SQLite orders head rows by `seq`; PostgreSQL partitions them by a `gen` column instead (0012). */
export interface MetricSamplesHeadTable {
  seq: Generated<number>;
  seriesId: number;
  ts: number;
  value: number | null;
}

export interface MetricRollupsTable {
  seriesId: number;
  ts: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
}

export interface MetricRollupStateTable {
  resolution: string;
  doneUntil: number;
}

export interface DB {
  scrapeTargets: ScrapeTargetsTable;
  users: UsersTable;
  sessions: SessionsTable;
  apiTokens: ApiTokensTable;
  loginAttempts: LoginAttemptsTable;
  auditLog: AuditLogTable;
  jobs: JobsTable;
  teams: TeamsTable;
  teamMembers: TeamMembersTable;
  services: ServicesTable;
  alertIntegrations: AlertIntegrationsTable;
  alerts: AlertsTable;
  alertEvents: AlertEventsTable;
  alertGroups: AlertGroupsTable;
  alertGroupMembers: AlertGroupMembersTable;
  silences: SilencesTable;
  maintenanceWindows: MaintenanceWindowsTable;
  alertRouting: AlertRoutingTable;
  probes: ProbesTable;
  probeResults: ProbeResultsTable;
  probeEvents: ProbeEventsTable;
  incidentSeverities: IncidentSeveritiesTable;
  incidentCounters: IncidentCountersTable;
  incidents: IncidentsTable;
  incidentAlerts: IncidentAlertsTable;
  incidentEvents: IncidentEventsTable;
  incidentReviews: IncidentReviewsTable;
  incidentActionItems: IncidentActionItemsTable;
  oncallSchedules: OncallSchedulesTable;
  oncallOverrides: OncallOverridesTable;
  escalationPolicies: EscalationPoliciesTable;
  alertRules: AlertRulesTable;
  ruleInstances: RuleInstancesTable;
  ruleFirings: RuleFiringsTable;
  notifyChannels: NotifyChannelsTable;
  notifyContacts: NotifyContactsTable;
  notifyRuleSets: NotifyRuleSetsTable;
  notifyMessages: NotifyMessagesTable;
  notifyAttempts: NotifyAttemptsTable;
  notifyActionTokens: NotifyActionTokensTable;
  notifyKeys: NotifyKeysTable;
  metricSeries: MetricSeriesTable;
  metricSeriesLabels: MetricSeriesLabelsTable;
  metricSamples: MetricSamplesTable;
  metricSamplesHead: MetricSamplesHeadTable;
  metricRollupsMinute: MetricRollupsTable;
  metricRollupsHour: MetricRollupsTable;
  metricRollupState: MetricRollupStateTable;
}
