import type { Kysely } from 'kysely';
import { systemActor } from '../../platform/audit/audit.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import { toJson } from '../../platform/db/constraint-errors.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { EventRow, IncidentAlertRow, IncidentRow, IncidentsRepo } from './incidents.repo.ts';
import type { IncidentsService } from './incidents.service.ts';
import type { AlertGroupSignal, GroupAlert, IncidentIntake } from './intake.ts';
import { type Recorder, timelineRow } from './timeline.ts';

export interface IntakeDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: IncidentsRepo;
  incidents: Pick<IncidentsService, 'open' | 'resolveIn'>;
  record: Recorder;
  /** Resolve the incident when its last alert resolves (STEADY_INCIDENT_AUTO_RESOLVE). */
  autoResolve: boolean;
  wake: () => void;
}

const alertKey = (incidentId: string, a: GroupAlert) =>
  `alert:${incidentId}:${a.alertId}:${a.status}:${a.status === 'firing' ? a.startsAt : (a.endsAt ?? a.startsAt)}`;

/** The incidents side of the alerts → incidents contract (intake.ts). */
export function createIntake(deps: IntakeDeps): IncidentIntake {
  const { db, clock, repo, record } = deps;
  const actor = systemActor('alerts');

  /** The open incident of the group: a merged one hands over to the incident it was merged into. */
  async function openIncident(ex: Kysely<DB>, key: string): Promise<IncidentRow | undefined> {
    let row = await repo.findOpenByGroupKey(ex, key);
    for (let hops = 0; row?.parentId && hops < 5; hops++) row = await repo.findRow(ex, row.parentId);
    return row && (row.state === 'triggered' || row.state === 'acknowledged') ? row : undefined;
  }

  /**
   * Attaches the group's alerts to the incident in a few statements whatever their number (a storm hands
   * hundreds at once): one read of the rows already attached, one insert of the new ones, one of the
   * timeline rows; only alerts whose state changed are updated one by one.
   */
  async function applyAlerts(ex: Kysely<DB>, incidentId: string, alerts: readonly GroupAlert[]) {
    const now = clock.now();
    const known = new Map(
      (
        await repo.findAlerts(
          ex,
          incidentId,
          alerts.map((a) => a.alertId),
        )
      ).map((r) => [r.alertId, r]),
    );
    const inserts = new Map<string, IncidentAlertRow>();
    const events: EventRow[] = [];
    for (const a of alerts) {
      const existing = known.get(a.alertId);
      const fields = {
        fingerprint: a.fingerprint,
        status: a.status,
        labels: toJson(a.labels),
        annotations: toJson(a.annotations),
        startsAt: a.startsAt,
        endsAt: a.endsAt,
        updatedAt: now,
      };
      const data = { alertId: a.alertId, fingerprint: a.fingerprint, labels: a.labels, status: a.status };
      const row: IncidentAlertRow = {
        incidentId,
        alertId: a.alertId,
        ...fields,
        attachedAt: existing?.attachedAt ?? now,
      };
      known.set(a.alertId, row);
      if (!existing || inserts.has(a.alertId)) {
        inserts.set(a.alertId, row);
        if (existing?.status === a.status) continue;
        const kind =
          a.status === 'firing' ? (existing ? 'alert_refired' : 'alert_attached') : 'alert_resolved';
        events.push(timelineRow(incidentId, now, actor, kind, data, alertKey(incidentId, a)));
      } else if (existing.status !== a.status) {
        await repo.updateAlert(ex, incidentId, a.alertId, fields);
        events.push(
          timelineRow(
            incidentId,
            now,
            actor,
            a.status === 'firing' ? 'alert_refired' : 'alert_resolved',
            data,
            alertKey(incidentId, a),
          ),
        );
      } else if (existing.endsAt !== a.endsAt || existing.labels !== fields.labels) {
        await repo.updateAlert(ex, incidentId, a.alertId, fields);
      }
    }
    await repo.insertAlerts(ex, [...inserts.values()]);
    await repo.appendEvents(ex, events);
  }

  return {
    async onAlertGroup(signal: AlertGroupSignal, within?: Kysely<DB>) {
      const work = async (trx: Kysely<DB>) => {
        let row = await openIncident(trx, signal.groupKey);
        let created = false;
        if (!row) {
          if (!signal.alerts.some((a) => a.status === 'firing')) {
            // Only resolutions, and nothing open: bring the last incident of the group up to date.
            const latest = await repo.findLatestByGroupKey(trx, signal.groupKey);
            if (latest) await applyAlerts(trx, latest.id, signal.alerts);
            return { incidentId: latest?.id ?? null, created: false };
          }
          row =
            (await deps.incidents.open(trx, actor, {
              title: signal.title,
              description: '',
              severity: signal.severity,
              source: 'alert',
              serviceId: signal.serviceId,
              teamId: signal.teamId,
              assigneeId: null,
              escalationPolicyId: signal.escalationPolicyId,
              groupKey: signal.groupKey,
            })) ?? undefined;
          // Another instance opened it first: attach to theirs.
          if (!row) row = await openIncident(trx, signal.groupKey);
          else created = true;
          if (!row) throw new Error(`no open incident for group ${signal.groupKey} after a conflicting open`);
        }
        await applyAlerts(trx, row.id, signal.alerts);
        const counts = await repo.countFiring(trx, row.id);
        if (counts.total > 0 && counts.firing === 0) {
          if (deps.autoResolve) {
            await deps.incidents.resolveIn(trx, row, actor, { auto: true, reason: 'all alerts resolved' });
          } else {
            await record(
              trx,
              row.id,
              actor,
              'all_alerts_resolved',
              {},
              `all-resolved:${row.id}:${row.updatedAt}`,
            );
          }
        }
        return { incidentId: row.id, created };
      };
      // Inside the caller's transaction, the caller commits and wakes the worker.
      if (within) return work(within);
      const result = await db.transaction().execute(work);
      deps.wake();
      return result;
    },
  };
}
