import type { Actor } from '../../platform/audit/audit.repo.ts';
import { fromJson } from '../../platform/db/constraint-errors.ts';
import { createIncidentActions } from './incidents.actions.ts';
import { createIncidentCore, type IncidentsServiceDeps, toIncident } from './incidents.core.ts';
import type { IncidentRow } from './incidents.repo.ts';
import type { CreateIncidentInput, Incident, ListQuery, TimelineEvent } from './incidents.schemas.ts';

export {
  type IncidentsServiceDeps,
  type OpenIncidentInput,
  REVIEW_REQUIRED,
  toIncident,
} from './incidents.core.ts';

/**
 * Incidents: opening (incidents.core.ts), reading them with their timeline and alerts (here), and the
 * response actions (incidents.actions.ts).
 */
export function createIncidentsService(deps: IncidentsServiceDeps) {
  const { db, repo } = deps;
  const core = createIncidentCore(deps);
  const { open, resolveIn, resolveId, view, act } = core;

  return {
    open,
    resolveIn,
    resolveId,

    async create(actor: Actor, input: CreateIncidentInput): Promise<Incident> {
      const row = await act(async (trx) => {
        const { escalationPolicyId, ...rest } = input;
        return open(trx, actor, {
          ...rest,
          escalationPolicyId,
          source: actor.kind === 'token' ? 'api' : 'manual',
          groupKey: null,
        });
      });
      return view(db, (row as IncidentRow).id);
    },

    async get(idOrRef: string): Promise<Incident> {
      return view(db, await resolveId(db, idOrRef));
    },

    async list(q: ListQuery) {
      const rows = await repo.list(db, q);
      return {
        items: rows.map(toIncident),
        nextBefore: rows.length === q.limit ? (rows[rows.length - 1]?.id ?? null) : null,
      };
    },

    async timeline(idOrRef: string): Promise<TimelineEvent[]> {
      const id = await resolveId(db, idOrRef);
      await view(db, id);
      return (await repo.listEvents(db, id)).map(({ dedupeKey: _, incidentId: __, data, ...e }) => ({
        ...e,
        data: fromJson<Record<string, unknown>>(data) ?? {},
      }));
    },

    async alerts(idOrRef: string) {
      const id = await resolveId(db, idOrRef);
      await view(db, id);
      return (await repo.listAlerts(db, id)).map((a) => ({
        ...a,
        labels: fromJson<Record<string, string>>(a.labels) ?? {},
        annotations: fromJson<Record<string, string>>(a.annotations) ?? {},
      }));
    },

    ...createIncidentActions(deps, core),
  };
}

export type IncidentsService = ReturnType<typeof createIncidentsService>;
