import { AppError } from '../errors.ts';

/**
 * Maps a constraint violation from either engine to a 409, so a unique or foreign-key conflict is
 * reported as a conflict in one place rather than in every service.
 */
export function constraintConflict(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, detail, message } = err as { code?: string; detail?: string; message?: string };
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new AppError(409, 'conflict', 'A record with the same unique value already exists', {
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

/** JSON columns are text on both engines. */
export const toJson = (value: unknown): string => JSON.stringify(value);
export const fromJson = <T>(text: string | null): T | null =>
  text === null ? null : (JSON.parse(text) as T);
