import type { Kysely } from 'kysely';
import type { Actor, AuditRepo } from '../../../platform/audit/audit.repo.ts';
import { randomSecret, sha256 } from '../../../platform/auth/secrets.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { badRequest, conflict, notFound } from '../../../platform/errors.ts';
import { newId } from '../../../platform/ids.ts';
import type { MetricStore } from '../metric-store.ts';
import type { ProbeFilter, ProbeRow, ProbesRepo } from './probes.repo.ts';
import type { ProbeRunner } from './probes.runner.ts';
import {
  type CreateProbeInput,
  PROBE_KINDS,
  type Probe,
  type ProbeDetail,
  type ProbeKind,
  type ProbeResult,
  type ProbeState,
  type UpdateProbeInput,
  type Uptime,
} from './probes.schemas.ts';
import { toEvent, toProbe, toResult, unmaskHeaders } from './probes.view.ts';

export interface ProbesServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: ProbesRepo;
  audit: Pick<AuditRepo, 'append'>;
  runner: Pick<ProbeRunner, 'scheduleNext' | 'runNow' | 'heartbeat'>;
  /** Uptime is read from the probe_success series; absent until the metric store is wired. */
  store: Pick<MetricStore, 'queryInstant' | 'queryRange'> | undefined;
}

const WINDOWS = ['24h', '7d', '30d'] as const;
type Window = (typeof WINDOWS)[number];
const RECENT = 20;

function checkTiming(intervalSeconds: number, timeoutMs: number): void {
  if (timeoutMs >= intervalSeconds * 1000) {
    throw badRequest(
      `timeoutMs (${timeoutMs}) must be shorter than the interval (${intervalSeconds} s), or runs would overlap`,
      { field: 'timeoutMs' },
    );
  }
}

