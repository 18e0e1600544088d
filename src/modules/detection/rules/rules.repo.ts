import type { Kysely, Selectable } from 'kysely';
import type {
  AlertRulesTable,
  DB,
  RuleFiringsTable,
  RuleInstancesTable,
} from '../../../platform/db/schema.ts';

export type RuleRow = Selectable<AlertRulesTable>;
export type InstanceRow = Selectable<RuleInstancesTable>;
export type FiringRow = Selectable<RuleFiringsTable>;

export interface RuleFilter {
  kind?: string | undefined;
  serviceId?: string | undefined;
}

/** SQL for rules, their instances' state and their firing history. */
export const rulesRepo = {
  listRules: (db: Kysely<DB>, f: RuleFilter = {}) => {
    let q = db.selectFrom('alertRules').selectAll().orderBy('name');
    if (f.kind) q = q.where('kind', '=', f.kind);
    if (f.serviceId) q = q.where('serviceId', '=', f.serviceId);
    return q.execute();
  },
  findRule: (db: Kysely<DB>, id: string) =>
    db.selectFrom('alertRules').selectAll().where('id', '=', id).executeTakeFirst(),
  insertRule: (db: Kysely<DB>, row: RuleRow) => db.insertInto('alertRules').values(row).execute(),
  updateRule: (db: Kysely<DB>, id: string, patch: Partial<RuleRow>) =>
    db.updateTable('alertRules').set(patch).where('id', '=', id).execute(),
  deleteRule: (db: Kysely<DB>, id: string) => db.deleteFrom('alertRules').where('id', '=', id).execute(),

  listInstances: (db: Kysely<DB>, ruleId?: string) => {
    let q = db.selectFrom('ruleInstances').selectAll();
    if (ruleId) q = q.where('ruleId', '=', ruleId);
    return q.execute();
  },
  countActive: (db: Kysely<DB>) =>
    db
      .selectFrom('ruleInstances')
      .select(['ruleId', 'state', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('state', 'in', ['pending', 'firing'])
      .groupBy(['ruleId', 'state'])
      .execute(),
  upsertInstance: (db: Kysely<DB>, row: InstanceRow) =>
    db
      .insertInto('ruleInstances')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['ruleId', 'instanceKey']).doUpdateSet({
          labels: row.labels,
          state: row.state,
          pendingSince: row.pendingSince,
          firingSince: row.firingSince,
          resolvedAt: row.resolvedAt,
          lastValue: row.lastValue,
          lastEvalAt: row.lastEvalAt,
          lastSampleAt: row.lastSampleAt,
          count: row.count,
          annotations: row.annotations,
          updatedAt: row.updatedAt,
        }),
      )
      .execute(),
  deleteInstances: (db: Kysely<DB>, ruleId: string) =>
    db.deleteFrom('ruleInstances').where('ruleId', '=', ruleId).execute(),
  /** Inactive instances untouched since `before`: they carry nothing a restart needs. */
  pruneInstances: (db: Kysely<DB>, before: number) =>
    db.deleteFrom('ruleInstances').where('state', '=', 'inactive').where('updatedAt', '<', before).execute(),

  insertFiring: (db: Kysely<DB>, row: FiringRow) => db.insertInto('ruleFirings').values(row).execute(),
  endFiring: (db: Kysely<DB>, ruleId: string, instanceKey: string, endedAt: number) =>
    db
      .updateTable('ruleFirings')
      .set({ endedAt })
      .where('ruleId', '=', ruleId)
      .where('instanceKey', '=', instanceKey)
      .where('endedAt', 'is', null)
      .execute(),
  /** Firings that overlap [from, to), plus the one before each, for flapping counts. */
  firingsBetween: (db: Kysely<DB>, from: number, to: number) =>
    db
      .selectFrom('ruleFirings')
      .selectAll()
      .where('startedAt', '<', to)
      .where((eb) => eb.or([eb('endedAt', 'is', null), eb('endedAt', '>=', from - 3_600_000)]))
      .orderBy('ruleId')
      .orderBy('instanceKey')
      .orderBy('startedAt')
      .execute(),
};

export type RulesRepo = typeof rulesRepo;
