import { type Kysely, type Selectable, sql } from 'kysely';
import type {
  DB,
  NotifyAttemptsTable,
  NotifyChannelsTable,
  NotifyContactsTable,
  NotifyMessagesTable,
} from '../../platform/db/schema.ts';

export type ChannelRow = Selectable<NotifyChannelsTable>;
export type ContactRow = Selectable<NotifyContactsTable>;
export type MessageRow = Selectable<NotifyMessagesTable>;
export type AttemptRow = Selectable<NotifyAttemptsTable>;

export interface MessageFilter {
  id?: string | undefined;
  incidentId?: string | undefined;
  channelId?: string | undefined;
  state?: string | undefined;
  before?: string | undefined;
  limit: number;
}

/** SQL for channels, contacts, rule sets, the outbox and its attempts, and one-click tokens. */
export const notifyRepo = {
  listChannels: (db: Kysely<DB>) => db.selectFrom('notifyChannels').selectAll().orderBy('name').execute(),
  findChannel: (db: Kysely<DB>, id: string) =>
    db.selectFrom('notifyChannels').selectAll().where('id', '=', id).executeTakeFirst(),
  insertChannel: (db: Kysely<DB>, row: ChannelRow) => db.insertInto('notifyChannels').values(row).execute(),
  updateChannel: (db: Kysely<DB>, id: string, patch: Partial<ChannelRow>) =>
    db.updateTable('notifyChannels').set(patch).where('id', '=', id).execute(),
  deleteChannel: (db: Kysely<DB>, id: string) =>
    db.deleteFrom('notifyChannels').where('id', '=', id).execute(),

  /** Health after an attempt; `failing` flips once, so the caller knows when to raise the alarm. */
  async recordChannelSuccess(db: Kysely<DB>, id: string, now: number): Promise<void> {
    await db
      .updateTable('notifyChannels')
      .set({ health: 'ok', consecutiveFailures: 0, lastSuccessAt: now })
      .where('id', '=', id)
      .execute();
  },
  async recordChannelFailure(
    db: Kysely<DB>,
    id: string,
    now: number,
    error: string,
    failAfter: number,
  ): Promise<{ becameFailing: boolean; failures: number }> {
    const row = await db
      .updateTable('notifyChannels')
      .set({
        consecutiveFailures: sql`consecutive_failures + 1`,
        lastFailureAt: now,
        lastError: error.slice(0, 1000),
      })
      .where('id', '=', id)
      .returning(['consecutiveFailures', 'health'])
      .executeTakeFirst();
    if (!row) return { becameFailing: false, failures: 0 };
    if (row.consecutiveFailures < failAfter || row.health === 'failing') {
      return { becameFailing: false, failures: row.consecutiveFailures };
    }
    const flipped = await db
      .updateTable('notifyChannels')
      .set({ health: 'failing' })
      .where('id', '=', id)
      .where('health', '<>', 'failing')
      .executeTakeFirst();
    return { becameFailing: Number(flipped.numUpdatedRows) > 0, failures: row.consecutiveFailures };
  },

  listContacts: (db: Kysely<DB>, userIds: string[]) =>
    db
      .selectFrom('notifyContacts')
      .selectAll()
      .where('userId', 'in', userIds.length ? userIds : [''])
      .orderBy('createdAt')
      .execute(),
  insertContact: (db: Kysely<DB>, row: ContactRow) => db.insertInto('notifyContacts').values(row).execute(),
  deleteContact: async (db: Kysely<DB>, userId: string, id: string): Promise<boolean> => {
    const r = await db
      .deleteFrom('notifyContacts')
      .where('id', '=', id)
      .where('userId', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },

  findRuleSet: (db: Kysely<DB>, owner: string) =>
    db.selectFrom('notifyRuleSets').selectAll().where('owner', '=', owner).executeTakeFirst(),
  findRuleSets: (db: Kysely<DB>, owners: string[]) =>
    db
      .selectFrom('notifyRuleSets')
      .selectAll()
      .where('owner', 'in', owners.length ? owners : [''])
      .execute(),
  upsertRuleSet: (db: Kysely<DB>, owner: string, rules: string, now: number) =>
    db
      .insertInto('notifyRuleSets')
      .values({ owner, rules, updatedAt: now })
      .onConflict((oc) => oc.column('owner').doUpdateSet({ rules, updatedAt: now }))
      .execute(),
  teamsOfUser: async (db: Kysely<DB>, userId: string): Promise<string[]> =>
    (
      await db
        .selectFrom('teamMembers')
        .select('teamId')
        .where('userId', '=', userId)
        .orderBy('teamId')
        .execute()
    ).map((r) => r.teamId),
  teamExists: async (db: Kysely<DB>, id: string): Promise<boolean> =>
    !!(await db.selectFrom('teams').select('id').where('id', '=', id).executeTakeFirst()),
  findUser: (db: Kysely<DB>, id: string) =>
    db
      .selectFrom('users')
      .select(['id', 'username', 'displayName', 'email', 'locale', 'disabledAt'])
      .where('id', '=', id)
      .executeTakeFirst(),

  /** Adds a message unless one with its dedupe key exists; true when it was added. */
  async insertMessage(db: Kysely<DB>, row: MessageRow): Promise<boolean> {
    const r = await db
      .insertInto('notifyMessages')
      .values(row)
      .onConflict((oc) => oc.column('dedupeKey').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  },
  /** Who was reached about an incident, and how: the sent pages, one row per person, channel and address. */
  pagedRecipients: (db: Kysely<DB>, incidentId: string) =>
    db
      .selectFrom('notifyMessages')
      .select(['userId', 'channelId', 'recipient', 'locale'])
      .where('incidentId', '=', incidentId)
      .where('purpose', '=', 'page')
      .where('state', '=', 'sent')
      .distinct()
      .execute(),
  findMessage: (db: Kysely<DB>, id: string) =>
    db.selectFrom('notifyMessages').selectAll().where('id', '=', id).executeTakeFirst(),

  /**
   * The claim: one conditional UPDATE moves the message from pending to sending for this worker. Only
   * one claimant can win it, across processes and instances; the loser sends nothing.
   */
  async claimMessage(db: Kysely<DB>, id: string, workerId: string, now: number, until: number) {
    return db
      .updateTable('notifyMessages')
      .set({
        state: 'sending',
        claimedBy: workerId,
        claimedUntil: until,
        attempts: sql`attempts + 1`,
        updatedAt: now,
      })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .where('nextAttemptAt', '<=', now)
      .returningAll()
      .executeTakeFirst();
  },
  /** Finishes an attempt, if this worker still holds the claim. */
  async finishAttempt(
    db: Kysely<DB>,
    id: string,
    workerId: string,
    patch: Partial<MessageRow>,
  ): Promise<boolean> {
    const r = await db
      .updateTable('notifyMessages')
      .set({ ...patch, claimedBy: null, claimedUntil: null })
      .where('id', '=', id)
      .where('state', '=', 'sending')
      .where('claimedBy', '=', workerId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  /** A claim whose worker died before recording the outcome: the send may or may not have happened. */
  async markAbandoned(db: Kysely<DB>, id: string, now: number, error: string): Promise<boolean> {
    const r = await db
      .updateTable('notifyMessages')
      .set({ state: 'unknown', lastError: error, claimedBy: null, claimedUntil: null, updatedAt: now })
      .where('id', '=', id)
      .where('state', '=', 'sending')
      .where('claimedUntil', '<', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  async cancelMessage(db: Kysely<DB>, id: string, now: number, reason: string): Promise<boolean> {
    const r = await db
      .updateTable('notifyMessages')
      .set({ state: 'cancelled', lastError: reason, updatedAt: now })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  deferMessage: (db: Kysely<DB>, id: string, at: number, now: number) =>
    db
      .updateTable('notifyMessages')
      .set({ nextAttemptAt: at, updatedAt: now })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .execute(),
  insertAttempt: (db: Kysely<DB>, row: AttemptRow) => db.insertInto('notifyAttempts').values(row).execute(),
  /**
   * Takes one send slot of the channel's per-minute limit, or says when the next one frees up. A generic
   * cell rate algorithm in one conditional UPDATE: `limit` messages may go at once, then one every
   * 60 s / limit, so no sliding minute ever holds more than `limit`, across every instance.
   */
  async takeRateSlot(db: Kysely<DB>, id: string, now: number, limit: number): Promise<number | null> {
    const interval = Math.ceil(60_000 / limit);
    const r = await db
      .updateTable('notifyChannels')
      .set({
        rateTat: sql<number>`(CASE WHEN rate_tat > ${now} THEN rate_tat ELSE ${now} END) + ${interval}`,
      })
      .where('id', '=', id)
      .where(sql<number>`COALESCE(rate_tat, 0)`, '<=', now + 60_000 - interval)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) return null;
    const row = await db
      .selectFrom('notifyChannels')
      .select('rateTat')
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(row?.rateTat ?? now) - 60_000 + interval;
  },
  listMessages(db: Kysely<DB>, f: MessageFilter) {
    let q = db
      .selectFrom('notifyMessages')
      .innerJoin('notifyChannels', 'notifyChannels.id', 'notifyMessages.channelId')
      .selectAll('notifyMessages')
      .select(['notifyChannels.name as channelName', 'notifyChannels.kind as channelKind'])
      .orderBy('notifyMessages.id', 'desc')
      .limit(f.limit);
    if (f.id) q = q.where('notifyMessages.id', '=', f.id);
    if (f.incidentId) q = q.where('notifyMessages.incidentId', '=', f.incidentId);
    if (f.channelId) q = q.where('notifyMessages.channelId', '=', f.channelId);
    if (f.state) q = q.where('notifyMessages.state', '=', f.state);
    if (f.before) q = q.where('notifyMessages.id', '<', f.before);
    return q.execute();
  },
  listAttempts: (db: Kysely<DB>, messageId: string) =>
    db
      .selectFrom('notifyAttempts')
      .selectAll()
      .where('messageId', '=', messageId)
      .orderBy('at')
      .orderBy('attempt')
      .execute(),

  insertActionToken: (
    db: Kysely<DB>,
    row: {
      id: string;
      incidentId: string;
      action: string;
      userId: string | null;
      expiresAt: number;
      createdAt: number;
    },
  ) =>
    db
      .insertInto('notifyActionTokens')
      .values({ ...row, usedAt: null })
      .execute(),
  findActionToken: (db: Kysely<DB>, id: string) =>
    db.selectFrom('notifyActionTokens').selectAll().where('id', '=', id).executeTakeFirst(),
  /** Single use: only the first caller turns `usedAt` from null to now. */
  async useActionToken(db: Kysely<DB>, id: string, now: number): Promise<boolean> {
    const r = await db
      .updateTable('notifyActionTokens')
      .set({ usedAt: now })
      .where('id', '=', id)
      .where('usedAt', 'is', null)
      .where('expiresAt', '>', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async getOrCreateKey(db: Kysely<DB>, name: string, value: string, now: number): Promise<string> {
    await db
      .insertInto('notifyKeys')
      .values({ name, value, createdAt: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await db
      .selectFrom('notifyKeys')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return row.value;
  },
};

export type NotifyRepo = typeof notifyRepo;