/** Probe definitions, their state for the console and API, and uptime from the metric store. */
export function createProbesService(deps: ProbesServiceDeps) {
  const { db, clock, repo, audit, runner } = deps;

  async function mustFind(ex: Kysely<DB>, id: string) {
    const row = await repo.find(ex, id);
    if (!row) throw notFound('Probe', id);
    return row;
  }

  async function ensureService(ex: Kysely<DB>, serviceId: string | null | undefined): Promise<void> {
    if (!serviceId) return;
    if (!(await repo.serviceExists(ex, serviceId))) throw notFound('Service', serviceId);
  }

  async function ensureNameFree(ex: Kysely<DB>, name: string, exceptId?: string): Promise<void> {
    const other = await repo.idByName(ex, name);
    if (other !== undefined && other !== exceptId)
      throw conflict(`A probe named "${name}" already exists`, { field: 'name' });
  }

  /** avg_over_time of probe_success per probe id, for one window; null with a note if it cannot be had. */
  async function uptimeQuery(
    window: Window,
    probeId: string | undefined,
  ): Promise<{ byId: Map<string, number>; note?: string }> {
    if (!deps.store) {
      return {
        byId: new Map(),
        note: 'Uptime is computed from the probe_success series, and the metric store is not available in this process yet.',
      };
    }
    const selector = probeId ? `probe_success{probe_id="${probeId}"}` : 'probe_success';
    try {
      const series = await deps.store.queryInstant(`avg_over_time(${selector}[${window}])`, clock.now());
      const sums = new Map<string, { sum: number; n: number }>();
      for (const s of series) {
        const id = s.labels.probe_id;
        const value = s.points.at(-1)?.value;
        if (!id || value === undefined || Number.isNaN(value)) continue;
        const acc = sums.get(id) ?? { sum: 0, n: 0 };
        acc.sum += value;
        acc.n += 1;
        sums.set(id, acc);
      }
      return { byId: new Map([...sums].map(([id, a]) => [id, a.sum / a.n])) };
    } catch (err) {
      return {
        byId: new Map(),
        note: `Uptime is unavailable: the metric store did not answer (${(err as Error).message}).`,
      };
    }
  }

  async function uptimeOf(probeId: string): Promise<Uptime> {
    const answers = await Promise.all(WINDOWS.map((w) => uptimeQuery(w, probeId)));
    const uptime: Uptime = { '24h': null, '7d': null, '30d': null };
    WINDOWS.forEach((w, i) => {
      uptime[w] = answers[i]?.byId.get(probeId) ?? null;
    });
    const note = answers.find((a) => a.note)?.note;
    if (note) uptime.note = note;
    else if (uptime['24h'] === null) uptime.note = 'No probe_success samples yet.';
    return uptime;
  }

  async function detail(id: string): Promise<ProbeDetail> {
    const row = await mustFind(db, id);
    const [uptime, results, events] = await Promise.all([
      uptimeOf(id),
      repo.listResults(db, id, RECENT, false),
      repo.listEvents(db, id, RECENT),
    ]);
    return {
      ...toProbe(row),
      uptime,
      recentResults: results.map(toResult),
      recentEvents: events.map(toEvent),
    };
  }

  async function setPaused(actor: Actor, id: string, paused: boolean): Promise<Probe> {
    const now = clock.now();
    const after = await db.transaction().execute(async (trx) => {
      const before = await mustFind(trx, id);
      if ((before.pausedAt !== null) === paused) return before;
      const to: ProbeState = paused ? 'paused' : 'unknown';
      await repo.update(trx, id, {
        pausedAt: paused ? now : null,
        state: to,
        stateSince: now,
        stateReason: paused ? `paused by ${actor.name}` : null,
        consecutiveFailures: 0,
        updatedAt: now,
      });
      await repo.insertEvent(trx, {
        id: newId(),
        probeId: id,
        at: now,
        fromState: before.state,
        toState: to,
        reason: `${paused ? 'paused' : 'resumed'} by ${actor.name}`,
      });
      const updated = await mustFind(trx, id);
      await audit.append(trx, now, actor, {
        action: paused ? 'probe.pause' : 'probe.resume',
        entityType: 'probe',
        entityId: id,
        before: toProbe(before),
        after: toProbe(updated),
      });
      return updated;
    });
    if (!paused) await runner.scheduleNext(id, after.intervalSeconds, now);
    return toProbe(after);
  }

  return {
    async list(
      filter: ProbeFilter,
    ): Promise<{ items: (Probe & { uptime24h: number | null })[]; uptimeNote?: string }> {
      const rows = await repo.list(db, filter);
      const uptime =
        rows.length > 0 ? await uptimeQuery('24h', rows.length === 1 ? rows[0]?.id : undefined) : undefined;
      const items = rows.map((r) => ({ ...toProbe(r), uptime24h: uptime?.byId.get(r.id) ?? null }));
      return uptime?.note ? { items, uptimeNote: uptime.note } : { items };
    },

    get: detail,
    uptime: uptimeOf,

    async results(id: string, limit: number, onlyFailures: boolean): Promise<ProbeResult[]> {
      await mustFind(db, id);
      return (await repo.listResults(db, id, limit, onlyFailures)).map(toResult);
    },

    async create(
      actor: Actor,
      input: CreateProbeInput,
    ): Promise<ProbeDetail & { heartbeatToken?: string; heartbeatPath?: string }> {
      checkTiming(input.intervalSeconds, input.timeoutMs);
      const now = clock.now();
      const id = newId();
      const token = input.kind === 'heartbeat' ? randomSecret(24) : undefined;
      const settings = (input as Record<string, unknown>)[input.kind];
      await db.transaction().execute(async (trx) => {
        await ensureService(trx, input.serviceId);
        await ensureNameFree(trx, input.name);
        const row: ProbeRow = {
          id,
          name: input.name,
          kind: input.kind,
          serviceId: input.serviceId,
          intervalSeconds: input.intervalSeconds,
          timeoutMs: input.timeoutMs,
          retries: input.retries,
          labels: JSON.stringify(input.labels),
          settings: JSON.stringify(settings),
          heartbeatTokenHash: token ? sha256(token) : null,
          pausedAt: input.enabled ? null : now,
          state: input.enabled ? 'unknown' : 'paused',
          stateSince: now,
          stateReason: null,
          consecutiveFailures: 0,
          lastSlotAt: null,
          lastRunAt: null,
          lastOk: null,
          lastDurationMs: null,
          lastStatusCode: null,
          lastTlsDaysLeft: null,
          lastReason: null,
          lastHeartbeatAt: null,
          createdAt: now,
          updatedAt: now,
        };
        await repo.insert(trx, row);
        await audit.append(trx, now, actor, {
          action: 'probe.create',
          entityType: 'probe',
          entityId: id,
          after: toProbe(await mustFind(trx, id)),
        });
      });
      if (input.enabled) await runner.scheduleNext(id, input.intervalSeconds, now);
      // A new probe has no results or samples yet: nothing to ask the store for.
      const created: ProbeDetail = {
        ...toProbe(await mustFind(db, id)),
        uptime: { '24h': null, '7d': null, '30d': null, note: 'No probe_success samples yet.' },
        recentResults: [],
        recentEvents: [],
      };
      return token
        ? { ...created, heartbeatToken: token, heartbeatPath: `/api/v1/heartbeats/${token}` }
        : created;
    },

    async update(actor: Actor, id: string, input: UpdateProbeInput): Promise<ProbeDetail> {
      const now = clock.now();
      const { enabled, http, tcp, dns, heartbeat, labels, ...rest } = input;
      const given = { http, tcp, dns, heartbeat };
      const before = await db.transaction().execute(async (trx) => {
        const before = await mustFind(trx, id);
        const kind = before.kind as ProbeKind;
        for (const k of PROBE_KINDS) {
          if (k !== kind && given[k] !== undefined) {
            throw badRequest(
              `"${k}" settings do not apply to a ${kind} probe (a probe's kind cannot change)`,
              {
                field: k,
              },
            );
          }
        }
        checkTiming(rest.intervalSeconds ?? before.intervalSeconds, rest.timeoutMs ?? before.timeoutMs);
        if (rest.serviceId !== undefined) await ensureService(trx, rest.serviceId);
        if (rest.name !== undefined) await ensureNameFree(trx, rest.name, id);
        let settings = given[kind] as Record<string, unknown> | undefined;
        if (settings && kind === 'http' && http) {
          const stored = JSON.parse(before.settings) as { headers?: Record<string, string> };
          settings = { ...http, headers: unmaskHeaders(http.headers, stored.headers ?? {}) };
        }
        await repo.update(trx, id, {
          ...rest,
          ...(labels ? { labels: JSON.stringify(labels) } : {}),
          ...(settings ? { settings: JSON.stringify(settings) } : {}),
          updatedAt: now,
        });
        await audit.append(trx, now, actor, {
          action: 'probe.update',
          entityType: 'probe',
          entityId: id,
          before: toProbe(before),
          after: toProbe(await mustFind(trx, id)),
        });
        return before;
      });
      if (enabled !== undefined && enabled !== (before.pausedAt === null))
        await setPaused(actor, id, !enabled);
      // A new interval puts the probe on a new grid; jobs of the old one see that and stop.
      else if (rest.intervalSeconds !== undefined && before.pausedAt === null) {
        await runner.scheduleNext(id, rest.intervalSeconds, now);
      }
      return detail(id);
    },

    async delete(actor: Actor, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const before = await mustFind(trx, id);
        await repo.delete(trx, id);
        await audit.append(trx, clock.now(), actor, {
          action: 'probe.delete',
          entityType: 'probe',
          entityId: id,
          before: toProbe(before),
        });
      });
    },

    pause: (actor: Actor, id: string) => setPaused(actor, id, true),
    resume: (actor: Actor, id: string) => setPaused(actor, id, false),

    async runNow(id: string): Promise<{ result: ProbeResult; probe: Probe }> {
      const result = await runner.runNow(id);
      return { result, probe: toProbe(await mustFind(db, id)) };
    },

    heartbeat: (token: string) => runner.heartbeat(token),
  };
}

export type ProbesService = ReturnType<typeof createProbesService>;
