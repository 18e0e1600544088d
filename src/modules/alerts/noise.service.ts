import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Actor, AuditRepo } from '../../platform/audit/audit.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import { fromJson, toJson } from '../../platform/db/constraint-errors.ts';
import type { DB } from '../../platform/db/schema.ts';
import { badRequest, conflict, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type {
  createSilenceBody,
  createWindowBody,
  MaintenanceWindow,
  Silence,
  updateSilenceBody,
  updateWindowBody,
} from './alerts.schemas.ts';
import type { AlertConfigRepo, SilenceRow, WindowRow } from './config.repo.ts';
import { type Matcher, matchersFor } from './matchers.ts';
import { activeOccurrence, nextOccurrences, type WindowRule } from './stages/maintenance.ts';
import { type ActiveSilence, silenceState } from './stages/silence.ts';

export interface NoiseServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: AlertConfigRepo;
  audit: Pick<AuditRepo, 'append'>;
  /** An alert's labels and title, for "silence like this alert". */
  alertLabels: (id: string) => Promise<{ labels: Record<string, string>; title: string }>;
}

const toRule = (r: WindowRow): WindowRule => ({
  id: r.id,
  name: r.name,
  matchers: fromJson<Matcher[]>(r.matchers) ?? [],
  timeZone: r.timeZone,
  start: r.start,
  durationMinutes: r.durationMinutes,
  recurrence: r.recurrence as WindowRule['recurrence'],
  weekdays: fromJson<number[]>(r.weekdays) ?? [],
  until: r.until,
});

