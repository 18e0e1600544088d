import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/audit/audit.repo.ts';
import type { DB } from '../../platform/db/schema.ts';

/**
 * What notifications need from the incidents stage, as narrow functions the pipeline wires in. Notify
 * never reads or writes the incidents' tables itself.
 */
export interface IncidentFacts {
  id: string;
  number: number;
  title: string;
  severity: string;
  state: string;
  serviceName: string | null;
  createdAt: number;
  alerts: { labels: Record<string, string>; annotations: Record<string, string>; startsAt: number }[];
}

/** Appends to the incident timeline (the incidents module's recorder); false when the dedupe key was used. */
export type TimelineWriter = (
  ex: Kysely<DB>,
  incidentId: string,
  actor: Actor,
  kind: 'notification' | 'notification_delivery',
  data?: Record<string, unknown>,
  dedupeKey?: string,
) => Promise<boolean>;

export type IncidentAction = 'acknowledge' | 'resolve';

export interface IncidentsPort {
  facts(ex: Kysely<DB>, incidentId: string): Promise<IncidentFacts | null>;
  record: TimelineWriter;
  /** Acknowledges or resolves as `actor`; 'already' when the incident was already there (or further). */
  act(incidentId: string, action: IncidentAction, actor: Actor): Promise<'done' | 'already' | 'gone'>;
}

/** Raised when a channel starts or stops failing; the pipeline turns it into an internal alert. */
export type ChannelHealthHook = (event: {
  channelId: string;
  channelName: string;
  kind: string;
  state: 'failing' | 'ok';
  failures: number;
  lastError: string | null;
  at: number;
}) => Promise<void> | void;
