import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Actor, AuditRepo } from '../../platform/audit/audit.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import { fromJson, toJson } from '../../platform/db/constraint-errors.ts';
import type { DB } from '../../platform/db/schema.ts';
import { badRequest, conflict, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { catalogRepo } from '../catalog/index.ts';

type CatalogRepo = typeof catalogRepo;

import { renderICalendar } from './ical.ts';
import type { OncallRepo, OverrideRow, PolicyRow, ScheduleRow } from './oncall.repo.ts';
import type {
  createPolicyBody,
  createScheduleBody,
  EscalationPolicy,
  EscalationTarget,
  OverrideRecord,
  overrideBody,
  Schedule,
  ShiftView,
  updatePolicyBody,
  updateScheduleBody,
} from './oncall.schemas.ts';
import { finalShifts, type Layer } from './rotation.ts';

export interface OncallServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: OncallRepo;
  audit: Pick<AuditRepo, 'append'>;
  catalog: Pick<CatalogRepo, 'findTeam' | 'listMembers'>;
}

/** A person an escalation step pages, and why (directly, as the on-call of a schedule, as a team member). */
export interface ResolvedTarget {
  userId: string;
  name: string;
  via: EscalationTarget;
}

const DAY = 86_400_000;

const toSchedule = (row: ScheduleRow): Schedule =>
  ({ ...row, layers: fromJson<Layer[]>(row.layers) ?? [] }) as Schedule;
const toPolicy = (row: PolicyRow): EscalationPolicy => ({
  ...row,
  steps: fromJson<EscalationPolicy['steps']>(row.steps) ?? [],
});