/** Silences and maintenance windows: who may be quiet, when, and why. */
export function createNoiseService(deps: NoiseServiceDeps) {
  const { db, clock, repo, audit } = deps;

  const toSilence = (r: SilenceRow): Silence => ({
    id: r.id,
    matchers: fromJson<Matcher[]>(r.matchers) ?? [],
    startsAt: r.startsAt,
    endsAt: r.endsAt,
    comment: r.comment,
    createdBy: r.createdBy,
    state: silenceState(r, clock.now()),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  });
  const toWindow = (r: WindowRow): MaintenanceWindow => {
    const rule = toRule(r);
    const now = clock.now();
    return {
      ...rule,
      matchers: [...rule.matchers],
      weekdays: [...rule.weekdays],
      comment: r.comment,
      createdBy: r.createdBy,
      activeNow: activeOccurrence(rule, now) !== null,
      nextOccurrences: nextOccurrences(rule, now, 5),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  };
  const mustSilence = async (ex: Kysely<DB>, id: string) => {
    const r = await repo.findSilence(ex, id);
    if (!r) throw notFound('Silence', id);
    return r;
  };
  const mustWindow = async (ex: Kysely<DB>, id: string) => {
    const r = await repo.findWindow(ex, id);
    if (!r) throw notFound('Maintenance window', id);
    return r;
  };
  const checkStartValid = (w: Pick<WindowRule, 'start' | 'timeZone'>) => {
    if (
      nextOccurrences(
        {
          ...w,
          id: '',
          name: '',
          matchers: [],
          durationMinutes: 1,
          recurrence: 'once',
          weekdays: [],
          until: null,
        },
        0,
        1,
      ).length === 0
    )
      throw badRequest(
        `Invalid request: body.start: "${w.start}" is not a valid local time in ${w.timeZone}`,
      );
  };

  return {
    /** For the silence stage. */
    async activeSilences(now: number): Promise<ActiveSilence[]> {
      return (await repo.listSilences(db, now)).map((r) => ({
        ...r,
        matchers: fromJson<Matcher[]>(r.matchers) ?? [],
      }));
    },
    /** For the maintenance stage. */
    windows: async (): Promise<WindowRule[]> => (await repo.listWindows(db)).map(toRule),

    async listSilences(state?: Silence['state']): Promise<Silence[]> {
      const all = (await repo.listSilences(db)).map(toSilence);
      return state ? all.filter((s) => s.state === state) : all;
    },
    getSilence: async (id: string) => toSilence(await mustSilence(db, id)),

    async createSilence(actor: Actor, input: z.output<typeof createSilenceBody>): Promise<Silence> {
      const now = clock.now();
      const startsAt = input.startsAt ?? now;
      if (input.endsAt <= now) throw badRequest('Invalid request: body.endsAt: must be in the future');
      const row: SilenceRow = {
        id: newId(),
        matchers: toJson(input.matchers),
        startsAt,
        endsAt: input.endsAt,
        comment: input.comment,
        createdBy: actor.name,
        createdById: actor.id,
        createdAt: now,
        updatedAt: now,
      };
      return db.transaction().execute(async (trx) => {
        await repo.insertSilence(trx, row);
        const after = toSilence(row);
        await audit.append(trx, now, actor, {
          action: 'silence.create',
          entityType: 'silence',
          entityId: row.id,
          after,
        });
        return after;
      });
    },

    async updateSilence(
      actor: Actor,
      id: string,
      input: z.output<typeof updateSilenceBody>,
    ): Promise<Silence> {
      return db.transaction().execute(async (trx) => {
        const beforeRow = await mustSilence(trx, id);
        const now = clock.now();
        if (silenceState(beforeRow, now) === 'expired')
          throw conflict('The silence has expired; create a new one');
        const startsAt = input.startsAt ?? beforeRow.startsAt;
        const endsAt = input.endsAt ?? beforeRow.endsAt;
        if (endsAt <= startsAt) throw badRequest('Invalid request: body.endsAt: must be after startsAt');
        const { matchers, ...rest } = input;
        await repo.updateSilence(trx, id, {
          ...rest,
          ...(matchers ? { matchers: toJson(matchers) } : {}),
          updatedAt: now,
        });
        const after = toSilence(await mustSilence(trx, id));
        await audit.append(trx, now, actor, {
          action: 'silence.update',
          entityType: 'silence',
          entityId: id,
          before: toSilence(beforeRow),
          after,
        });
        return after;
      });
    },

    /** Ends a silence now; the record stays, as history. */
    async expireSilence(actor: Actor, id: string): Promise<Silence> {
      return db.transaction().execute(async (trx) => {
        const beforeRow = await mustSilence(trx, id);
        const now = clock.now();
        if (beforeRow.endsAt > now)
          await repo.updateSilence(trx, id, {
            endsAt: now,
            startsAt: Math.min(beforeRow.startsAt, now),
            updatedAt: now,
          });
        const after = toSilence(await mustSilence(trx, id));
        await audit.append(trx, now, actor, {
          action: 'silence.expire',
          entityType: 'silence',
          entityId: id,
          before: toSilence(beforeRow),
          after,
        });
        return after;
      });
    },

    async silenceTemplate(alertId: string) {
      const { labels, title } = await deps.alertLabels(alertId);
      return { matchers: matchersFor(labels), comment: `Silenced like alert "${title}"` };
    },

    listWindows: async () => (await repo.listWindows(db)).map(toWindow),
    getWindow: async (id: string) => toWindow(await mustWindow(db, id)),
    preview(input: z.output<typeof createWindowBody>, count = 10) {
      checkStartValid(input);
      return nextOccurrences({ ...input, id: '' }, clock.now(), count);
    },

    async createWindow(actor: Actor, input: z.output<typeof createWindowBody>): Promise<MaintenanceWindow> {
      checkStartValid(input);
      const now = clock.now();
      const row: WindowRow = {
        id: newId(),
        ...input,
        matchers: toJson(input.matchers),
        weekdays: toJson([...new Set(input.weekdays)].sort()),
        createdBy: actor.name,
        createdAt: now,
        updatedAt: now,
      };
      return db.transaction().execute(async (trx) => {
        await repo.insertWindow(trx, row);
        const after = toWindow(row);
        await audit.append(trx, now, actor, {
          action: 'maintenance_window.create',
          entityType: 'maintenance_window',
          entityId: row.id,
          after,
        });
        return after;
      });
    },

    async updateWindow(
      actor: Actor,
      id: string,
      input: z.output<typeof updateWindowBody>,
    ): Promise<MaintenanceWindow> {
      return db.transaction().execute(async (trx) => {
        const beforeRow = await mustWindow(trx, id);
        const merged = { ...toRule(beforeRow), ...input };
        checkStartValid(merged);
        if (merged.recurrence === 'weekly' && merged.weekdays.length === 0)
          throw badRequest('Invalid request: body.weekdays: a weekly window needs at least one weekday');
        const now = clock.now();
        const { matchers, weekdays, ...rest } = input;
        await repo.updateWindow(trx, id, {
          ...rest,
          ...(matchers ? { matchers: toJson(matchers) } : {}),
          ...(weekdays ? { weekdays: toJson([...new Set(weekdays)].sort()) } : {}),
          updatedAt: now,
        });
        const after = toWindow(await mustWindow(trx, id));
        await audit.append(trx, now, actor, {
          action: 'maintenance_window.update',
          entityType: 'maintenance_window',
          entityId: id,
          before: toWindow(beforeRow),
          after,
        });
        return after;
      });
    },

    async deleteWindow(actor: Actor, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const before = toWindow(await mustWindow(trx, id));
        await repo.deleteWindow(trx, id);
        await audit.append(trx, clock.now(), actor, {
          action: 'maintenance_window.delete',
          entityType: 'maintenance_window',
          entityId: id,
          before,
        });
      });
    },
  };
}

export type NoiseService = ReturnType<typeof createNoiseService>;
