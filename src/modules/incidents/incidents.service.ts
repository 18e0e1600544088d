import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/audit/audit.repo.ts';
import type { AuthRepo } from '../../platform/auth/auth.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import { fromJson, toJson } from '../../platform/db/constraint-errors.ts';
import type { DB } from '../../platform/db/schema.ts';
import { badRequest, conflict, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { catalogRepo } from '../catalog/index.ts';

type CatalogRepo = typeof catalogRepo;

import type { OncallService } from '../oncall/index.ts';
import { type Escalation, refOf, slaDeadlines } from './escalation.ts';
import type { IncidentRow, IncidentsRepo, IncidentView } from './incidents.repo.ts';
import type {
  CreateIncidentInput,
  EscalationSnapshot,
  Incident,
  IncidentState,
  ListQuery,
  TimelineEvent,
} from './incidents.schemas.ts';
import type { Severity } from './intake.ts';
import type { Recorder } from './timeline.ts';

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
const OPEN: readonly IncidentState[] = ['triggered', 'acknowledged'];

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

/** Incidents: opening, the response actions, merging, and reading them with their timeline. */
export function createIncidentsService(deps: IncidentsServiceDeps) {
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
      const inserted = await ex
        .insertInto('incidents')
        .values(row)
        .onConflict((oc) => oc.column('openGroupKey').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return null;
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
    return true;
  }

  return {
    open,
    resolveIn,
    resolveId,

    async create(actor: Actor, input: CreateIncidentInput): Promise<Incident> {
      const row = await act(async (trx) => {
        const { escalationPolicyId, ...rest } = input;
        return open(trx, actor, {
          ...rest,
          escalationPolicyId,
          source: actor.kind === 'token' ? 'api' : 'manual',
          groupKey: null,
        });
      });
      return view(db, (row as IncidentRow).id);
    },

    async get(idOrRef: string): Promise<Incident> {
      return view(db, await resolveId(db, idOrRef));
    },

    async list(q: ListQuery) {
      const rows = await repo.list(db, q);
      return {
        items: rows.map(toIncident),
        nextBefore: rows.length === q.limit ? (rows[rows.length - 1]?.id ?? null) : null,
      };
    },

    async timeline(idOrRef: string): Promise<TimelineEvent[]> {
      const id = await resolveId(db, idOrRef);
      await view(db, id);
      return (await repo.listEvents(db, id)).map(({ dedupeKey: _, incidentId: __, data, ...e }) => ({
        ...e,
        data: fromJson<Record<string, unknown>>(data) ?? {},
      }));
    },

    async alerts(idOrRef: string) {
      const id = await resolveId(db, idOrRef);
      await view(db, id);
      return (await repo.listAlerts(db, id)).map((a) => ({
        ...a,
        labels: fromJson<Record<string, string>>(a.labels) ?? {},
        annotations: fromJson<Record<string, string>>(a.annotations) ?? {},
      }));
    },

    acknowledge: (actor: Actor, idOrRef: string) =>
      act(async (trx, now) => {
        const row = await mustRow(trx, idOrRef);
        if (row.state === 'acknowledged') return view(trx, row.id);
        if (row.state !== 'triggered') throw wrongState(row, 'acknowledged');
        const ok = await repo.updateIf(
          trx,
          row.id,
          {
            state: 'acknowledged',
            acknowledgedAt: row.acknowledgedAt ?? now,
            assigneeId: row.assigneeId ?? actor.id,
            updatedAt: now,
          },
          { states: ['triggered'], gen: row.escalationGen },
        );
        if (!ok) throw conflict(`${refOf(row)} changed meanwhile; reload and try again`);
        await record(trx, row.id, actor, 'acknowledged', {
          withinSla: (row.acknowledgedAt ?? now) <= row.ackDueAt,
          ackDueAt: row.ackDueAt,
        });
        const target = await repo.findSeverity(trx, row.severity);
        await escalation.scheduleRetrigger(trx, row, target.retriggerMinutes);
        return view(trx, row.id);
      }),

    resolve: (actor: Actor, idOrRef: string, note?: string) =>
      act(async (trx) => {
        const row = await mustRow(trx, idOrRef);
        if (!OPEN.includes(row.state as IncidentState)) throw wrongState(row, 'resolved');
        if (!(await resolveIn(trx, row, actor, note ? { note } : {})))
          throw conflict(`${refOf(row)} changed meanwhile; reload and try again`);
        return view(trx, row.id);
      }),

    reopen: (actor: Actor, idOrRef: string, note?: string) =>
      act(async (trx, now) => {
        const row = await mustRow(trx, idOrRef);
        if (row.state !== 'resolved' || row.parentId) throw wrongState(row, 'reopened');
        const groupFree = row.groupKey ? !(await repo.findOpenByGroupKey(trx, row.groupKey)) : false;
        const gen = row.escalationGen + 1;
        await repo.updateIf(
          trx,
          row.id,
          {
            state: 'triggered',
            resolvedAt: null,
            openGroupKey: groupFree ? row.groupKey : null,
            escalationGen: gen,
            escalationStep: 0,
            escalationRound: 0,
            updatedAt: now,
          },
          { states: ['resolved'] },
        );
        await record(trx, row.id, actor, 'reopened', note ? { note } : {});
        await escalation.scheduleSla(trx, { ...row, resolvedAt: null });
        await escalation.start(trx, row, gen);
        return view(trx, row.id);
      }),

    close: (actor: Actor, idOrRef: string, note?: string) =>
      act(async (trx, now) => {
        const row = await mustRow(trx, idOrRef);
        if (row.state !== 'resolved') throw wrongState(row, 'closed (resolve it first)');
        if (REVIEW_REQUIRED.includes(row.severity as Severity) && !(await deps.reviewComplete(trx, row.id))) {
          throw conflict(
            `${refOf(row)} is ${row.severity}: complete its post-incident review (summary, customer impact, root cause) before closing it`,
            { reason: 'review_required' },
          );
        }
        await repo.updateIf(
          trx,
          row.id,
          { state: 'closed', closedAt: now, updatedAt: now },
          { states: ['resolved'] },
        );
        await record(trx, row.id, actor, 'closed', note ? { note } : {});
        return view(trx, row.id);
      }),

    escalate: (actor: Actor, idOrRef: string, note?: string) =>
      act(async (trx) => {
        const row = await mustRow(trx, idOrRef);
        if (!OPEN.includes(row.state as IncidentState)) throw wrongState(row, 'escalated');
        if (!row.escalationSnapshot)
          throw conflict(`${refOf(row)} has no escalation policy to escalate along`);
        if (!(await escalation.escalateNow(trx, row, actor, note ?? 'escalated by hand')))
          throw conflict(`${refOf(row)} changed meanwhile; reload and try again`);
        return view(trx, row.id);
      }),

    addNote: (actor: Actor, idOrRef: string, text: string) =>
      act(async (trx, now) => {
        const row = await mustRow(trx, idOrRef);
        await record(trx, row.id, actor, 'note', { text });
        await repo.updateIf(trx, row.id, { updatedAt: now });
        return view(trx, row.id);
      }),

    setSeverity: (actor: Actor, idOrRef: string, severity: Severity, note?: string) =>
      act(async (trx, now) => {
        const row = await mustRow(trx, idOrRef);
        if (row.state === 'closed') throw wrongState(row, 'changed');
        if (row.severity === severity) return view(trx, row.id);
        const target = await repo.findSeverity(trx, severity);
        const due = slaDeadlines(row.createdAt, target);
        await repo.updateIf(trx, row.id, { severity, ...due, updatedAt: now });
        await record(trx, row.id, actor, 'severity_changed', {
          from: row.severity,
          to: severity,
          ...due,
          note,
        });
        await escalation.scheduleSla(trx, { ...row, ...due });
        return view(trx, row.id);
      }),

    assign: (
      actor: Actor,
      idOrRef: string,
      input: { assigneeId?: string | null; commanderId?: string | null },
    ) =>
      act(async (trx, now) => {
        const row = await mustRow(trx, idOrRef);
        await checkUser(trx, input.assigneeId, 'assignee');
        await checkUser(trx, input.commanderId, 'commander');
        await repo.updateIf(trx, row.id, { ...input, updatedAt: now });
        const after = await view(trx, row.id);
        if (input.assigneeId !== undefined && input.assigneeId !== row.assigneeId) {
          await record(trx, row.id, actor, 'assigned', {
            from: row.assigneeId,
            to: input.assigneeId,
            name: after.assigneeName,
          });
        }
        if (input.commanderId !== undefined && input.commanderId !== row.commanderId) {
          await record(trx, row.id, actor, 'commander_set', {
            from: row.commanderId,
            to: input.commanderId,
            name: after.commanderName,
          });
        }
        return after;
      }),

    setService: (actor: Actor, idOrRef: string, serviceId: string | null, teamId?: string | null) =>
      act(async (trx, now) => {
        const row = await mustRow(trx, idOrRef);
        const service = serviceId ? await deps.catalog.findService(trx, serviceId) : null;
        if (serviceId && !service) throw badRequest(`Service ${serviceId} does not exist`);
        if (teamId && !(await deps.catalog.findTeam(trx, teamId)))
          throw badRequest(`Team ${teamId} does not exist`);
        const team = teamId !== undefined ? teamId : (service?.ownerTeamId ?? row.teamId);
        await repo.updateIf(trx, row.id, { serviceId, teamId: team, updatedAt: now });
        await record(trx, row.id, actor, 'service_changed', {
          from: row.serviceId,
          to: serviceId,
          name: service?.name ?? null,
        });
        return view(trx, row.id);
      }),

    /** Merges incidents into this one: they point at it, their alerts move here, they resolve. */
    merge: (actor: Actor, idOrRef: string, childRefs: readonly string[]) =>
      act(async (trx, now) => {
        const parent = await mustRow(trx, idOrRef);
        if (parent.state === 'closed' || parent.parentId) throw wrongState(parent, 'merged into');
        for (const childRef of childRefs) {
          const child = await mustRow(trx, childRef);
          if (child.id === parent.id) throw badRequest('an incident cannot be merged into itself');
          if (child.parentId) throw conflict(`${refOf(child)} is already merged`);
          if (child.state === 'closed') throw wrongState(child, 'merged');
          const moved = await repo.moveAlerts(trx, child.id, parent.id);
          await repo.updateIf(trx, child.id, {
            parentId: parent.id,
            state: 'resolved',
            resolvedAt: child.resolvedAt ?? now,
            escalationGen: child.escalationGen + 1,
            updatedAt: now,
          });
          await trx
            .updateTable('incidents')
            .set({ parentId: parent.id })
            .where('parentId', '=', child.id)
            .execute();
          await record(trx, child.id, actor, 'merged_into', {
            parentId: parent.id,
            parentRef: refOf(parent),
          });
          await record(trx, parent.id, actor, 'merged', {
            childId: child.id,
            childRef: refOf(child),
            title: child.title,
            alertsMoved: moved,
          });
        }
        await repo.updateIf(trx, parent.id, { updatedAt: now });
        return view(trx, parent.id);
      }),
  };
}

export type IncidentsService = ReturnType<typeof createIncidentsService>;
