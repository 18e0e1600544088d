import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../../platform/clock.ts';
import { fromJson, toJson } from '../../../platform/db/constraint-errors.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { newId } from '../../../platform/ids.ts';
import type { JobHandler, JobQueue } from '../../../platform/jobs/worker.ts';
import type { MetricStore, SeriesSamples } from '../../signals/index.ts';
import { type AlertSink, buildAlert, type InstanceInfo, type RuleAlert } from './alerting.ts';
import { createKindRuntime } from './kinds.ts';
import { toRule } from './model.ts';
import type { RulesRepo } from './rules.repo.ts';
import type { TypedRule } from './rules.schemas.ts';
import type { KindRuntime, Observation } from './runtime.ts';
import {
  applyObservation,
  expire,
  type InstanceState,
  initialState,
  step,
  type Transition,
} from './state.ts';

export const FOR_JOB = 'rules.for';
export const SWEEP_JOB = 'rules.sweep';
export const DELIVER_JOB = 'rules.deliver';
const SWEEP_MS = 30_000;
/** Per-series memory (windows, detectors) of series not received for this long is dropped. */
const EVICT_AFTER_MS = 6 * 3_600_000;
/**
 * Without a no-data setting, a firing series that has left the query's result (its target gone, or
 * filtered out by an `and` gate such as "only with traffic") resolves once it has been absent this long, as a
 * Prometheus alert resolves when its series is no longer returned; it never stays firing for good.
 */
const SERIES_GONE = { afterSeconds: 300, state: 'ok' } as const;

/** Resolutions younger than this are sent again at start, in case a crash came between write and send. */
const RESEND_RESOLVED_MS = 15 * 60_000;
/** Batches waiting for evaluation; beyond this new batches are not evaluated (counted in `stats`). */
const MAX_QUEUE = 10_000;

interface Instance {
  state: InstanceState;
  info: InstanceInfo;
}

interface LoadedRule {
  rule: TypedRule;
  runtime: KindRuntime;
  instances: Map<string, Instance>;
  loadedAt: number;
}

export interface RuleEngineDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: RulesRepo;
  store: Pick<MetricStore, 'select' | 'queryInstant' | 'queryRange'>;
  jobs: JobQueue;
  sink: AlertSink;
  logger: Logger;
  /** Link to the rule in the console, for the alert's generator URL. */
  ruleUrl?: (ruleId: string) => string;
}

/**
 * Streaming evaluation: every stored batch is looked up in an index from metric name to rules (so
 * samples no rule reads cost one map lookup per series), the matching rules evaluate it, and instance
 * transitions are persisted, then handed to the alerts stage. `for` expiries and no-data run as jobs.
 */
