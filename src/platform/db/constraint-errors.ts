import { AppError } from '../errors.ts';

/**
 * Maps a constraint violation from either engine to a 409, so a unique or foreign-key conflict is
 * reported as a conflict in one place rather than in every service.
 */
export function constraintConflict(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, detail, message } = err as { code?: string; detail?: string; message?: string };
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const fields = uniqueFields(detail ?? message ?? '');
    const what = fields.length ? `the same ${fields.join(' and ')}` : 'the same unique value';
    // The fields let a form put the message on the input that clashed.
    return new AppError(409, 'conflict', `A record with ${what} already exists`, {
      fields,
      constraint: detail ?? message,
    });
  }
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new AppError(
      409,
      'conflict',
      'The record is referenced by, or refers to, a record that does not allow it',
      {
        constraint: detail ?? message,
      },
    );
  }
  return undefined;
}

/**
 * The columns of a unique violation, camelCased: SQLite says `UNIQUE constraint failed: teams.name`,
 * PostgreSQL `Key (lower(name))=(shop) already exists.`
 */
export function uniqueFields(text: string): string[] {
  const sqlite = /UNIQUE constraint failed: (.+)$/.exec(text)?.[1];
  const pg = /^Key \((.+?)\)=\(/.exec(text)?.[1];
  const columns = sqlite?.split(', ').map((c) => c.slice(c.lastIndexOf('.') + 1)) ?? pg?.split(', ') ?? [];
  return columns
    .map((c) => c.replace(/^\w+\((\w+)\)$/, '$1'))
    .filter((c) => /^\w+$/.test(c))
    .map((c) => c.replace(/_(\w)/g, (_m, ch: string) => ch.toUpperCase()));
}

/** JSON columns are text on both engines. */
export const toJson = (value: unknown): string => JSON.stringify(value);
export const fromJson = <T>(text: string | null): T | null =>
  text === null ? null : (JSON.parse(text) as T);
