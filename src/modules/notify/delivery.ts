import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { systemActor } from '../../platform/audit/audit.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import { fromJson } from '../../platform/db/constraint-errors.ts';
import type { DB } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { type ChannelKind, SENDERS } from './channels/index.ts';
import type { MessageContent, SendResult } from './channels/types.ts';
import type { ChannelRow, MessageRow, NotifyRepo } from './notify.repo.ts';
import type { ChannelHealthHook, IncidentsPort } from './ports.ts';

export const JOB_DELIVER = 'notify.deliver';
const MINUTE = 60_000;

/** Adds a durable job inside the caller's transaction. */
export type EnqueueIn = (
  ex: Kysely<DB>,
  kind: string,
  payload: unknown,
  options: { runAt: number; dedupeKey: string },
) => Promise<boolean>;

/** What an outbox row's `content` holds: the rendered message and whom a group robot should mention. */
export interface StoredContent {
  content: MessageContent;
  mention: { mobiles: string[]; userIds: string[] };
}

/** 2 s, 4 s, 8 s … up to 5 min, ±20 % so a burst of failures does not retry in lockstep. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(2000 * 2 ** (attempt - 1), 5 * MINUTE);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface DeliveryDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: NotifyRepo;
  logger: Logger;
  enqueue: EnqueueIn;
  incidents: Pick<IncidentsPort, 'record' | 'facts'> | null;
  onChannelHealth?: ChannelHealthHook | undefined;
  sendTimeoutMs: number;
  /** Consecutive failed attempts after which a channel counts as failing. */
  failAfter?: number;
  workerId: string;
  /** Called after this process queued due work (wakes the job worker). */
  wake?: () => void;
}

export const deliveryJobKey = (messageId: string, attempt: number) => `notify:${messageId}:${attempt}`;

/**
 * Delivers one outbox message per job run. The exactly-once part is the claim: a conditional UPDATE
 * (pending → sending) that only one worker of one instance wins, before anything is sent; the outcome
 * is then written by the claim holder only.
 *
 * A process that dies after the vendor accepted the message but before the outcome is written leaves
 * the row in `sending`. When its claim runs out, the row becomes `unknown` and is NOT sent again: a
 * second copy of a page is what the dedupe key promises never to produce, and the cost of the other
 * choice (a page perhaps lost) is bounded, because the incident stays unacknowledged and escalation
 * keeps paging the next step and round. The window is the few milliseconds between the vendor's reply
 * and one UPDATE, and each such message shows as "outcome unknown" in the delivery log and timeline.
 */
