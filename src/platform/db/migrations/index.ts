import type { Kysely } from 'kysely';
import type { Engine } from '../engine.ts';
import * as m0001 from './0001_foundation.ts';
import * as m0002 from './0002_audit_log_no_truncate.ts';
import * as m0003 from './0003_metric_store.ts';
import * as m0004 from './0004_scrape_targets.ts';
import * as m0005 from './0005_probes.ts';
import * as m0006 from './0006_alerts.ts';
import * as m0007 from './0007_incidents_oncall.ts';
import * as m0008 from './0008_rules.ts';
import * as m0009 from './0009_notify.ts';
import * as m0010 from './0010_audit_list_indexes.ts';
import * as m0011 from './0011_alert_storm_indexes.ts';
import * as m0012 from './0012_pg_sample_chunks.ts';

export interface Migration {
  up(db: Kysely<unknown>, engine: Engine): Promise<void>;
}

/**
 * The hand-kept, ordered list of migrations: forward-only, append new ones at the end, never edit one
 * that has shipped. No directory scanning, so the order is what this list says.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_audit_log_no_truncate': m0002,
  '0003_metric_store': m0003,
  '0004_scrape_targets': m0004,
  '0005_probes': m0005,
  '0006_alerts': m0006,
  '0007_incidents_oncall': m0007,
  '0008_rules': m0008,
  '0009_notify': m0009,
  '0010_audit_list_indexes': m0010,
  '0011_alert_storm_indexes': m0011,
  '0012_pg_sample_chunks': m0012,
};
