import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/audit/audit.repo.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import type { IncidentFacts, IncidentsPort, TimelineWriter } from './ports.ts';

/** The parts of the incidents module the port is built from (its repo reads, recorder and service). */
export interface IncidentsParts {
  findView(
    ex: Kysely<DB>,
    id: string,
  ): Promise<
    | {
        id: string;
        number: number | string;
        title: string;
        severity: string;
        state: string;
        serviceName: string | null;
        createdAt: number;
      }
    | undefined
  >;
  listAlerts(
    ex: Kysely<DB>,
    id: string,
  ): Promise<readonly { labels: string; annotations: string; startsAt: number; status: string }[]>;
  record: TimelineWriter;
  acknowledge(actor: Actor, id: string): Promise<unknown>;
  resolve(actor: Actor, id: string): Promise<unknown>;
}

const parse = (text: string): Record<string, string> => {
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    return {};
  }
};

/**
 * Adapts the incidents module to what notify needs. Reads go through the caller's executor: a page is
 * rendered inside the escalation step's transaction, and on SQLite a second connection would wait on it.
 */
export function incidentsPort(parts: IncidentsParts): IncidentsPort {
  return {
    async facts(ex, id): Promise<IncidentFacts | null> {
      const row = await parts.findView(ex, id);
      if (!row) return null;
      const alerts = (await parts.listAlerts(ex, id))
        .filter((a) => a.status === 'firing')
        .map((a) => ({
          labels: parse(a.labels),
          annotations: parse(a.annotations),
          startsAt: Number(a.startsAt),
        }));
      return {
        id: row.id,
        number: Number(row.number),
        title: row.title,
        severity: row.severity,
        state: row.state,
        serviceName: row.serviceName,
        createdAt: Number(row.createdAt),
        alerts,
      };
    },
    record: parts.record,
    async act(id, action, actor) {
      try {
        await (action === 'acknowledge' ? parts.acknowledge(actor, id) : parts.resolve(actor, id));
        return 'done';
      } catch (err) {
        if (err instanceof AppError && err.status === 404) return 'gone';
        // A conflict: the incident is already acknowledged, resolved or closed.
        if (err instanceof AppError && err.status === 409) return 'already';
        throw err;
      }
    },
  };
}
