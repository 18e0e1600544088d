import { describe, expect, it } from 'vitest';
import { nextStep, slaDeadlines } from './escalation.ts';
import type { EscalationSnapshot } from './incidents.schemas.ts';

const MIN = 60_000;
const snapshot = (repeat: number): EscalationSnapshot => ({
  policyId: 'p',
  policyName: 'Payments',
  repeat,
  steps: [
    { waitMinutes: 5, targets: [] },
    { waitMinutes: 10, targets: [] },
    { waitMinutes: 15, targets: [] },
  ],
});

describe('escalation maths', () => {
  it('each step waits its own minutes before the next; the policy ends after the last round', () => {
    const t0 = 1_000_000;
    const plan = [];
    let pos: ReturnType<typeof nextStep> = { round: 0, step: 0, at: t0 };
    while (pos) {
      plan.push([pos.round, pos.step, (pos.at - t0) / MIN]);
      pos = nextStep(snapshot(1), pos);
    }
    expect(plan).toEqual([
      [0, 0, 0],
      [0, 1, 5],
      [0, 2, 15],
      [1, 0, 30], // the last step's wait, then round two
      [1, 1, 35],
      [1, 2, 45],
    ]);
  });

  it('without repeat the policy runs once', () => {
    expect(nextStep(snapshot(0), { round: 0, step: 2, at: 0 })).toBeNull();
    expect(nextStep(snapshot(0), { round: 0, step: 7, at: 0 })).toBeNull();
  });

  it('response deadlines follow the severity targets', () => {
    expect(slaDeadlines(0, { ackMinutes: 5, resolveMinutes: 60 })).toEqual({
      ackDueAt: 5 * MIN,
      resolveDueAt: 60 * MIN,
    });
  });
});
