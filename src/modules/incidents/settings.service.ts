import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Actor, AuditRepo } from '../../platform/audit/audit.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { incidentFigures } from './figures.repo.ts';
import type { IncidentsRepo, SeverityRow } from './incidents.repo.ts';
import type { FiguresQuery, SeveritySetting, severitySettingBody } from './incidents.schemas.ts';
import type { Severity } from './intake.ts';

export interface SettingsServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: Pick<IncidentsRepo, 'listSeverities' | 'findSeverity' | 'updateSeverity'>;
  audit: Pick<AuditRepo, 'append'>;
}

const toSetting = (row: SeverityRow): SeveritySetting => ({ ...row, severity: row.severity as Severity });

/** Response targets per severity (configuration, audited) and the response figures. */
export function createSettingsService(deps: SettingsServiceDeps) {
  const { db, clock, repo, audit } = deps;
  return {
    listSeverities: async () => (await repo.listSeverities(db)).map(toSetting),

    updateSeverity: (actor: Actor, severity: Severity, input: z.output<typeof severitySettingBody>) =>
      db.transaction().execute(async (trx) => {
        const before = toSetting(await repo.findSeverity(trx, severity));
        const now = clock.now();
        await repo.updateSeverity(trx, severity, { ...input, updatedAt: now });
        const after = toSetting(await repo.findSeverity(trx, severity));
        await audit.append(trx, now, actor, {
          action: 'incident_severity.update',
          entityType: 'incident_severity',
          entityId: severity,
          before,
          after,
        });
        return after;
      }),

    async figures(q: FiguresQuery) {
      const now = clock.now();
      const [rows, [total]] = await Promise.all([
        q.groupBy === 'none' ? Promise.resolve([]) : incidentFigures(db, q, now),
        incidentFigures(db, { ...q, groupBy: 'none' }, now),
      ]);
      return { from: q.from, to: q.to, groupBy: q.groupBy, total: total as NonNullable<typeof total>, rows };
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
