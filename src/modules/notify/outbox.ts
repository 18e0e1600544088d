import type { Kysely } from 'kysely';
import { systemActor } from '../../platform/audit/audit.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import { fromJson, toJson } from '../../platform/db/constraint-errors.ts';
import type { DB } from '../../platform/db/schema.ts';
import { badRequest, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { type ChannelKind, CONTACT_FOR_CHANNEL } from './channels/index.ts';
import { deliveryJobKey, type EnqueueIn, JOB_DELIVER, type StoredContent } from './delivery.ts';
import type { ActionLinks } from './links.ts';
import type { ChannelRow, ContactRow, NotifyRepo } from './notify.repo.ts';
import type { NotifyRule } from './notify.schemas.ts';
import type { IncidentFacts, IncidentsPort } from './ports.ts';
import { type AlertFacts, localeOf, type NotificationSubject, renderMessage } from './templates.ts';

/** One page the escalation asks for (the incidents module's PageRequest, by shape). */
export interface PageRequest {
  incident: { id: string; ref: string; title: string; severity: string };
  target: { userId: string; name: string };
  step: { index: number; round: number };
  dedupeKey: string;
}

export interface OutboxDeps {
  clock: Clock;
  repo: NotifyRepo;
  links: ActionLinks;
  incidents: Pick<IncidentsPort, 'facts' | 'record'> | null;
  enqueue: EnqueueIn;
  baseUrl: string;
  timeZone: string;
  maxAttempts?: number;
}

const DIRECT: ReadonlySet<ChannelKind> = new Set(['email', 'sms']);
const MINUTE = 60_000;

const first = (o: Record<string, string>, ...keys: string[]) => {
  for (const k of keys) if (o[k]) return o[k];
  return null;
};

/** What fired, from the alert's labels and annotations as the rules and ingest stages write them. */
export function alertFacts(facts: IncidentFacts): AlertFacts[] {
  return facts.alerts.map((a) => ({
    name: first(a.labels, 'alertname', 'rule') ?? first(a.annotations, 'rule') ?? 'alert',
    summary: first(a.annotations, 'summary', 'description', 'message'),
    value: first(a.annotations, 'value'),
    threshold: first(a.annotations, 'threshold'),
    expected: first(a.annotations, 'expected_band', 'expected'),
    since: a.startsAt,
    runbookUrl: first(a.annotations, 'runbook_url', 'runbook'),
    kbUrl: first(a.annotations, 'kb_url', 'knowledge_url', 'kb'),
  }));
}

/** Puts messages in the outbox (never sends): pages from escalation steps, and test messages. */
export function createOutbox(deps: OutboxDeps) {
  const { clock, repo, links, incidents } = deps;
  const maxAttempts = deps.maxAttempts ?? 6;
  const system = systemActor('notify');
  const incidentUrl = (id: string) => `${deps.baseUrl.replace(/\/+$/, '')}/incidents/${id}`;

  async function enqueueMessage(
    ex: Kysely<DB>,
    row: {
      dedupeKey: string;
      channel: ChannelRow;
      incidentId: string | null;
      userId: string | null;
      purpose: string;
      recipient: string;
      locale: string;
      stored: StoredContent;
      sendAt: number;
      cancelIfAcked: boolean;
    },
  ): Promise<string | null> {
    const now = clock.now();
    const id = newId();
    const inserted = await repo.insertMessage(ex, {
      id,
      dedupeKey: row.dedupeKey,
      channelId: row.channel.id,
      incidentId: row.incidentId,
      userId: row.userId,
      purpose: row.purpose,
      recipient: row.recipient,
      locale: row.locale,
      content: toJson(row.stored),
      state: 'pending',
      attempts: 0,
      maxAttempts,
      nextAttemptAt: row.sendAt,
      claimedBy: null,
      claimedUntil: null,
      lastError: null,
      cancelIfAcked: row.cancelIfAcked ? 1 : 0,
      sentAt: null,
      createdAt: now,
      updatedAt: now,
    });
    if (!inserted) return null;
    await deps.enqueue(
      ex,
      JOB_DELIVER,
      { messageId: id },
      { runAt: row.sendAt, dedupeKey: deliveryJobKey(id, 1) },
    );
    return id;
  }

  /** The user's own rules, else the first of their teams' defaults; null when neither has any. */
  async function rulesOf(
    ex: Kysely<DB>,
    userId: string,
  ): Promise<{ rules: NotifyRule[]; from: string } | null> {
    const own = await repo.findRuleSet(ex, `user:${userId}`);
    const ownRules = fromJson<NotifyRule[]>(own?.rules ?? null) ?? [];
    if (ownRules.length) return { rules: ownRules, from: 'user' };
    const teams = await repo.teamsOfUser(ex, userId);
    const sets = await repo.findRuleSets(
      ex,
      teams.map((t) => `team:${t}`),
    );
    for (const team of teams) {
      const set = sets.find((s) => s.owner === `team:${team}`);
      const rules = fromJson<NotifyRule[]>(set?.rules ?? null) ?? [];
      if (rules.length) return { rules, from: `team:${team}` };
    }
    return null;
  }

  function mentionOf(contacts: ContactRow[], kind: ChannelKind) {
    const contactKind = CONTACT_FOR_CHANNEL[kind];
    return {
      mobiles: contacts.filter((c) => c.kind === 'phone').map((c) => c.address.replace(/[\s-]/g, '')),
      userIds:
        contactKind && contactKind !== 'phone'
          ? contacts.filter((c) => c.kind === contactKind).map((c) => c.address)
          : [],
    };
  }

  return {
    /**
     * The incidents module's Notifier: called inside the escalation step's transaction, so the outbox
     * rows and their delivery jobs commit with the step (or not at all). The job worker wakes itself when
     * the escalation job finishes, so the delivery jobs are claimed right after that commit.
     */
    async page(ex: Kysely<DB>, req: PageRequest): Promise<void> {
      const { incident, target } = req;
      const note = (data: Record<string, unknown>, key: string) =>
        incidents?.record(
          ex,
          incident.id,
          system,
          'notification',
          {
            userId: target.userId,
            userName: target.name,
            step: req.step.index + 1,
            round: req.step.round + 1,
            ...data,
          },
          `${req.dedupeKey}:${key}`,
        );

      const user = await repo.findUser(ex, target.userId);
      if (!user || user.disabledAt !== null) {
        await note({ status: 'no_route', reason: 'user is disabled or gone' }, 'no-user');
        return;
      }
      const contacts = await repo.listContacts(ex, [user.id]);
      if (user.email && !contacts.some((c) => c.kind === 'email')) {
        contacts.push({
          id: 'profile',
          userId: user.id,
          kind: 'email',
          address: user.email,
          label: '',
          createdAt: 0,
        });
      }
      const channels = await repo.listChannels(ex);
      const found = await rulesOf(ex, user.id);
      let rules = (found?.rules ?? []).filter((r) => r.severity === incident.severity);
      let from = found?.from ?? 'default';
      if (rules.length === 0) {
        // Nobody said how: e-mail at once, through the first e-mail channel, if there is an address.
        const mail = channels.find((c) => c.kind === 'email' && c.disabledAt === null);
        if (mail)
          rules = [
            { severity: incident.severity as NotifyRule['severity'], channelId: mail.id, delayMinutes: 0 },
          ];
        from = 'default';
      }
      if (rules.length === 0) {
        await note({ status: 'no_route', reason: 'no notification rule and no e-mail channel' }, 'no-route');
        return;
      }

      const facts = incidents ? await incidents.facts(ex, incident.id) : null;
      const locale = localeOf(user.locale);
      const now = clock.now();
      for (const rule of rules) {
        const channel = channels.find((c) => c.id === rule.channelId);
        const key = `${rule.channelId}:${rule.delayMinutes}`;
        if (!channel || channel.disabledAt !== null) {
          await note(
            { status: 'no_route', reason: 'channel is missing or disabled', channelId: rule.channelId },
            key,
          );
          continue;
        }
        const kind = channel.kind as ChannelKind;
        let recipient = '';
        if (DIRECT.has(kind)) {
          const contactKind = CONTACT_FOR_CHANNEL[kind];
          recipient = contacts.find((c) => c.kind === contactKind)?.address ?? '';
          if (!recipient) {
            await note(
              {
                status: 'no_contact',
                channel: channel.name,
                reason: `${target.name} has no ${contactKind} contact`,
              },
              key,
            );
            continue;
          }
        }
        const subject: NotificationSubject = {
          incident: {
            id: incident.id,
            number: facts?.number ?? Number(incident.ref.replace(/\D/g, '')),
            title: incident.title,
            severity: incident.severity,
            serviceName: facts?.serviceName ?? null,
            createdAt: facts?.createdAt ?? now,
          },
          alerts: facts ? alertFacts(facts) : [],
          links: {
            incident: incidentUrl(incident.id),
            acknowledge: await links.issue(ex, incident.id, 'acknowledge', user.id),
            resolve: await links.issue(ex, incident.id, 'resolve', user.id),
          },
        };
        const sendAt = now + rule.delayMinutes * MINUTE;
        const messageId = await enqueueMessage(ex, {
          dedupeKey: `${req.dedupeKey}:${key}`,
          channel,
          incidentId: incident.id,
          userId: user.id,
          purpose: 'page',
          recipient,
          locale,
          stored: {
            content: renderMessage(subject, locale, deps.timeZone),
            mention: mentionOf(contacts, kind),
          },
          sendAt,
          cancelIfAcked: true,
        });
        if (messageId) {
          await note(
            {
              status: 'queued',
              messageId,
              channel: channel.name,
              channelKind: kind,
              to: recipient || null,
              delayMinutes: rule.delayMinutes,
              rulesFrom: from,
            },
            key,
          );
        }
      }
    },

    /**
     * The follow-up once an incident is resolved: everyone a page reached hears it is over, through the
     * same channel and address, in their language. Called inside the resolving transaction; the dedupe key
     * carries the moment of resolution, so a reopened and again resolved incident says so again.
     */
    async resolved(
      ex: Kysely<DB>,
      req: { incidentId: string; resolvedAt: number; resolvedBy: string },
    ): Promise<void> {
      const paged = await repo.pagedRecipients(ex, req.incidentId);
      if (paged.length === 0) return;
      const facts = incidents ? await incidents.facts(ex, req.incidentId) : null;
      if (!facts) return;
      const channels = await repo.listChannels(ex);
      for (const p of paged) {
        const channel = channels.find((c) => c.id === p.channelId);
        if (!channel || channel.disabledAt !== null) continue;
        const locale = localeOf(p.locale);
        const key = `resolved:${req.incidentId}:${req.resolvedAt}:${p.userId ?? ''}:${p.channelId}:${p.recipient}`;
        const content = renderMessage(
          {
            incident: {
              id: facts.id,
              number: facts.number,
              title: facts.title,
              severity: facts.severity,
              serviceName: facts.serviceName,
              createdAt: facts.createdAt,
            },
            alerts: [],
            links: { incident: incidentUrl(req.incidentId), acknowledge: null, resolve: null },
            resolved: { at: req.resolvedAt, by: req.resolvedBy },
          },
          locale,
          deps.timeZone,
        );
        const messageId = await enqueueMessage(ex, {
          dedupeKey: key,
          channel,
          incidentId: req.incidentId,
          userId: p.userId,
          purpose: 'resolved',
          recipient: p.recipient,
          locale,
          stored: { content, mention: { mobiles: [], userIds: [] } },
          sendAt: clock.now(),
          cancelIfAcked: false,
        });
        if (messageId)
          await incidents?.record(
            ex,
            req.incidentId,
            system,
            'notification',
            {
              status: 'queued',
              purpose: 'resolved',
              messageId,
              userId: p.userId,
              channel: channel.name,
              channelKind: channel.kind,
              to: p.recipient || null,
            },
            key,
          );
      }
    },

    /** A test message through a channel, to `to` or the caller's own contact for it. */
    async sendTest(
      ex: Kysely<DB>,
      channelId: string,
      by: { userId: string; name: string },
      to: string | undefined,
    ): Promise<string> {
      const channel = await repo.findChannel(ex, channelId);
      if (!channel) throw notFound('Channel', channelId);
      const kind = channel.kind as ChannelKind;
      const user = await repo.findUser(ex, by.userId);
      const contacts = await repo.listContacts(ex, [by.userId]);
      if (user?.email && !contacts.some((c) => c.kind === 'email')) {
        contacts.push({
          id: 'profile',
          userId: by.userId,
          kind: 'email',
          address: user.email,
          label: '',
          createdAt: 0,
        });
      }
      let recipient = '';
      if (DIRECT.has(kind)) {
        const contactKind = CONTACT_FOR_CHANNEL[kind];
        recipient = to || (contacts.find((c) => c.kind === contactKind)?.address ?? '');
        if (!recipient) {
          throw badRequest(`Say where to send the test ("to"): you have no ${contactKind} contact method`, {
            issues: [{ path: 'body.to', message: `required: you have no ${contactKind} contact method` }],
          });
        }
      }
      const locale = localeOf(user?.locale);
      const content = renderMessage(
        {
          incident: null,
          alerts: [],
          links: { incident: null, acknowledge: null, resolve: null },
          test: { channelName: channel.name, by: by.name },
        },
        locale,
        deps.timeZone,
      );
      const id = await enqueueMessage(ex, {
        dedupeKey: `test:${newId()}`,
        channel,
        incidentId: null,
        userId: by.userId,
        purpose: 'test',
        recipient,
        locale,
        stored: { content, mention: { mobiles: [], userIds: [] } },
        sendAt: clock.now(),
        cancelIfAcked: false,
      });
      return id as string;
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