/** On-call schedules (layers, overrides, swaps), who is on call, and escalation policies. */
export function createOncallService(deps: OncallServiceDeps) {
  const { db, clock, repo, audit, catalog } = deps;

  async function mustSchedule(ex: Kysely<DB>, id: string): Promise<Schedule> {
    const row = await repo.findSchedule(ex, id);
    if (!row) throw notFound('Schedule', id);
    return toSchedule(row);
  }
  async function mustPolicy(ex: Kysely<DB>, id: string): Promise<EscalationPolicy> {
    const row = await repo.findPolicy(ex, id);
    if (!row) throw notFound('Escalation policy', id);
    return toPolicy(row);
  }
  async function checkTeam(ex: Kysely<DB>, teamId: string | null | undefined): Promise<void> {
    if (teamId && !(await catalog.findTeam(ex, teamId))) throw badRequest(`Team ${teamId} does not exist`);
  }
  async function checkUsers(ex: Kysely<DB>, ids: readonly string[], where: string): Promise<void> {
    const known = await repo.existingUserIds(ex, ids);
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0)
      throw badRequest(`${where}: unknown or disabled user ${missing.join(', ')}`, { users: missing });
  }
  async function checkLayers(ex: Kysely<DB>, layers: readonly Layer[] | undefined): Promise<void> {
    for (const [i, layer] of (layers ?? []).entries()) {
      await checkUsers(ex, layer.participants, `layer ${i + 1} (${layer.name})`);
    }
  }
  async function checkSteps(ex: Kysely<DB>, steps: EscalationPolicy['steps'] | undefined): Promise<void> {
    for (const [i, step] of (steps ?? []).entries()) {
      const where = `step ${i + 1}`;
      const ids = (type: EscalationTarget['type']) =>
        step.targets.filter((t) => t.type === type).map((t) => t.id);
      await checkUsers(ex, ids('user'), where);
      const schedules = await repo.existingScheduleIds(ex, ids('schedule'));
      for (const id of ids('schedule'))
        if (!schedules.has(id)) throw badRequest(`${where}: schedule ${id} does not exist`);
      for (const id of ids('team'))
        await checkTeam(ex, id).catch(() => {
          throw badRequest(`${where}: team ${id} does not exist`);
        });
    }
  }

  async function shiftsOf(
    ex: Kysely<DB>,
    schedule: Schedule,
    from: number,
    to: number,
  ): Promise<ShiftView[]> {
    const overrides = await repo.listOverrides(ex, schedule.id, from, to);
    const shifts = finalShifts(schedule.layers, overrides, schedule.timeZone, from, to);
    const names = await repo.userNames(
      ex,
      shifts.flatMap((s) => (s.userId ? [s.userId] : [])),
    );
    return shifts.map((s) => ({
      ...s,
      userName: s.userId ? (names.get(s.userId) ?? s.userId) : null,
    }));
  }

  async function whoIsOnCall(ex: Kysely<DB>, schedule: Schedule, at: number): Promise<ShiftView | null> {
    // A window around `at`, so the shift comes back with its real start and end.
    const shifts = await shiftsOf(ex, schedule, at - 8 * DAY, at + 8 * DAY);
    const shift = shifts.find((s) => s.start <= at && s.end > at);
    return shift?.userId ? shift : null;
  }

  const audited = async <T>(
    work: (
      trx: Kysely<DB>,
      now: number,
    ) => Promise<{ result: T; action: string; type: string; id: string; before?: unknown; after?: unknown }>,
    actor: Actor,
  ): Promise<T> =>
    db.transaction().execute(async (trx) => {
      const now = clock.now();
      const { result, action, type, id, before, after } = await work(trx, now);
      await audit.append(trx, now, actor, { action, entityType: type, entityId: id, before, after });
      return result;
    });

  return {
    listSchedules: async (): Promise<Schedule[]> => (await repo.listSchedules(db)).map(toSchedule),
    getSchedule: (id: string) => mustSchedule(db, id),

    createSchedule: (actor: Actor, input: z.output<typeof createScheduleBody>) =>
      audited(async (trx, now) => {
        await checkTeam(trx, input.teamId);
        await checkLayers(trx, input.layers);
        const id = newId();
        await repo.insertSchedule(trx, {
          ...input,
          id,
          layers: toJson(input.layers),
          createdAt: now,
          updatedAt: now,
        });
        const after = await mustSchedule(trx, id);
        return { result: after, action: 'schedule.create', type: 'schedule', id, after };
      }, actor),

    updateSchedule: (actor: Actor, id: string, input: z.output<typeof updateScheduleBody>) =>
      audited(async (trx, now) => {
        const before = await mustSchedule(trx, id);
        await checkTeam(trx, input.teamId);
        await checkLayers(trx, input.layers);
        const { layers, ...rest } = input;
        await repo.updateSchedule(trx, id, {
          ...rest,
          ...(layers ? { layers: toJson(layers) } : {}),
          updatedAt: now,
        });
        const after = await mustSchedule(trx, id);
        return { result: after, action: 'schedule.update', type: 'schedule', id, before, after };
      }, actor),

    deleteSchedule: (actor: Actor, id: string) =>
      audited(async (trx) => {
        const before = await mustSchedule(trx, id);
        const used = await repo.countPoliciesUsingSchedule(trx, id);
        if (used > 0)
          throw conflict(
            `Schedule "${before.name}" is used by ${used} escalation policy(ies); edit them first`,
          );
        await repo.deleteSchedule(trx, id);
        return { result: undefined, action: 'schedule.delete', type: 'schedule', id, before };
      }, actor),

    async listOverrides(scheduleId: string, from: number, to: number): Promise<OverrideRecord[]> {
      await mustSchedule(db, scheduleId);
      return repo.listOverrides(db, scheduleId, from, to);
    },

    addOverride: (actor: Actor, scheduleId: string, input: z.output<typeof overrideBody>) =>
      audited(async (trx, now) => {
        await mustSchedule(trx, scheduleId);
        await checkUsers(trx, [input.userId], 'override');
        if (input.replacesUserId && !(await repo.userNames(trx, [input.replacesUserId])).size)
          throw badRequest(`swap: user ${input.replacesUserId} does not exist`);
        const row: OverrideRow = { id: newId(), scheduleId, ...input, createdAt: now };
        await repo.insertOverride(trx, row);
        return {
          result: row as OverrideRecord,
          action: 'schedule.override_add',
          type: 'schedule',
          id: scheduleId,
          after: row,
        };
      }, actor),

    removeOverride: (actor: Actor, scheduleId: string, overrideId: string) =>
      audited(async (trx) => {
        const before = await repo.findOverride(trx, overrideId);
        if (!before || before.scheduleId !== scheduleId) throw notFound('Override', overrideId);
        await repo.deleteOverride(trx, overrideId);
        return {
          result: undefined,
          action: 'schedule.override_remove',
          type: 'schedule',
          id: scheduleId,
          before,
        };
      }, actor),

    async shifts(scheduleId: string, from: number, to: number) {
      const schedule = await mustSchedule(db, scheduleId);
      const shifts = await shiftsOf(db, schedule, from, to);
      const gaps = shifts.filter((s) => s.userId === null).map(({ start, end }) => ({ start, end }));
      return { scheduleId, timeZone: schedule.timeZone, from, to, shifts, gaps };
    },

    async onCallNow(at: number = clock.now()) {
      const schedules = (await repo.listSchedules(db)).map(toSchedule);
      const items = [];
      for (const s of schedules) {
        items.push({ scheduleId: s.id, scheduleName: s.name, at, shift: await whoIsOnCall(db, s, at) });
      }
      return { items };
    },

    async onCallAt(scheduleId: string, at: number = clock.now()) {
      const s = await mustSchedule(db, scheduleId);
      return { scheduleId: s.id, scheduleName: s.name, at, shift: await whoIsOnCall(db, s, at) };
    },

    async ical(scheduleId: string, from: number, to: number): Promise<string> {
      const schedule = await mustSchedule(db, scheduleId);
      const shifts = (await shiftsOf(db, schedule, from, to)).filter((s) => s.userId);
      return renderICalendar(
        schedule.name,
        shifts.map((s) => ({
          start: s.start,
          end: s.end,
          summary: `On call: ${s.userName} (${schedule.name})`,
          uid: `${schedule.id}-${s.start}-${s.userId}@steady`,
        })),
        clock.now(),
      );
    },

    listPolicies: async (): Promise<EscalationPolicy[]> => (await repo.listPolicies(db)).map(toPolicy),
    getPolicy: (id: string) => mustPolicy(db, id),
    findPolicy: async (ex: Kysely<DB>, id: string): Promise<EscalationPolicy | null> => {
      const row = await repo.findPolicy(ex, id);
      return row ? toPolicy(row) : null;
    },

    createPolicy: (actor: Actor, input: z.output<typeof createPolicyBody>) =>
      audited(async (trx, now) => {
        await checkTeam(trx, input.teamId);
        await checkSteps(trx, input.steps);
        const id = newId();
        await repo.insertPolicy(trx, {
          ...input,
          id,
          steps: toJson(input.steps),
          createdAt: now,
          updatedAt: now,
        });
        const after = await mustPolicy(trx, id);
        return { result: after, action: 'escalation_policy.create', type: 'escalation_policy', id, after };
      }, actor),

    updatePolicy: (actor: Actor, id: string, input: z.output<typeof updatePolicyBody>) =>
      audited(async (trx, now) => {
        const before = await mustPolicy(trx, id);
        await checkTeam(trx, input.teamId);
        await checkSteps(trx, input.steps);
        const { steps, ...rest } = input;
        await repo.updatePolicy(trx, id, {
          ...rest,
          ...(steps ? { steps: toJson(steps) } : {}),
          updatedAt: now,
        });
        const after = await mustPolicy(trx, id);
        return {
          result: after,
          action: 'escalation_policy.update',
          type: 'escalation_policy',
          id,
          before,
          after,
        };
      }, actor),

    deletePolicy: (actor: Actor, id: string) =>
      audited(async (trx) => {
        const before = await mustPolicy(trx, id);
        await repo.deletePolicy(trx, id);
        return {
          result: undefined,
          action: 'escalation_policy.delete',
          type: 'escalation_policy',
          id,
          before,
        };
      }, actor),

    /**
     * The policy as it stands now, with target names, for copying onto an incident: a later edit of the
     * policy never changes an escalation already under way.
     */
    async snapshotPolicy(ex: Kysely<DB>, id: string) {
      const policy = await repo.findPolicy(ex, id);
      if (!policy) return null;
      const { steps, repeat, name } = toPolicy(policy);
      const all = steps.flatMap((s) => s.targets);
      const users = await repo.userNames(
        ex,
        all.filter((t) => t.type === 'user').map((t) => t.id),
      );
      const names = new Map<string, string>(users);
      for (const t of all) {
        if (t.type === 'schedule') names.set(t.id, (await repo.findSchedule(ex, t.id))?.name ?? t.id);
        if (t.type === 'team') names.set(t.id, (await catalog.findTeam(ex, t.id))?.name ?? t.id);
      }
      return {
        policyId: id,
        policyName: name,
        repeat,
        steps: steps.map((s) => ({
          waitMinutes: s.waitMinutes,
          targets: s.targets.map((t) => ({ ...t, name: names.get(t.id) ?? t.id })),
        })),
      };
    },

    /** The people a step's targets name at `at`: a schedule's on-call, a team's members, users directly. */
    async resolveTargets(
      ex: Kysely<DB>,
      targets: readonly EscalationTarget[],
      at: number,
    ): Promise<ResolvedTarget[]> {
      const out: ResolvedTarget[] = [];
      const seen = new Set<string>();
      const add = (userId: string, name: string, via: EscalationTarget) => {
        if (seen.has(userId)) return;
        seen.add(userId);
        out.push({ userId, name, via });
      };
      for (const target of targets) {
        if (target.type === 'user') {
          const names = await repo.userNames(ex, [target.id]);
          const name = names.get(target.id);
          if (name) add(target.id, name, target);
        } else if (target.type === 'schedule') {
          const row = await repo.findSchedule(ex, target.id);
          const shift = row ? await whoIsOnCall(ex, toSchedule(row), at) : null;
          if (shift?.userId) add(shift.userId, shift.userName ?? shift.userId, target);
        } else {
          for (const m of await catalog.listMembers(ex, [target.id])) add(m.userId, m.displayName, target);
        }
      }
      return out;
    },
  };
}

export type OncallService = ReturnType<typeof createOncallService>;