export function createRuleEngine(deps: RuleEngineDeps) {
  const { db, clock, repo, logger } = deps;
  const rules = new Map<string, LoadedRule>();
  /** metric name → rules reading it; rules with a selector without a metric name are checked always. */
  const index = new Map<string, Set<LoadedRule>>();
  const anyMetric = new Set<LoadedRule>();
  let queue: Promise<void> = Promise.resolve();
  let queued = 0;
  let dropped = 0;
  let startedAt = clock.now();

  function indexRule(lr: LoadedRule, add: boolean): void {
    const metrics = lr.runtime.metrics;
    if (metrics.length === 0 || (lr.rule.kind === 'threshold' && lr.runtime.selects({}))) {
      if (add) anyMetric.add(lr);
      else anyMetric.delete(lr);
    }
    for (const m of metrics) {
      let set = index.get(m);
      if (add) {
        if (!set) {
          set = new Set();
          index.set(m, set);
        }
        set.add(lr);
      } else set?.delete(lr);
    }
  }

  function load(rule: TypedRule, instances: Map<string, Instance> = new Map()): void {
    const lr: LoadedRule = { rule, runtime: createKindRuntime(rule), instances, loadedAt: clock.now() };
    rules.set(rule.id, lr);
    indexRule(lr, true);
  }

  function unload(id: string): LoadedRule | undefined {
    const lr = rules.get(id);
    if (!lr) return undefined;
    indexRule(lr, false);
    rules.delete(id);
    return lr;
  }

  function toInstanceRow(lr: LoadedRule, key: string, inst: Instance) {
    return {
      ruleId: lr.rule.id,
      instanceKey: key,
      labels: toJson(inst.info.labels),
      ...inst.state,
      annotations: toJson({ threshold: inst.info.threshold, severity: inst.info.severity }),
      updatedAt: clock.now(),
    };
  }

  /** Writes the transitions, then sends them; a failed send is retried by a job (the alerts stage dedupes). */
  async function commit(
    changes: { lr: LoadedRule; key: string; inst: Instance; prev: InstanceState; t: Transition }[],
  ) {
    if (changes.length === 0) return;
    const alerts: RuleAlert[] = [];
    const url = (id: string) => deps.ruleUrl?.(id) ?? null;
    await db.transaction().execute(async (trx) => {
      for (const { lr, key, inst, prev, t } of changes) {
        if (!rules.has(lr.rule.id)) continue;
        await repo.upsertInstance(trx, toInstanceRow(lr, key, inst));
        if (t === 'firing') {
          await repo.insertFiring(trx, {
            id: newId(),
            ruleId: lr.rule.id,
            instanceKey: key,
            labels: toJson(inst.info.labels),
            severity: inst.info.severity,
            startedAt: inst.state.firingSince ?? inst.state.lastEvalAt ?? clock.now(),
            endedAt: null,
          });
          alerts.push(buildAlert(lr.rule, inst.info, inst.state, 'firing', url(lr.rule.id)));
        } else if (t === 'resolved') {
          const at = inst.state.resolvedAt ?? clock.now();
          await repo.endFiring(trx, lr.rule.id, key, at);
          alerts.push(
            buildAlert(
              lr.rule,
              inst.info,
              { ...inst.state, firingSince: prev.firingSince },
              'resolved',
              url(lr.rule.id),
            ),
          );
        }
      }
    });
    await send(alerts);
  }

  async function send(alerts: RuleAlert[]): Promise<void> {
    if (alerts.length === 0) return;
    try {
      await deps.sink.receive(alerts);
    } catch (err) {
      logger.warn({ err, alerts: alerts.length }, 'alerts stage refused rule alerts; retrying by job');
      await deps.jobs.enqueue(DELIVER_JOB, { alerts });
    }
  }

  function apply(
    lr: LoadedRule,
    o: Observation,
    changes: Parameters<typeof commit>[0],
    scheduled: Promise<void>[],
  ): void {
    let inst = lr.instances.get(o.key);
    if (!inst) {
      inst = {
        state: initialState(),
        info: { labels: o.labels, threshold: o.threshold, severity: o.severity ?? lr.rule.severity },
      };
      lr.instances.set(o.key, inst);
    }
    inst.info = { labels: o.labels, threshold: o.threshold, severity: o.severity ?? lr.rule.severity };
    const prev = inst.state;
    const [next, t] = applyObservation(prev, o);
    inst.state = next;
    const count = next.count;
    const forMs = o.forMs;
    if (
      t !== null ||
      (o.consecutive !== undefined && count !== prev.count && inst.state.state === 'pending')
    ) {
      changes.push({ lr, key: o.key, inst: { ...inst, state: { ...inst.state } }, prev, t });
    }
    if (t === 'pending' && Number.isFinite(forMs) && forMs > 0) {
      const since = inst.state.pendingSince ?? o.at;
      scheduled.push(
        deps.jobs
          .enqueue(
            FOR_JOB,
            { ruleId: lr.rule.id, key: o.key, since },
            {
              runAt: since + forMs,
              dedupeKey: `${FOR_JOB}:${lr.rule.id}:${o.key}:${since}`,
            },
          )
          .then(
            () => undefined,
            (err) => logger.error({ err }, 'could not schedule a rule `for` expiry'),
          ),
      );
    }
  }

  async function evaluate(batch: readonly SeriesSamples[]): Promise<void> {
    const perRule = new Map<LoadedRule, SeriesSamples[]>();
    for (const s of batch) {
      const name = s.labels.__name__;
      const candidates = name === undefined ? undefined : index.get(name);
      if (!candidates && anyMetric.size === 0) continue;
      for (const set of [candidates, anyMetric]) {
        if (!set) continue;
        for (const lr of set) {
          if (!lr.runtime.selects(s.labels)) continue;
          let list = perRule.get(lr);
          if (!list) {
            list = [];
            perRule.set(lr, list);
          }
          list.push(s);
        }
      }
    }
    if (perRule.size === 0) return;
    const changes: Parameters<typeof commit>[0] = [];
    const scheduled: Promise<void>[] = [];
    for (const [lr, series] of perRule) {
      try {
        const ctx = {
          store: deps.store,
          isActive: (key: string) => (lr.instances.get(key)?.state.state ?? 'inactive') !== 'inactive',
          now: () => clock.now(),
        };
        const obs = await lr.runtime.observe(series, ctx);
        obs.sort((a, b) => a.at - b.at);
        for (const o of obs) apply(lr, o, changes, scheduled);
      } catch (err) {
        logger.error({ err, rule: lr.rule.name }, 'rule evaluation failed');
      }
    }
    await commit(changes);
    await Promise.all(scheduled);
  }

  return {
    /** Loads enabled rules and their persisted instance state; re-sends what a crash may have lost. */
    async start(): Promise<void> {
      startedAt = clock.now();
      const [ruleRows, instanceRows] = await Promise.all([repo.listRules(db), repo.listInstances(db)]);
      const byRule = new Map<string, Map<string, Instance>>();
      for (const row of instanceRows) {
        let m = byRule.get(row.ruleId);
        if (!m) {
          m = new Map();
          byRule.set(row.ruleId, m);
        }
        const extra = fromJson<{ threshold: string; severity: 'P1' | 'P2' | 'P3' }>(row.annotations);
        m.set(row.instanceKey, {
          state: {
            state: row.state as InstanceState['state'],
            pendingSince: row.pendingSince,
            firingSince: row.firingSince,
            resolvedAt: row.resolvedAt,
            lastValue: row.lastValue,
            lastEvalAt: row.lastEvalAt,
            // Sample arrival times are not persisted (that would be a write per sample): no-data counts
            // from the start, so a restart delays a no-data alert, never invents one.
            lastSampleAt: startedAt,
            count: row.count,
          },
          info: {
            labels: fromJson(row.labels) ?? {},
            threshold: extra?.threshold ?? '',
            severity: extra?.severity ?? 'P2',
          },
        });
      }
      const resend: RuleAlert[] = [];
      for (const row of ruleRows) {
        const rule = toRule(row);
        if (!rule.enabled) continue;
        try {
          load(rule, byRule.get(rule.id));
        } catch (err) {
          logger.error({ err, rule: rule.name }, 'rule could not be loaded');
          continue;
        }
        for (const inst of byRule.get(rule.id)?.values() ?? []) {
          if (inst.state.state === 'firing')
            resend.push(buildAlert(rule, inst.info, inst.state, 'firing', deps.ruleUrl?.(rule.id) ?? null));
          else if (inst.state.resolvedAt !== null && startedAt - inst.state.resolvedAt < RESEND_RESOLVED_MS) {
            resend.push(buildAlert(rule, inst.info, inst.state, 'resolved', deps.ruleUrl?.(rule.id) ?? null));
          }
        }
      }
      await send(resend);
      const next = Math.floor(startedAt / SWEEP_MS + 1) * SWEEP_MS;
      await deps.jobs.enqueue(SWEEP_JOB, null, { runAt: next, dedupeKey: `${SWEEP_JOB}:${next}` });
    },

    /** The ingestion listener: cheap and never throws; evaluation runs in order behind it. */
    onStored(batch: readonly SeriesSamples[]): void {
      if (queued >= MAX_QUEUE) {
        dropped++;
        return;
      }
      queued++;
      queue = queue
        .then(() => evaluate(batch))
        .catch((err) => logger.error({ err }, 'rule evaluation failed'))
        .finally(() => {
          queued--;
        });
    },

    /** Resolves when every batch handed over so far has been evaluated (tests, shutdown). */
    idle: (): Promise<void> => queue,

    /** A rule was created, changed, enabled, disabled or deleted. */
    async ruleChanged(rule: TypedRule | null, id: string, keepState: boolean): Promise<void> {
      await queue;
      const old = unload(id);
      const changes: Parameters<typeof commit>[0] = [];
      if (old && (!keepState || !rule?.enabled)) {
        // The alert the old definition raised would never resolve otherwise.
        const at = clock.now();
        for (const [key, inst] of old.instances) {
          if (inst.state.state !== 'firing') continue;
          const prev = inst.state;
          inst.state = { ...prev, state: 'inactive', firingSince: null, pendingSince: null, resolvedAt: at };
          changes.push({ lr: old, key, inst, prev, t: 'resolved' });
        }
        rules.set(id, old);
        await commit(changes);
        rules.delete(id);
        if (rule) await repo.deleteInstances(db, id);
      }
      if (rule?.enabled) load(rule, keepState && old ? old.instances : new Map());
    },

    jobHandlers(): [string, JobHandler][] {
      return [
        [
          FOR_JOB,
          async (payload) => {
            const { ruleId, key, since } = payload as { ruleId: string; key: string; since: number };
            await queue;
            const lr = rules.get(ruleId);
            const inst = lr?.instances.get(key);
            if (!lr || !inst || inst.state.pendingSince !== since) return;
            const prev = inst.state;
            const forMs = lr.rule.spec as { forSeconds?: number; minDurationSeconds?: number };
            const ms = (forMs.forSeconds ?? forMs.minDurationSeconds ?? 0) * 1000;
            const [next, t] = expire(prev, Math.max(clock.now(), since + ms), ms);
            if (!t) return;
            inst.state = next;
            await commit([{ lr, key, inst, prev, t }]);
          },
        ],
        [
          SWEEP_JOB,
          async () => {
            const now = clock.now();
            await queue;
            await sweep(now);
            const next = Math.floor(now / SWEEP_MS + 1) * SWEEP_MS;
            await deps.jobs.enqueue(SWEEP_JOB, null, { runAt: next, dedupeKey: `${SWEEP_JOB}:${next}` });
          },
        ],
        [
          DELIVER_JOB,
          async (payload) => {
            await deps.sink.receive((payload as { alerts: RuleAlert[] }).alerts);
          },
        ],
      ];
    },

    /** Current state of one rule's instances (for the API). */
    instances(ruleId: string): { key: string; labels: Record<string, string>; state: InstanceState }[] {
      const lr = rules.get(ruleId);
      return [...(lr?.instances ?? new Map<string, Instance>())].map(([key, i]) => ({
        key,
        labels: i.info.labels,
        state: i.state,
      }));
    },

    stats: () => ({ rules: rules.size, queued, dropped }),
  };

  /** No-data handling for threshold rules, and eviction of memory for series gone silent. */
  async function sweep(now: number): Promise<void> {
    const changes: Parameters<typeof commit>[0] = [];
    for (const lr of rules.values()) {
      lr.runtime.evict(now - EVICT_AFTER_MS);
      if (lr.rule.kind !== 'threshold') continue;
      // The default touches firing instances only: a pending one is left to its `for` job, which fires a
      // condition that held for `for` on a sparse series too.
      const firingOnly = !lr.rule.spec.noData;
      const { afterSeconds, state: mode } = lr.rule.spec.noData ?? SERIES_GONE;
      const afterMs = afterSeconds * 1000;
      if (mode === 'keep') continue;
      if (lr.instances.size === 0 && mode === 'alert' && now - Math.max(lr.loadedAt, startedAt) >= afterMs) {
        // Nothing was ever seen: one instance for the whole rule says so.
        lr.instances.set('', {
          state: initialState(),
          info: { labels: {}, threshold: 'no data', severity: lr.rule.severity },
        });
      }
      let newest = Number.NEGATIVE_INFINITY;
      for (const [key, inst] of lr.instances)
        if (key !== '') newest = Math.max(newest, inst.state.lastSampleAt ?? 0);
      for (const [key, inst] of lr.instances) {
        const last = key === '' ? newest : (inst.state.lastSampleAt ?? lr.loadedAt);
        const prev = inst.state;
        if (now - last < afterMs) {
          // The rule-wide no-data alert ends once any series reports.
          if (key === '' && prev.state === 'firing') {
            const [next, t] = step(prev, { breach: false, recovered: true, value: null }, now, 0);
            inst.state = next;
            changes.push({ lr, key, inst, prev, t });
          }
          continue;
        }
        const noData = mode === 'alert';
        if (firingOnly && prev.state !== 'firing') continue;
        if (noData && prev.state === 'firing') continue;
        if (!noData && prev.state === 'inactive') continue;
        const verdict = { breach: noData, recovered: !noData, value: null };
        const [next, t] = step(prev, verdict, now, 0);
        inst.state = { ...next, lastSampleAt: prev.lastSampleAt };
        if (t === 'firing') inst.info = { ...inst.info, threshold: 'no data' };
        if (t) changes.push({ lr, key, inst, prev, t });
      }
    }
    await commit(changes);
    await repo.pruneInstances(db, now - 7 * 86_400_000);
  }
}

export type RuleEngine = ReturnType<typeof createRuleEngine>;
