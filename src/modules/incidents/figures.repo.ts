import { type Kysely, sql } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { FigureRow, FiguresQuery } from './incidents.schemas.ts';

/**
 * MTTA, MTTR and acknowledge-SLA compliance in one aggregate query, so the work stays in the database
 * (the created_at indexes, alone or after service/team/severity, keep the period scan narrow). Merged
 * incidents count once, through their parent.
 */
export async function incidentFigures(db: Kysely<DB>, q: FiguresQuery, now: number): Promise<FigureRow[]> {
  let query = db
    .selectFrom('incidents')
    .where('incidents.createdAt', '>=', q.from)
    .where('incidents.createdAt', '<', q.to)
    .where('incidents.parentId', 'is', null)
    .select((eb) => [
      eb.fn.countAll<number>().as('incidents'),
      eb.fn.count<number>('incidents.acknowledgedAt').as('acknowledged'),
      eb.fn.count<number>('incidents.resolvedAt').as('resolved'),
      sql<number | string | null>`avg(incidents.acknowledged_at - incidents.created_at)`.as('mttaMs'),
      sql<number | string | null>`avg(incidents.resolved_at - incidents.created_at)`.as('mttrMs'),
      sql<
        number | string
      >`coalesce(sum(case when incidents.acknowledged_at is not null or incidents.ack_due_at <= ${now} then 1 else 0 end), 0)`.as(
        'ackSlaDue',
      ),
      sql<
        number | string
      >`coalesce(sum(case when incidents.acknowledged_at is not null and incidents.acknowledged_at <= incidents.ack_due_at then 1 else 0 end), 0)`.as(
        'ackSlaMet',
      ),
    ]);
  if (q.serviceId) query = query.where('incidents.serviceId', '=', q.serviceId);
  if (q.teamId) query = query.where('incidents.teamId', '=', q.teamId);
  if (q.severity) query = query.where('incidents.severity', '=', q.severity);

  type Raw = Record<string, unknown>;
  let rows: Raw[];
  if (q.groupBy === 'severity') {
    rows = await query
      .select(['incidents.severity as key', 'incidents.severity as label'])
      .groupBy('incidents.severity')
      .orderBy('incidents.severity')
      .execute();
  } else if (q.groupBy === 'service') {
    rows = await query
      .leftJoin('services', 'services.id', 'incidents.serviceId')
      .select(['incidents.serviceId as key', 'services.name as label'])
      .groupBy(['incidents.serviceId', 'services.name'])
      .orderBy('services.name')
      .execute();
  } else if (q.groupBy === 'team') {
    rows = await query
      .leftJoin('teams', 'teams.id', 'incidents.teamId')
      .select(['incidents.teamId as key', 'teams.name as label'])
      .groupBy(['incidents.teamId', 'teams.name'])
      .orderBy('teams.name')
      .execute();
  } else {
    rows = [await query.executeTakeFirstOrThrow()];
  }
  return rows.map(toFigure);
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toFigure(r: Record<string, unknown>): FigureRow {
  const due = Number(r.ackSlaDue ?? 0);
  const met = Number(r.ackSlaMet ?? 0);
  const mtta = num(r.mttaMs);
  const mttr = num(r.mttrMs);
  return {
    key: (r.key as string | null | undefined) ?? null,
    label: (r.label as string | null | undefined) ?? null,
    incidents: Number(r.incidents ?? 0),
    acknowledged: Number(r.acknowledged ?? 0),
    resolved: Number(r.resolved ?? 0),
    mttaMs: mtta === null ? null : Math.round(mtta),
    mttrMs: mttr === null ? null : Math.round(mttr),
    ackSlaDue: due,
    ackSlaMet: met,
    ackCompliance: due === 0 ? null : met / due,
  };
}
