import { describe, expect, it } from 'vitest';
import { nextState } from './state.ts';

const pass = { ok: true, degraded: null, reason: null };
const slow = { ok: true, degraded: 'slow: 900 ms', reason: null };
const fail = { ok: false, degraded: null, reason: 'connection refused' };

describe('probe state machine', () => {
  it('passes are up, slow passes degraded, and both reset the failure count', () => {
    expect(nextState({ state: 'unknown', consecutiveFailures: 0 }, pass, 2)).toEqual({
      state: 'up',
      consecutiveFailures: 0,
      reason: null,
    });
    expect(nextState({ state: 'down', consecutiveFailures: 5 }, slow, 2)).toEqual({
      state: 'degraded',
      consecutiveFailures: 0,
      reason: 'slow: 900 ms',
    });
  });

  it('tolerates `retries` failures in a row as pending-retry, then is down until a pass', () => {
    let s = { state: 'up' as const, consecutiveFailures: 0 } as Parameters<typeof nextState>[0];
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      s = nextState(s, fail, 2);
      seen.push(s.state);
    }
    expect(seen).toEqual(['pending-retry', 'pending-retry', 'down', 'down']);
    expect(nextState(s, pass, 2).state).toBe('up');
    expect(nextState({ state: 'up', consecutiveFailures: 0 }, fail, 0)).toEqual({
      state: 'down',
      consecutiveFailures: 1,
      reason: 'connection refused',
    });
  });
});
