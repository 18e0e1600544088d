import type { Kysely } from 'kysely';
import { createBatcher } from '../../platform/batcher.ts';
import type { Clock } from '../../platform/clock.ts';
import { fromJson, toJson } from '../../platform/db/constraint-errors.ts';
import { inSavepoint, type SavepointOutcome, sharedTransaction } from '../../platform/db/savepoints.ts';
import type { DB } from '../../platform/db/schema.ts';
import { notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { JobQueue } from '../../platform/jobs/worker.ts';
import type { AlertEventRow, AlertFilter, AlertRow, AlertsRepo } from './alerts.repo.ts';
import type { Alert, RoutingConfig } from './alerts.schemas.ts';
import type { IncomingAlert } from './formats/types.ts';
import { type DueFlushes, event, type Grouping } from './grouping.ts';
import { fingerprint, type Labels } from './matchers.ts';
import { type SeverityPolicy, severityOf } from './severity.ts';
import { matchRoutes } from './stages/route.ts';
import type { MutedBy, MuteStage, Suppression } from './stages/types.ts';

export const EXPIRE_JOB = 'alerts.expire';
/** Alerts whose end time passed are resolved by a sweep in buckets of this size (one job per bucket). */
const EXPIRE_BUCKET_MS = 5_000;
/** Most intake writes one transaction carries. */
const WRITE_BATCH = 50;

/** Where a batch of alerts came from: an integration, or Steady's own rules. */
export interface AlertSource extends SeverityPolicy {
  integrationId: string | null;
  /** Shown in the console and used as a filter, e.g. "alertmanager" or "steady". */
  name: string;
  /** Resolve firing alerts this long after they were last seen when the source gives no end. */
  resolveTimeoutMs: number | null;
}

export interface ReceiveResult {
  accepted: number;
  created: number;
  updated: number;
  resolved: number;
  suppressed: number;
  /** Resolve messages for alerts Steady does not know as firing (already resolved, or never seen). */
  ignored: number;
}

export interface AlertsServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: AlertsRepo;
  jobsFor: (ex: Kysely<DB>) => JobQueue;
  wake: () => void;
  routing: () => Promise<RoutingConfig>;
  muteStages: readonly MuteStage[];
  grouping: Grouping;
  /** Catalog service ids by name, for alerts whose routes name no service. */
  serviceIdsByName: (ex: Kysely<DB>, names: readonly string[]) => Promise<Map<string, string>>;
}

export const toAlert = (row: AlertRow, groupKeys: string[] = []): Alert => ({
  ...row,
  status: row.status as Alert['status'],
  severity: row.severity as Alert['severity'],
  labels: fromJson<Record<string, string>>(row.labels) ?? {},
  annotations: fromJson<Record<string, string>>(row.annotations) ?? {},
  suppressed: row.suppressed as Alert['suppressed'],
  suppressedBy: fromJson<Alert['suppressedBy']>(row.suppressedBy),
  groupKeys,
});

/**
 * The alerts stage: every alert, from a webhook or from Steady's own rules, enters through `receive`. It is
 * fingerprinted and deduplicated, passed through the noise-control stages in order (the first that mutes
 * it records why), and, if nobody muted it, routed into groups whose flushes hand it to the next stage.
 */
