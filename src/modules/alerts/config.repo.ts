import type { Kysely, Selectable } from 'kysely';
import type {
  AlertIntegrationsTable,
  DB,
  MaintenanceWindowsTable,
  SilencesTable,
} from '../../platform/db/schema.ts';

export type IntegrationRow = Selectable<AlertIntegrationsTable>;
export type SilenceRow = Selectable<SilencesTable>;
export type WindowRow = Selectable<MaintenanceWindowsTable>;

const ROUTING_ID = 'current';

/** SQL for the alerts stage's configuration: integrations, silences, maintenance windows, routing. */
export const alertConfigRepo = {
  listIntegrations: (db: Kysely<DB>) =>
    db.selectFrom('alertIntegrations').selectAll().orderBy('name').execute(),
  findIntegration: (db: Kysely<DB>, id: string) =>
    db.selectFrom('alertIntegrations').selectAll().where('id', '=', id).executeTakeFirst(),
  insertIntegration: (db: Kysely<DB>, row: IntegrationRow) =>
    db.insertInto('alertIntegrations').values(row).execute(),
  updateIntegration: (db: Kysely<DB>, id: string, patch: Partial<IntegrationRow>) =>
    db.updateTable('alertIntegrations').set(patch).where('id', '=', id).execute(),
  deleteIntegration: (db: Kysely<DB>, id: string) =>
    db.deleteFrom('alertIntegrations').where('id', '=', id).execute(),

  listSilences: (db: Kysely<DB>, activeAt?: number) => {
    let q = db.selectFrom('silences').selectAll();
    if (activeAt !== undefined) q = q.where('startsAt', '<=', activeAt).where('endsAt', '>', activeAt);
    return q.orderBy('id', 'desc').limit(1000).execute();
  },
  findSilence: (db: Kysely<DB>, id: string) =>
    db.selectFrom('silences').selectAll().where('id', '=', id).executeTakeFirst(),
  insertSilence: (db: Kysely<DB>, row: SilenceRow) => db.insertInto('silences').values(row).execute(),
  updateSilence: (db: Kysely<DB>, id: string, patch: Partial<SilenceRow>) =>
    db.updateTable('silences').set(patch).where('id', '=', id).execute(),

  listWindows: (db: Kysely<DB>) => db.selectFrom('maintenanceWindows').selectAll().orderBy('name').execute(),
  findWindow: (db: Kysely<DB>, id: string) =>
    db.selectFrom('maintenanceWindows').selectAll().where('id', '=', id).executeTakeFirst(),
  insertWindow: (db: Kysely<DB>, row: WindowRow) => db.insertInto('maintenanceWindows').values(row).execute(),
  updateWindow: (db: Kysely<DB>, id: string, patch: Partial<WindowRow>) =>
    db.updateTable('maintenanceWindows').set(patch).where('id', '=', id).execute(),
  deleteWindow: (db: Kysely<DB>, id: string) =>
    db.deleteFrom('maintenanceWindows').where('id', '=', id).execute(),

  getRouting: (db: Kysely<DB>) =>
    db.selectFrom('alertRouting').selectAll().where('id', '=', ROUTING_ID).executeTakeFirst(),
  putRouting: (db: Kysely<DB>, config: string, now: number, by: string) =>
    db
      .insertInto('alertRouting')
      .values({ id: ROUTING_ID, config, updatedAt: now, updatedBy: by })
      .onConflict((oc) => oc.column('id').doUpdateSet({ config, updatedAt: now, updatedBy: by }))
      .execute(),
};

export type AlertConfigRepo = typeof alertConfigRepo;
