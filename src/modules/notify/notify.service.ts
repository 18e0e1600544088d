import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Actor, AuditRepo } from '../../platform/audit/audit.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import { fromJson, toJson } from '../../platform/db/constraint-errors.ts';
import type { DB } from '../../platform/db/schema.ts';
import { badRequest, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { type ChannelKind, DEFAULT_RATE_PER_MINUTE } from './channels/index.ts';
import type { StoredContent } from './delivery.ts';
import type { ChannelRow, NotifyRepo } from './notify.repo.ts';
import {
  type Channel,
  type Contact,
  channelKinds,
  type contactBody,
  type createChannelBody,
  type DeliveryMessage,
  type NotifyRule,
  type updateChannelBody,
} from './notify.schemas.ts';
import type { Outbox } from './outbox.ts';

export interface NotifyServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: NotifyRepo;
  audit: Pick<AuditRepo, 'append'>;
  outbox: Pick<Outbox, 'sendTest'>;
  /** Wakes the job worker after a commit that queued due work. */
  wake?: () => void;
}

const toChannel = (row: ChannelRow): Channel => ({
  id: row.id,
  name: row.name,
  kind: row.kind as ChannelKind,
  settings: fromJson<Record<string, unknown>>(row.settings) ?? {},
  secretsSet: Object.keys(fromJson<Record<string, unknown>>(row.secrets) ?? {}).sort(),
  ratePerMinute: row.ratePerMinute,
  enabled: row.disabledAt === null,
  health: row.health as Channel['health'],
  consecutiveFailures: row.consecutiveFailures,
  lastError: row.lastError,
  lastSuccessAt: row.lastSuccessAt,
  lastFailureAt: row.lastFailureAt,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

/** Validates one part (settings or secrets) against the kind's schema; issues name the body field. */
function parsePart<T>(schema: z.ZodType<T>, value: unknown, where: string, kind: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({
    path: [where, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
  throw badRequest(`Invalid ${kind} channel: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    issues,
  });
}

/** Channels, contact methods, rules and the delivery log: the configuration side of notifications. */
export function createNotifyService(deps: NotifyServiceDeps) {
  const { db, clock, repo, audit } = deps;

  async function mustFindChannel(ex: Kysely<DB>, id: string): Promise<ChannelRow> {
    const row = await repo.findChannel(ex, id);
    if (!row) throw notFound('Channel', id);
    return row;
  }

  async function checkRules(ex: Kysely<DB>, rules: NotifyRule[]): Promise<void> {
    for (const [i, rule] of rules.entries()) {
      if (!(await repo.findChannel(ex, rule.channelId))) {
        throw badRequest(`rules.${i}.channelId: channel ${rule.channelId} does not exist`, {
          issues: [{ path: `body.rules.${i}.channelId`, message: 'no such channel' }],
        });
      }
    }
  }

  return {
    listChannels: async () => (await repo.listChannels(db)).map(toChannel),
    getChannel: async (id: string) => toChannel(await mustFindChannel(db, id)),

    async createChannel(actor: Actor, input: z.output<typeof createChannelBody>): Promise<Channel> {
      const spec = channelKinds[input.kind];
      const settings = parsePart(spec.settings as z.ZodType, input.settings, 'body.settings', input.kind);
      const secrets = parsePart(spec.secrets as z.ZodType, input.secrets, 'body.secrets', input.kind);
      const now = clock.now();
      const row: ChannelRow = {
        id: newId(),
        name: input.name,
        kind: input.kind,
        settings: toJson(settings),
        secrets: toJson(secrets),
        ratePerMinute: input.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE[input.kind],
        rateTat: null,
        disabledAt: input.enabled ? null : now,
        health: 'unknown',
        consecutiveFailures: 0,
        lastError: null,
        lastSuccessAt: null,
        lastFailureAt: null,
        createdAt: now,
        updatedAt: now,
      };
      return db.transaction().execute(async (trx) => {
        await repo.insertChannel(trx, row);
        const channel = toChannel(row);
        // The audit entry holds the public view: which secrets are set, never their values.
        await audit.append(trx, now, actor, {
          action: 'notify.channel.create',
          entityType: 'notify_channel',
          entityId: row.id,
          after: channel,
        });
        return channel;
      });
    },

    async updateChannel(
      actor: Actor,
      id: string,
      input: z.output<typeof updateChannelBody>,
    ): Promise<Channel> {
      return db.transaction().execute(async (trx) => {
        const row = await mustFindChannel(trx, id);
        const kind = row.kind as ChannelKind;
        const spec = channelKinds[kind];
        const now = clock.now();
        const patch: Partial<ChannelRow> = { updatedAt: now };
        if (input.name !== undefined) patch.name = input.name;
        if (input.settings !== undefined) {
          patch.settings = toJson(
            parsePart(spec.settings as z.ZodType, input.settings, 'body.settings', kind),
          );
        }
        if (input.secrets !== undefined) {
          const merged = { ...(fromJson<Record<string, unknown>>(row.secrets) ?? {}), ...input.secrets };
          patch.secrets = toJson(parsePart(spec.secrets as z.ZodType, merged, 'body.secrets', kind));
        }
        if (input.ratePerMinute !== undefined) patch.ratePerMinute = input.ratePerMinute;
        if (input.enabled !== undefined) patch.disabledAt = input.enabled ? null : (row.disabledAt ?? now);
        await repo.updateChannel(trx, id, patch);
        const before = toChannel(row);
        const after = toChannel(await mustFindChannel(trx, id));
        await audit.append(trx, now, actor, {
          action: 'notify.channel.update',
          entityType: 'notify_channel',
          entityId: id,
          before,
          after: {
            ...after,
            ...(input.secrets ? { secretsChanged: Object.keys(input.secrets).sort() } : {}),
          },
        });
        return after;
      });
    },

    async deleteChannel(actor: Actor, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await mustFindChannel(trx, id);
        await repo.deleteChannel(trx, id);
        await audit.append(trx, clock.now(), actor, {
          action: 'notify.channel.delete',
          entityType: 'notify_channel',
          entityId: id,
          before: toChannel(row),
        });
      });
    },

    async sendTest(
      by: { userId: string; name: string },
      channelId: string,
      to: string | undefined,
    ): Promise<string> {
      const id = await db.transaction().execute((trx) => deps.outbox.sendTest(trx, channelId, by, to));
      deps.wake?.();
      return id;
    },

    async myContacts(userId: string): Promise<Contact[]> {
      return (await repo.listContacts(db, [userId])).map(({ userId: _, ...c }) => c as Contact);
    },
    async addContact(actor: Actor, userId: string, input: z.output<typeof contactBody>): Promise<Contact> {
      const now = clock.now();
      const row = { id: newId(), userId, ...input, createdAt: now };
      return db.transaction().execute(async (trx) => {
        await repo.insertContact(trx, row);
        await audit.append(trx, now, actor, {
          action: 'notify.contact.create',
          entityType: 'user',
          entityId: userId,
          after: { kind: row.kind, address: row.address, label: row.label },
        });
        const { userId: _, ...contact } = row;
        return contact;
      });
    },
    async removeContact(actor: Actor, userId: string, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        if (!(await repo.deleteContact(trx, userId, id))) throw notFound('Contact method', id);
        await audit.append(trx, clock.now(), actor, {
          action: 'notify.contact.delete',
          entityType: 'user',
          entityId: userId,
          before: { id },
        });
      });
    },

    async rules(owner: string): Promise<{ rules: NotifyRule[]; updatedAt: number | null }> {
      const row = await repo.findRuleSet(db, owner);
      return { rules: fromJson<NotifyRule[]>(row?.rules ?? null) ?? [], updatedAt: row?.updatedAt ?? null };
    },
    /** The rules that apply to a user now: their own, else a team's default. */
    async effectiveRules(userId: string): Promise<{ rules: NotifyRule[]; from: string | null }> {
      const own = fromJson<NotifyRule[]>((await repo.findRuleSet(db, `user:${userId}`))?.rules ?? null) ?? [];
      if (own.length) return { rules: own, from: null };
      const teams = await repo.teamsOfUser(db, userId);
      const sets = await repo.findRuleSets(
        db,
        teams.map((t) => `team:${t}`),
      );
      for (const t of teams) {
        const rules = fromJson<NotifyRule[]>(sets.find((s) => s.owner === `team:${t}`)?.rules ?? null) ?? [];
        if (rules.length) return { rules, from: t };
      }
      return { rules: [], from: null };
    },
    async setRules(actor: Actor, owner: string, rules: NotifyRule[]) {
      return db.transaction().execute(async (trx) => {
        await checkRules(trx, rules);
        const before = fromJson<NotifyRule[]>((await repo.findRuleSet(trx, owner))?.rules ?? null) ?? [];
        const now = clock.now();
        await repo.upsertRuleSet(trx, owner, toJson(rules), now);
        const [type, id] = owner.split(':') as [string, string];
        await audit.append(trx, now, actor, {
          action: 'notify.rules.update',
          entityType: type,
          entityId: id,
          before: { rules: before },
          after: { rules },
        });
        return { rules, updatedAt: now };
      });
    },
    ensureTeam: async (teamId: string) => {
      if (!(await repo.teamExists(db, teamId))) throw notFound('Team', teamId);
    },

    async listMessages(filter: Parameters<NotifyRepo['listMessages']>[1]): Promise<DeliveryMessage[]> {
      const rows = await repo.listMessages(db, filter);
      return rows.map((r) => ({
        id: r.id,
        channelId: r.channelId,
        channelName: r.channelName,
        channelKind: r.channelKind as ChannelKind,
        incidentId: r.incidentId,
        userId: r.userId,
        purpose: r.purpose,
        recipient: r.recipient,
        locale: r.locale,
        subject: (fromJson<StoredContent>(r.content) as StoredContent).content.subject,
        state: r.state as DeliveryMessage['state'],
        attempts: r.attempts,
        nextAttemptAt: r.nextAttemptAt,
        lastError: r.lastError,
        sentAt: r.sentAt,
        createdAt: r.createdAt,
      }));
    },
    async getMessage(id: string) {
      const [row] = await this.listMessages({ id, limit: 1 });
      if (!row) throw notFound('Message', id);
      const attempts = await repo.listAttempts(db, id);
      return {
        ...row,
        attemptLog: attempts.map((a) => ({
          attempt: a.attempt,
          at: a.at,
          durationMs: a.durationMs,
          outcome: a.outcome,
          statusCode: a.statusCode,
          error: a.error,
        })),
      };
    },
  };
}

export type NotifyService = ReturnType<typeof createNotifyService>;
