import type { InhibitRule } from '../alerts.schemas.ts';
import { matchesAll } from '../matchers.ts';
import type { MuteCandidate, MutedBy, MuteStage } from './types.ts';

export interface FiringAlert extends MuteCandidate {
  id: string;
  title: string;
}

/**
 * The firing alert that inhibits `target`, if any: one matching a rule's source matchers and sharing the
 * rule's `equal` labels, while the target matches the rule's target matchers. An alert matching both sides
 * never inhibits another alert matching both (else two such alerts would mute each other).
 */
export function inhibitedBy(
  rules: readonly InhibitRule[],
  sources: readonly FiringAlert[],
  target: MuteCandidate,
): FiringAlert | null {
  for (const rule of rules) {
    if (!matchesAll(rule.targetMatchers, target.labels)) continue;
    const targetIsSource = matchesAll(rule.sourceMatchers, target.labels);
    for (const s of sources) {
      if (s.fingerprint === target.fingerprint) continue;
      if (!matchesAll(rule.sourceMatchers, s.labels)) continue;
      if (!rule.equal.every((n) => (s.labels[n] ?? '') === (target.labels[n] ?? ''))) continue;
      if (targetIsSource && matchesAll(rule.targetMatchers, s.labels)) continue;
      return s;
    }
  }
  return null;
}

export function inhibitStage(deps: {
  rules: () => Promise<readonly InhibitRule[]>;
  firingAlerts: () => Promise<FiringAlert[]>;
}): MuteStage {
  return {
    kind: 'inhibited',
    async load() {
      const rules = await deps.rules();
      if (rules.length === 0) return async () => null;
      // Firing sources are read once per batch, and only when some rule's target side matches an alert.
      let sources: Promise<FiringAlert[]> | undefined;
      return async (alert): Promise<MutedBy | null> => {
        if (!rules.some((r) => matchesAll(r.targetMatchers, alert.labels))) return null;
        sources ??= deps.firingAlerts();
        const s = inhibitedBy(rules, await sources, alert);
        return s ? { id: s.id, name: s.title } : null;
      };
    },
  };
}
