import type { Kysely } from 'kysely';
import type { Actor, AuditRepo } from '../../../platform/audit/audit.repo.ts';
import type { Clock } from '../../../platform/clock.ts';
import { constraintConflict } from '../../../platform/db/constraint-errors.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { badRequest, conflict, notFound } from '../../../platform/errors.ts';
import { newId } from '../../../platform/ids.ts';
import type { RuleEngine } from './engine.ts';
import { createKindRuntime } from './kinds.ts';
import { toRow, toRule } from './model.ts';
import type { RuleFilter, RulesRepo } from './rules.repo.ts';
import type { RuleInput, TypedRule } from './rules.schemas.ts';

export interface RulesServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: RulesRepo;
  audit: Pick<AuditRepo, 'append'>;
  engine: Pick<RuleEngine, 'ruleChanged' | 'instances'> | null;
  serviceExists: (ex: Kysely<DB>, id: string) => Promise<boolean>;
}

/** Checks what zod cannot: cross-field rules, and that the evaluator can be built from the rule. */
function validate(input: RuleInput): void {
  if (input.kind === 'burn_rate' && input.spec.source.type === 'counters') {
    const { good, bad } = input.spec.source;
    if ((good === null) === (bad === null)) {
      throw badRequest('spec.source: give exactly one of `good` or `bad` beside `total`', {
        issues: [{ path: 'body.spec.source', message: 'give exactly one of good or bad' }],
      });
    }
  }
  if (input.kind === 'threshold' && input.spec.recovery !== null) {
    const { op, value, recovery } = input.spec;
    const wrongSide = (op.startsWith('>') && recovery > value) || (op.startsWith('<') && recovery < value);
    if (wrongSide) {
      throw badRequest(
        `spec.recovery ${recovery} must be on the safe side of the threshold (${op} ${value} fires; recovery ${op.startsWith('>') ? '≤' : '≥'} ${value})`,
        {
          issues: [
            { path: 'body.spec.recovery', message: 'recovery must be on the safe side of the threshold' },
          ],
        },
      );
    }
  }
  try {
    createKindRuntime({ ...input, id: '', createdAt: 0, updatedAt: 0 } as TypedRule);
  } catch (err) {
    throw badRequest(`spec: ${(err as Error).message}`);
  }
}

const specChanged = (a: TypedRule, b: TypedRule) =>
  a.kind !== b.kind || JSON.stringify(a.spec) !== JSON.stringify(b.spec);

/** Rule definitions: CRUD, audited, and every change handed to the streaming engine. */
export function createRulesService(deps: RulesServiceDeps) {
  const { db, clock, repo, audit } = deps;

  async function mustFind(ex: Kysely<DB>, id: string): Promise<TypedRule> {
    const row = await repo.findRule(ex, id);
    if (!row) throw notFound('Rule', id);
    return toRule(row);
  }

  async function checkService(ex: Kysely<DB>, serviceId: string | null): Promise<void> {
    if (serviceId && !(await deps.serviceExists(ex, serviceId))) throw notFound('Owner service', serviceId);
  }

  async function write<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    try {
      return await db.transaction().execute(fn);
    } catch (err) {
      const c = constraintConflict(err);
      if (c) throw conflict('A rule with this name already exists', c.details);
      throw err;
    }
  }

  return {
    async list(filter: RuleFilter & { q?: string | undefined }) {
      const [rows, active] = await Promise.all([repo.listRules(db, filter), repo.countActive(db)]);
      const q = filter.q?.toLowerCase();
      return rows
        .map(toRule)
        .filter((r) => !q || r.name.toLowerCase().includes(q))
        .map((r) => ({
          ...r,
          firing: Number(active.find((a) => a.ruleId === r.id && a.state === 'firing')?.n ?? 0),
          pending: Number(active.find((a) => a.ruleId === r.id && a.state === 'pending')?.n ?? 0),
        }));
    },

    async get(id: string) {
      const rule = await mustFind(db, id);
      const live = deps.engine?.instances(id);
      const instances = live
        ? live.map((i) => ({ instanceKey: i.key, labels: i.labels, ...i.state }))
        : (await repo.listInstances(db, id)).map((r) => ({ ...r, labels: JSON.parse(r.labels) }));
      return {
        ...rule,
        instances: instances.map((i) => ({
          instanceKey: i.instanceKey,
          labels: i.labels,
          state: i.state as 'inactive' | 'pending' | 'firing',
          pendingSince: i.pendingSince,
          firingSince: i.firingSince,
          resolvedAt: i.resolvedAt,
          lastValue: i.lastValue,
          lastEvalAt: i.lastEvalAt,
        })),
      };
    },

    async create(actor: Actor, input: RuleInput): Promise<TypedRule> {
      validate(input);
      const now = clock.now();
      const row = toRow(newId(), input, now, now);
      const rule = await write(async (trx) => {
        await checkService(trx, input.serviceId);
        await repo.insertRule(trx, row);
        const created = toRule(row);
        await audit.append(trx, now, actor, {
          action: 'rule.create',
          entityType: 'rule',
          entityId: row.id,
          after: created,
        });
        return created;
      });
      await deps.engine?.ruleChanged(rule, rule.id, false);
      return rule;
    },

    async update(actor: Actor, id: string, input: RuleInput): Promise<TypedRule> {
      validate(input);
      const [before, after] = await write(async (trx) => {
        const before = await mustFind(trx, id);
        await checkService(trx, input.serviceId);
        const now = clock.now();
        const row = toRow(id, input, before.createdAt, now);
        await repo.updateRule(trx, id, row);
        const after = toRule(row);
        await audit.append(trx, now, actor, {
          action: 'rule.update',
          entityType: 'rule',
          entityId: id,
          before,
          after,
        });
        return [before, after] as const;
      });
      // Names, labels and templates change what the next alert says; a new condition starts afresh.
      await deps.engine?.ruleChanged(after, id, !specChanged(before, after));
      return after;
    },

    async remove(actor: Actor, id: string): Promise<void> {
      await write(async (trx) => {
        const before = await mustFind(trx, id);
        await audit.append(trx, clock.now(), actor, {
          action: 'rule.delete',
          entityType: 'rule',
          entityId: id,
          before,
        });
      });
      // Resolve what the rule raised before its rows go.
      await deps.engine?.ruleChanged(null, id, false);
      await repo.deleteRule(db, id);
    },
  };
}

export type RulesService = ReturnType<typeof createRulesService>;