export function createAlertsService(deps: AlertsServiceDeps) {
  const { db, clock, repo, grouping } = deps;

  async function scheduleExpiry(ex: Kysely<DB>, endsAt: number): Promise<void> {
    const runAt = Math.ceil(endsAt / EXPIRE_BUCKET_MS) * EXPIRE_BUCKET_MS;
    await deps.jobsFor(ex).enqueue(EXPIRE_JOB, null, { runAt, dedupeKey: `${EXPIRE_JOB}:${runAt}` });
  }

  /** Resolves a firing alert and lets its groups carry the change. Returns true if a flush job is due now. */
  async function resolve(
    ex: Kysely<DB>,
    alert: AlertRow,
    at: number,
    now: number,
    why: string,
    inline: DueFlushes,
  ): Promise<boolean> {
    await repo.update(ex, alert.id, {
      status: 'resolved',
      activeKey: null,
      resolvedAt: at,
      endsAt: at,
      updatedAt: now,
    });
    await repo.insertEvents(ex, [event(alert.id, now, 'resolved', { why, at })]);
    return grouping.touched(ex, alert.id, now, inline);
  }

  interface Write {
    work: (trx: Kysely<DB>, inline: DueFlushes) => Promise<boolean>;
    unmuted: ReadonlySet<string>;
    resolve: (wake: boolean) => void;
    reject: (err: unknown) => void;
  }
  const submitWrite = createBatcher<Write>(WRITE_BATCH, commitWrites);

  /**
   * Runs `work` in a write transaction that also runs the group flushes falling due in it (see
   * `grouping.flushDue`), so with no group_wait an incident opens in the intake's own commit. Writes that
   * come in together (a storm's webhook calls) share one transaction, each in a savepoint: on SQLite the
   * commit is the dearest statement. A write that fails rolls back alone. Resolves, once committed, with
   * whether to wake the worker.
   */
  function write(work: Write['work'], unmuted: ReadonlySet<string> = new Set()): Promise<boolean> {
    return new Promise((resolve, reject) => submitWrite({ work, unmuted, resolve, reject }));
  }

  async function commitWrites(batch: readonly Write[]): Promise<void> {
    const inline: DueFlushes = new Map();
    const unmuted = new Set<string>();
    let wake = false;
    const outcomes = await sharedTransaction(db, async (trx) => {
      const outcomes: SavepointOutcome<boolean>[] = [];
      for (const w of batch) {
        // Flushes planned by a write that rolls back must not run: each write plans into its own map.
        const mine: DueFlushes = new Map();
        const o = await inSavepoint(trx, (sp) => w.work(sp, mine));
        if (o.ok) {
          for (const [k, g] of mine) inline.set(k, g);
          for (const id of w.unmuted) unmuted.add(id);
          if (o.value) wake = true;
        }
        outcomes.push(o);
      }
      // The incidents stage may have queued work due now (escalation steps).
      if ((await grouping.flushDue(trx, inline, unmuted)) > 0) wake = true;
      return outcomes;
    });
    batch.forEach((w, i) => {
      const o = outcomes[i] as SavepointOutcome<boolean>;
      if (o.ok) w.resolve(wake);
      else w.reject(o.error);
    });
  }

  return {
    async receive(source: AlertSource, incoming: readonly IncomingAlert[]): Promise<ReceiveResult> {
      const now = clock.now();
      const scope = source.integrationId ?? source.name;
      const result: ReceiveResult = {
        accepted: incoming.length,
        created: 0,
        updated: 0,
        resolved: 0,
        suppressed: 0,
        ignored: 0,
      };
      const named = new Set<string>();
      for (const a of incoming) if (a.status === 'firing' && a.labels.service) named.add(a.labels.service);
      const [routing, checks, serviceIds] = await Promise.all([
        deps.routing(),
        Promise.all(deps.muteStages.map(async (s) => ({ kind: s.kind, check: await s.load(now) }))),
        deps.serviceIdsByName(db, [...named]),
      ]);

      // Noise control runs before the write transaction: on SQLite a read outside it would wait on it.
      const prepared = await Promise.all(
        incoming.map(async (a) => {
          const fp = fingerprint(scope, a.dedupeKey ? { __dedupe_key: a.dedupeKey } : a.labels);
          let mute: { kind: Suppression; by: MutedBy } | null = null;
          if (a.status === 'firing') {
            for (const { kind, check } of checks) {
              const by = await check({ fingerprint: fp, labels: a.labels });
              if (by) {
                mute = { kind, by };
                break;
              }
            }
          }
          return { a, fp, mute };
        }),
      );

      const unmuted = new Set<string>();
      const due = await write(async (trx, inline) => {
        let due = false;
        const known = new Map<string, AlertRow>();
        for (const r of await repo.findFiringMany(trx, [...new Set(prepared.map((p) => p.fp))]))
          known.set(r.fingerprint, r);
        const inserts = new Map<string, AlertRow>();
        const events: AlertEventRow[] = [];
        const toRoute: AlertRow[] = [];
        for (const { a, fp, mute } of prepared) {
          const existing = known.get(fp);
          if (a.status === 'resolved') {
            if (!existing || inserts.has(existing.id)) {
              result.ignored++;
              continue;
            }
            const at = a.endsAt !== null && !Number.isNaN(a.endsAt) ? Math.min(a.endsAt, now) : now;
            if (await resolve(trx, existing, at, now, 'resolved by its source', inline)) due = true;
            known.delete(fp);
            result.resolved++;
            continue;
          }
          const severity = severityOf(source, a.severity, a.labels);
          const title = (a.title ?? a.labels.alertname ?? 'alert').slice(0, 500);
          const endsAt =
            a.endsAt !== null && a.endsAt > now
              ? a.endsAt
              : source.resolveTimeoutMs !== null
                ? now + source.resolveTimeoutMs
                : null;
          if (endsAt !== null) await scheduleExpiry(trx, endsAt);
          if (mute) result.suppressed++;
          const suppression = { suppressed: mute?.kind ?? null, suppressedBy: mute ? toJson(mute.by) : null };

          if (existing) {
            const wasMuted = existing.suppressed;
            const row: AlertRow = {
              ...existing,
              ...suppression,
              severity,
              title,
              annotations: toJson(a.annotations),
              generatorUrl: a.generatorUrl ?? existing.generatorUrl,
              endsAt,
              lastSeenAt: now,
              receiveCount: existing.receiveCount + 1,
              updatedAt: now,
            };
            known.set(fp, row);
            if (inserts.has(row.id)) inserts.set(row.id, row);
            else await repo.update(trx, existing.id, row);
            if (wasMuted !== row.suppressed)
              events.push(
                event(
                  row.id,
                  now,
                  mute ? mute.kind : 'unsuppressed',
                  mute ? { by: mute.by } : { was: wasMuted },
                ),
              );
            // An alert muted when it first came joins its groups once nothing mutes it any more.
            if (!mute && wasMuted !== null) toRoute.push(row);
            result.updated++;
            continue;
          }
          const routes = mute ? [] : matchRoutes(routing.route, a.labels);
          const row: AlertRow = {
            id: newId(),
            fingerprint: fp,
            activeKey: fp,
            integrationId: source.integrationId,
            source: source.name,
            status: 'firing',
            severity,
            title,
            labels: toJson(a.labels),
            annotations: toJson(a.annotations),
            generatorUrl: a.generatorUrl,
            startsAt: a.startsAt !== null && !Number.isNaN(a.startsAt) ? a.startsAt : now,
            endsAt,
            resolvedAt: null,
            lastSeenAt: now,
            receiveCount: 1,
            ...suppression,
            // The route's service, else the catalog service its `service` label names.
            serviceId:
              routes.find((r) => r.serviceId)?.serviceId ?? serviceIds.get(a.labels.service ?? '') ?? null,
            teamId: routes.find((r) => r.teamId)?.teamId ?? null,
            createdAt: now,
            updatedAt: now,
          };
          known.set(fp, row);
          inserts.set(row.id, row);
          events.push(event(row.id, now, 'fired', { source: source.name, severity }));
          if (mute) events.push(event(row.id, now, mute.kind, { by: mute.by }));
          else toRoute.push(row);
          result.created++;
        }
        await repo.insertMany(trx, [...inserts.values()]);

        const entries = toRoute.flatMap((alert) =>
          matchRoutes(routing.route, fromJson<Labels>(alert.labels) ?? {}).map((route) => ({ alert, route })),
        );
        const joined = await grouping.join(trx, entries, now, inline);
        if (joined.due) due = true;
        for (const alert of toRoute) {
          unmuted.add(alert.id);
          const routes = entries.filter((e) => e.alert === alert).map((e) => e.route.id);
          events.push(
            event(alert.id, now, 'routed', { routes, groupKeys: joined.groupKeys.get(alert.id) ?? [] }),
          );
        }
        await repo.insertEvents(trx, events);
        return due;
      }, unmuted);
      if (due) deps.wake();
      return result;
    },

    /** The expiry job: resolves every firing alert whose end time has passed. */
    async expire(): Promise<number> {
      const now = clock.now();
      const rows = await repo.listExpired(db, now, 500);
      const due = await write(async (trx, inline) => {
        let due = false;
        for (const row of rows) {
          const why = 'its end time passed without a new report';
          if (await resolve(trx, row, row.endsAt ?? now, now, why, inline)) due = true;
        }
        if (rows.length === 500)
          await deps.jobsFor(trx).enqueue(EXPIRE_JOB, null, { dedupeKey: `${EXPIRE_JOB}:${now}` });
        return due;
      });
      if (due || rows.length === 500) deps.wake();
      return rows.length;
    },

    async list(filter: AlertFilter): Promise<{ items: Alert[]; nextBefore: string | null }> {
      const rows = await repo.list(db, filter);
      const keys = await repo.groupKeysOf(
        db,
        rows.map((r) => r.id),
      );
      const items = rows.map((r) =>
        toAlert(
          r,
          keys.filter((k) => k.alertId === r.id).map((k) => k.groupKey),
        ),
      );
      return { items, nextBefore: rows.length === filter.limit ? (rows.at(-1)?.id ?? null) : null };
    },

    async get(id: string) {
      const row = await repo.findById(db, id);
      if (!row) throw notFound('Alert', id);
      const [keys, events] = await Promise.all([repo.groupKeysOf(db, [id]), repo.listEvents(db, id)]);
      return {
        ...toAlert(
          row,
          keys.map((k) => k.groupKey),
        ),
        history: events.map((e) => ({
          id: e.id,
          at: e.at,
          kind: e.kind,
          detail: fromJson<Record<string, unknown>>(e.detail) ?? {},
        })),
      };
    },

    /** For inhibition: firing alerts as sources. */
    async firingAlerts() {
      const rows = await repo.listFiring(db, 20_000);
      return rows.map((r) => ({
        id: r.id,
        fingerprint: r.fingerprint,
        title: r.title,
        labels: fromJson<Labels>(r.labels) ?? {},
      }));
    },
  };
}

export type AlertsService = ReturnType<typeof createAlertsService>;
