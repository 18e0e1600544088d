import { type Matcher, matchesAll } from '../matchers.ts';
import type { MuteCandidate, MutedBy, MuteStage } from './types.ts';

export interface ActiveSilence {
  id: string;
  matchers: readonly Matcher[];
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
}

export const silenceState = (s: { startsAt: number; endsAt: number }, now: number) =>
  now < s.startsAt ? 'pending' : now < s.endsAt ? 'active' : 'expired';

/** The first silence in effect at `now` whose matchers all match the alert. */
export function silencedBy(silences: readonly ActiveSilence[], alert: MuteCandidate, now: number) {
  return (
    silences.find((s) => silenceState(s, now) === 'active' && matchesAll(s.matchers, alert.labels)) ?? null
  );
}

export function silenceStage(deps: { activeSilences: (now: number) => Promise<ActiveSilence[]> }): MuteStage {
  return {
    kind: 'silenced',
    async load(now) {
      const silences = await deps.activeSilences(now);
      return async (alert): Promise<MutedBy | null> => {
        const s = silencedBy(silences, alert, now);
        return s ? { id: s.id, name: `${s.createdBy}: ${s.comment}`.slice(0, 200) } : null;
      };
    },
  };
}
