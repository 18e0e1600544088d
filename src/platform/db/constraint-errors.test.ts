import { describe, expect, it } from 'vitest';
import { constraintConflict, uniqueFields } from './constraint-errors.ts';

describe('unique violations name the clashing fields', () => {
  it('reads SQLite messages', () => {
    expect(uniqueFields('UNIQUE constraint failed: teams.name')).toEqual(['name']);
    expect(uniqueFields('UNIQUE constraint failed: team_members.team_id, team_members.user_id')).toEqual([
      'teamId',
      'userId',
    ]);
  });
  it('reads PostgreSQL details, expressions included', () => {
    expect(uniqueFields('Key (lower(name))=(Shop) already exists.')).toEqual(['name']);
    expect(uniqueFields('Key (team_id, user_id)=(a, b) already exists.')).toEqual(['teamId', 'userId']);
  });
  it('falls back to a generic message when the text is not understood', () => {
    const err = constraintConflict({ code: '23505', detail: 'something else' });
    expect(err?.status).toBe(409);
    expect(err?.message).toBe('A record with the same unique value already exists');
    expect(
      constraintConflict({
        code: 'SQLITE_CONSTRAINT_UNIQUE',
        message: 'UNIQUE constraint failed: services.slug',
      })?.message,
    ).toBe('A record with the same slug already exists');
  });
});
