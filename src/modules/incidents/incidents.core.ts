import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/audit/audit.repo.ts';
import type { AuthRepo } from '../../platform/auth/auth.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import { fromJson, toJson } from '../../platform/db/constraint-errors.ts';
import type { DB } from '../../platform/db/schema.ts';
import { badRequest, conflict, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { catalogRepo } from '../catalog/index.ts';
import type { OncallService } from '../oncall/index.ts';
import { type Escalation, refOf, slaDeadlines } from './escalation.ts';
import type { IncidentRow, IncidentsRepo, IncidentView } from './incidents.repo.ts';
import type { EscalationSnapshot, Incident, IncidentState } from './incidents.schemas.ts';
import type { Severity } from './intake.ts';
import type { Recorder } from './timeline.ts';

type CatalogRepo = typeof catalogRepo;

export interface IncidentsServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: IncidentsRepo;
  escalation: Escalation;
  record: Recorder;
  oncall: Pick<OncallService, 'snapshotPolicy'>;
  catalog: Pick<CatalogRepo, 'findService' | 'findTeam'>;
  users: Pick<AuthRepo, 'findUserById'>;
  /** Reviews are required for these before closing. */
  reviewComplete: (ex: Kysely<DB>, incidentId: string) => Promise<boolean>;
  /** Wakes this instance's job worker after a commit that queued work due now. */
  wake: () => void;
}

export const REVIEW_REQUIRED: readonly Severity[] = ['P1', 'P2'];
export const OPEN: readonly IncidentState[] = ['triggered', 'acknowledged'];

export const toIncident = (row: IncidentView): Incident => {
  const { escalationSnapshot, escalationGen: _g, openGroupKey: _k, ...rest } = row;
  return {
    ...rest,
    ref: refOf(row),
    number: Number(row.number),
    severity: row.severity as Severity,
    state: row.state as IncidentState,
    escalation: fromJson<EscalationSnapshot>(escalationSnapshot),
  };
};

export interface OpenIncidentInput {
  title: string;
  description: string;
  severity: Severity;
  source: 'alert' | 'manual' | 'api';
  serviceId: string | null;
  teamId: string | null;
  assigneeId: string | null;
  escalationPolicyId: string | null;
  groupKey: string | null;
}

/**
 * What the incident services share: finding an incident by id or reference, opening and resolving one
 * inside a caller's transaction, and running an action in a transaction of its own.
 */
export function createIncidentCore(deps: IncidentsServiceDeps) {
  const { db, clock, repo, escalation, record } = deps;

  async function resolveId(ex: Kysely<DB>, idOrRef: string): Promise<string> {
    const m = /^INC-(\d+)$/i.exec(idOrRef);
    if (!m) return idOrRef;
    const id = await repo.findIdByNumber(ex, Number(m[1]));
    if (!id) throw notFound('Incident', idOrRef.toUpperCase());
    return id;
  }
  async function mustRow(ex: Kysely<DB>, idOrRef: string): Promise<IncidentRow> {
    const row = await repo.findRow(ex, await resolveId(ex, idOrRef));
    if (!row) throw notFound('Incident', idOrRef);
    return row;
  }
  async function view(ex: Kysely<DB>, id: string): Promise<Incident> {
    const row = await repo.findView(ex, id);
    if (!row) throw notFound('Incident', id);
    return toIncident(row);
  }
  async function checkUser(ex: Kysely<DB>, id: string | null | undefined, what: string) {
    if (id && !(await deps.users.findUserById(ex, id)))
      throw badRequest(`${what}: user ${id} does not exist`);
  }
  const wrongState = (row: IncidentRow, action: string) =>
    conflict(`${refOf(row)} is ${row.state}; it cannot be ${action}`, { state: row.state });

  /** One transaction; wakes the worker afterwards (steps and timers may be due at once). */
  const act = async <T>(work: (trx: Kysely<DB>, now: number) => Promise<T>): Promise<T> => {
    const result = await db.transaction().execute((trx) => work(trx, clock.now()));
    deps.wake();
    return result;
  };

  /** Opens an incident inside `ex`; null when another caller holds the open incident of the group key. */
  async function open(ex: Kysely<DB>, actor: Actor, input: OpenIncidentInput): Promise<IncidentRow | null> {
    const now = clock.now();
    let { teamId } = input;
    if (input.serviceId) {
      const service = await deps.catalog.findService(ex, input.serviceId);
      if (!service) throw badRequest(`Service ${input.serviceId} does not exist`);
      teamId ??= service.ownerTeamId;
    }
    if (teamId && !(await deps.catalog.findTeam(ex, teamId)))
      throw badRequest(`Team ${teamId} does not exist`);
    await checkUser(ex, input.assigneeId, 'assignee');
    let snapshot: EscalationSnapshot | null = null;
    if (input.escalationPolicyId) {
      snapshot = await deps.oncall.snapshotPolicy(ex, input.escalationPolicyId);
      if (!snapshot) throw badRequest(`Escalation policy ${input.escalationPolicyId} does not exist`);
    }
    const target = await repo.findSeverity(ex, input.severity);
    const row: IncidentRow = {
      id: newId(),
      number: await repo.nextNumber(ex),
      title: input.title,
      description: input.description,
      severity: input.severity,
      state: 'triggered',
      source: input.source,
      groupKey: input.groupKey,
      openGroupKey: input.groupKey,
      serviceId: input.serviceId,
      teamId,
      assigneeId: input.assigneeId,
      commanderId: null,
      parentId: null,
      escalationSnapshot: snapshot ? toJson(snapshot) : null,
      escalationGen: 0,
      escalationRound: 0,
      escalationStep: 0,
      escalationLastAt: null,
      escalationNextAt: null,
      createdAt: now,
      updatedAt: now,
      acknowledgedAt: null,
      resolvedAt: null,
      closedAt: null,
      ...slaDeadlines(now, target),
      ackBreachedAt: null,
      resolveBreachedAt: null,
    };
    if (input.groupKey) {
      // The open-group unique key decides between two instances opening the same group at once.
      if (!(await repo.insertIfGroupFree(ex, row))) return null;
    } else await repo.insertIncident(ex, row);
    await record(ex, row.id, actor, 'opened', {
      source: input.source,
      severity: row.severity,
      title: row.title,
      ackDueAt: row.ackDueAt,
      resolveDueAt: row.resolveDueAt,
      policyName: snapshot?.policyName ?? null,
    });
    await escalation.scheduleSla(ex, row);
    await escalation.start(ex, row, 0);
    return row;
  }

  /** Resolves inside `ex` if still open; false when it had already moved on. */
  async function resolveIn(ex: Kysely<DB>, row: IncidentRow, actor: Actor, data: Record<string, unknown>) {
    const now = clock.now();
    const human = actor.kind !== 'system';
    const done = await repo.updateIf(
      ex,
      row.id,
      {
        state: 'resolved',
        resolvedAt: now,
        openGroupKey: null,
        updatedAt: now,
        // Resolving by hand acknowledges too; an automatic resolution does not count as a response.
        ...(human && row.acknowledgedAt === null ? { acknowledgedAt: now } : {}),
      },
      { states: OPEN },
    );
    if (!done) return false;
    await repo.clearChildGroupKeys(ex, row.id);
    await record(ex, row.id, actor, 'resolved', data);
    await escalation.announceResolved(ex, row.id, now, actor.name);
    return true;
  }

  return { resolveId, mustRow, view, checkUser, wrongState, act, open, resolveIn };
}

export type IncidentCore = ReturnType<typeof createIncidentCore>;
