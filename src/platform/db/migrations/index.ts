import type { Kysely } from 'kysely';
import type { Engine } from '../engine.ts';
import * as m0001 from './0001_foundation.ts';
import * as m0002 from './0002_audit_log_no_truncate.ts';

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
};
