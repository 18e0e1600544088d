import type { Kysely, Selectable } from 'kysely';
import type { DB, IncidentActionItemsTable, IncidentReviewsTable } from '../../platform/db/schema.ts';

export type ReviewRow = Selectable<IncidentReviewsTable>;
export type ItemRow = Selectable<IncidentActionItemsTable>;

/** SQL for reviews and action items. */
export const reviewRepo = {
  find: (db: Kysely<DB>, incidentId: string) =>
    db.selectFrom('incidentReviews').selectAll().where('incidentId', '=', incidentId).executeTakeFirst(),
  upsert: (db: Kysely<DB>, row: ReviewRow) => {
    const { incidentId: _, ...rest } = row;
    return db
      .insertInto('incidentReviews')
      .values(row)
      .onConflict((oc) => oc.column('incidentId').doUpdateSet(rest))
      .execute();
  },
  listItems: (db: Kysely<DB>, incidentId: string) =>
    db
      .selectFrom('incidentActionItems')
      .leftJoin('users', 'users.id', 'incidentActionItems.ownerId')
      .selectAll('incidentActionItems')
      .select('users.displayName as ownerName')
      .where('incidentActionItems.incidentId', '=', incidentId)
      .orderBy('incidentActionItems.createdAt')
      .orderBy('incidentActionItems.id')
      .execute(),
  findItem: (db: Kysely<DB>, id: string) =>
    db.selectFrom('incidentActionItems').selectAll().where('id', '=', id).executeTakeFirst(),
  insertItem: (db: Kysely<DB>, row: ItemRow) => db.insertInto('incidentActionItems').values(row).execute(),
  updateItem: (db: Kysely<DB>, id: string, patch: Partial<ItemRow>) =>
    db.updateTable('incidentActionItems').set(patch).where('id', '=', id).execute(),
};
