import type { Actor } from '../../platform/audit/audit.repo.ts';
import { badRequest, conflict } from '../../platform/errors.ts';
import { refOf, slaDeadlines } from './escalation.ts';
import { type IncidentCore, type IncidentsServiceDeps, OPEN, REVIEW_REQUIRED } from './incidents.core.ts';
import type { IncidentState } from './incidents.schemas.ts';
import type { Severity } from './intake.ts';

/**
 * The response actions on an existing incident: its state transitions (acknowledge, resolve, reopen,
 * close, escalate) and its edits (note, severity, assignee, service, merge). Each runs in one transaction
 * and records itself on the timeline.
 */
export function createIncidentActions(deps: IncidentsServiceDeps, core: IncidentCore) {
  const { repo, escalation, record } = deps;
  const { mustRow, view, checkUser, wrongState, act, resolveIn } = core;

  return {
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
          await repo.reparent(trx, child.id, parent.id);
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