export function createDelivery(deps: DeliveryDeps) {
  const { db, clock, repo, logger, incidents } = deps;
  const failAfter = deps.failAfter ?? 3;
  const system = systemActor('notify');
  const claimMs = deps.sendTimeoutMs + 5000;

  async function timeline(
    ex: Kysely<DB>,
    msg: MessageRow,
    channel: Pick<ChannelRow, 'name' | 'kind'> | undefined,
    data: Record<string, unknown>,
    key: string,
  ): Promise<void> {
    if (!msg.incidentId || !incidents) return;
    await incidents.record(
      ex,
      msg.incidentId,
      system,
      'notification_delivery',
      {
        messageId: msg.id,
        channel: channel?.name ?? null,
        channelKind: channel?.kind ?? null,
        to: msg.recipient || null,
        userId: msg.userId,
        ...data,
      },
      `notify:${msg.id}:${key}`,
    );
  }

  async function health(channel: ChannelRow, result: SendResult, now: number): Promise<void> {
    if (result.ok) {
      if (channel.health === 'failing') {
        await repo.recordChannelSuccess(db, channel.id, now);
        await deps.onChannelHealth?.({
          channelId: channel.id,
          channelName: channel.name,
          kind: channel.kind,
          state: 'ok',
          failures: 0,
          lastError: null,
          at: now,
        });
      } else if (channel.health !== 'ok' || channel.consecutiveFailures > 0) {
        await repo.recordChannelSuccess(db, channel.id, now);
      }
      return;
    }
    const { becameFailing, failures } = await repo.recordChannelFailure(
      db,
      channel.id,
      now,
      result.error,
      failAfter,
    );
    if (becameFailing) {
      logger.warn(
        { channel: channel.name, failures, error: result.error },
        'notification channel is failing',
      );
      await deps.onChannelHealth?.({
        channelId: channel.id,
        channelName: channel.name,
        kind: channel.kind,
        state: 'failing',
        failures,
        lastError: result.error,
        at: now,
      });
    }
  }

  async function deliver(payload: { messageId: string }): Promise<void> {
    const now = clock.now();
    const msg = await repo.findMessage(db, payload.messageId);
    if (!msg) return;
    if (msg.state === 'sending') {
      if ((msg.claimedUntil ?? 0) >= now) throw new Error('message is being sent by another worker');
      await db.transaction().execute(async (trx) => {
        const error = 'the process stopped during the send; not sent again, so it is never sent twice';
        if (!(await repo.markAbandoned(trx, msg.id, now, error))) return;
        await repo.insertAttempt(trx, {
          id: newId(),
          messageId: msg.id,
          channelId: msg.channelId,
          attempt: msg.attempts,
          at: now,
          durationMs: 0,
          outcome: 'unknown',
          statusCode: null,
          error,
        });
        const channel = await repo.findChannel(trx, msg.channelId);
        await timeline(
          trx,
          msg,
          channel,
          { status: 'unknown', attempt: msg.attempts, error },
          `a${msg.attempts}`,
        );
      });
      return;
    }
    if (msg.state !== 'pending') return;
    if (msg.nextAttemptAt > now) {
      await deps.enqueue(
        db,
        JOB_DELIVER,
        { messageId: msg.id },
        {
          runAt: msg.nextAttemptAt,
          dedupeKey: `${deliveryJobKey(msg.id, msg.attempts + 1)}:${msg.nextAttemptAt}`,
        },
      );
      return;
    }

    if (msg.cancelIfAcked && msg.incidentId && incidents) {
      const facts = await incidents.facts(db, msg.incidentId);
      if (facts?.state !== 'triggered') {
        const reason = facts ? `incident is ${facts.state}` : 'incident no longer exists';
        await db.transaction().execute(async (trx) => {
          if (await repo.cancelMessage(trx, msg.id, now, reason)) {
            const channel = await repo.findChannel(trx, msg.channelId);
            await timeline(trx, msg, channel, { status: 'cancelled', reason }, 'cancelled');
          }
        });
        return;
      }
    }

    const channel = await repo.findChannel(db, msg.channelId);
    if (!channel || channel.disabledAt !== null) {
      await db.transaction().execute(async (trx) => {
        const reason = channel ? 'channel is disabled' : 'channel was deleted';
        if (await repo.cancelMessage(trx, msg.id, now, reason)) {
          await timeline(trx, msg, channel, { status: 'cancelled', reason }, 'cancelled');
        }
      });
      return;
    }

    // Per-channel rate limit (DingTalk and WeCom robots refuse more than 20 a minute and then block the
    // robot for a while): without a free slot the message waits for the next one.
    if (channel.ratePerMinute > 0) {
      const wait = await repo.takeRateSlot(db, channel.id, now, channel.ratePerMinute);
      if (wait !== null) {
        const at = Math.max(wait, now + 1);
        await repo.deferMessage(db, msg.id, at, now);
        await deps.enqueue(
          db,
          JOB_DELIVER,
          { messageId: msg.id },
          {
            runAt: at,
            dedupeKey: `${deliveryJobKey(msg.id, msg.attempts + 1)}:rl:${at}`,
          },
        );
        return;
      }
    }

    const claimed = await repo.claimMessage(db, msg.id, deps.workerId, now, now + claimMs);
    if (!claimed) return; // another worker or instance has it
    const attempt = claimed.attempts;
    const stored = fromJson<StoredContent>(claimed.content) as StoredContent;
    const started = performance.now();
    let result: SendResult;
    try {
      const sender = SENDERS[channel.kind as ChannelKind];
      if (!sender) throw new Error(`unknown channel kind "${channel.kind}"`);
      result = await sender.send(
        JSON.parse(channel.settings) as never,
        JSON.parse(channel.secrets) as never,
        { id: claimed.id, recipient: claimed.recipient, content: stored.content, mention: stored.mention },
        { now: clock.now(), timeoutMs: deps.sendTimeoutMs },
      );
    } catch (err) {
      result = { ok: false, retry: false, error: `internal: ${(err as Error).message}` };
    }
    const durationMs = Math.round(performance.now() - started);
    const done = clock.now();

    await db.transaction().execute(async (trx) => {
      let outcome: 'sent' | 'retry' | 'failed';
      let nextAt: number | null = null;
      if (result.ok) {
        outcome = 'sent';
        await repo.finishAttempt(trx, claimed.id, deps.workerId, {
          state: 'sent',
          sentAt: done,
          lastError: null,
          updatedAt: done,
        });
      } else if (result.retry && attempt < claimed.maxAttempts) {
        outcome = 'retry';
        nextAt = done + Math.max(backoffMs(attempt), result.retryAfterMs ?? 0);
        await repo.finishAttempt(trx, claimed.id, deps.workerId, {
          state: 'pending',
          nextAttemptAt: nextAt,
          lastError: result.error,
          updatedAt: done,
        });
        await deps.enqueue(
          trx,
          JOB_DELIVER,
          { messageId: claimed.id },
          {
            runAt: nextAt,
            dedupeKey: deliveryJobKey(claimed.id, attempt + 1),
          },
        );
      } else {
        outcome = 'failed';
        await repo.finishAttempt(trx, claimed.id, deps.workerId, {
          state: 'failed',
          lastError: result.ok ? null : result.error,
          updatedAt: done,
        });
      }
      await repo.insertAttempt(trx, {
        id: newId(),
        messageId: claimed.id,
        channelId: channel.id,
        attempt,
        at: done,
        durationMs,
        outcome,
        statusCode: result.statusCode ?? null,
        error: result.ok ? null : result.error.slice(0, 2000),
      });
      await timeline(
        trx,
        claimed,
        channel,
        {
          status: outcome,
          attempt,
          statusCode: result.statusCode ?? null,
          error: result.ok ? null : result.error.slice(0, 500),
          ...(nextAt ? { nextAttemptAt: nextAt } : {}),
        },
        `a${attempt}`,
      );
    });
    await health(channel, result, done);
  }

  return {
    deliver,
    handler: async (payload: unknown) => {
      if (
        !payload ||
        typeof payload !== 'object' ||
        typeof (payload as { messageId?: unknown }).messageId !== 'string'
      )
        return;
      await deliver(payload as { messageId: string });
    },
  };
}

export type Delivery = ReturnType<typeof createDelivery>;
