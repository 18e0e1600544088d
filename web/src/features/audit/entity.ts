import type { AuditEntry } from '../../app/types';
import { formatAbsolute } from '../../components/format';

/** A readable name for the changed record, taken from its after/before snapshot (name, username…). */
export function entityLabel(entry: Pick<AuditEntry, 'before' | 'after'>): string | null {
  for (const snapshot of [entry.after, entry.before]) {
    if (snapshot && typeof snapshot === 'object') {
      const s = snapshot as Record<string, unknown>;
      for (const key of ['name', 'username', 'title', 'displayName']) {
        if (typeof s[key] === 'string' && s[key]) return s[key] as string;
      }
    }
  }
  return null;
}

/** Entity types written so far; modules add theirs (the filter also accepts any typed value). */
export const KNOWN_ENTITY_TYPES = ['service', 'team', 'user', 'api_token'];

export interface DiffRow {
  field: string;
  before: unknown;
  after: unknown;
  change: 'added' | 'removed' | 'changed' | 'same';
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/** Field-by-field comparison of two snapshots (top-level keys; nested values compared as JSON). */
export function diffSnapshots(before: unknown, after: unknown): DiffRow[] {
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys.map((field) => {
    const inB = field in b;
    const inA = field in a;
    const change: DiffRow['change'] =
      inB && !inA
        ? 'removed'
        : !inB && inA
          ? 'added'
          : JSON.stringify(b[field]) === JSON.stringify(a[field])
            ? 'same'
            : 'changed';
    return { field, before: b[field], after: a[field], change };
  });
}

/** A snapshot value as JSON; epoch-millisecond fields (`…At`) also as a readable time. */
export const showValue = (v: unknown, field = ''): string =>
  v === undefined
    ? ''
    : typeof v === 'number' && field.endsWith('At') && v > 0
      ? `${formatAbsolute(v)} (${v})`
      : JSON.stringify(v);
