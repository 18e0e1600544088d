import type { Kysely } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import { toRule } from './model.ts';
import type { FiringRow, RulesRepo } from './rules.repo.ts';
import type { ReviewReply } from './rules.schemas.ts';

/** A firing is a flap when the same instance fired again this soon after its previous firing ended. */
export const FLAP_GAP_MS = 30 * 60_000;

/**
 * Asks the alerts/incidents side which firings became or joined an incident: one boolean per firing,
 * matched by the alert's labels and start time. Wired in the pipeline; absent, the share is unknown.
 */
export type IncidentLinks = (
  firings: readonly { labels: Record<string, string>; startsAt: number }[],
) => Promise<boolean[]>;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The weekly rule review: per rule, how often it fired in [from, to), how much of that led to an
 * incident, how much cleared by itself within minutes, how often it flapped, and for how long it fired.
 * Noisiest first (most firings, then most flaps), so the review starts with the rules to fix.
 */
export async function reviewRules(
  deps: {
    db: Kysely<DB>;
    repo: Pick<RulesRepo, 'listRules' | 'firingsBetween'>;
    incidentLinks?: IncidentLinks | undefined;
    now: number;
  },
  q: { from: number; to: number; autoResolveMinutes: number },
): Promise<ReviewReply> {
  const { from, to } = q;
  const [ruleRows, rows] = await Promise.all([
    deps.repo.listRules(deps.db),
    deps.repo.firingsBetween(deps.db, from, to),
  ]);
  const byRule = new Map<string, FiringRow[]>();
  for (const r of rows) {
    let list = byRule.get(r.ruleId);
    if (!list) {
      list = [];
      byRule.set(r.ruleId, list);
    }
    list.push(r);
  }
  const autoMs = q.autoResolveMinutes * 60_000;
  const items: ReviewReply['items'] = [];
  const firingsOf = new Map<string, FiringRow[]>();
  for (const row of ruleRows) {
    const rule = toRule(row);
    const all = byRule.get(rule.id) ?? [];
    const inPeriod = all.filter((f) => f.startedAt >= from && f.startedAt < to);
    firingsOf.set(rule.id, inPeriod);
    let flapping = 0;
    const lastEnd = new Map<string, number | null>();
    for (const f of all) {
      const prevEnd = lastEnd.get(f.instanceKey);
      if (f.startedAt >= from && f.startedAt < to && prevEnd != null && f.startedAt - prevEnd <= FLAP_GAP_MS)
        flapping++;
      lastEnd.set(f.instanceKey, f.endedAt);
    }
    const durations = inPeriod.map((f) => (f.endedAt ?? Math.min(to, deps.now)) - f.startedAt);
    const auto = inPeriod.filter((f) => f.endedAt !== null && f.endedAt - f.startedAt <= autoMs).length;
    items.push({
      ruleId: rule.id,
      name: rule.name,
      kind: rule.kind,
      severity: rule.severity,
      serviceId: rule.serviceId,
      fired: inPeriod.length,
      incidentShare: null,
      autoResolvedShare: inPeriod.length ? auto / inPeriod.length : 0,
      flapping,
      medianFiringSeconds: inPeriod.length ? Math.round((median(durations) ?? 0) / 1000) : null,
    });
  }
  if (deps.incidentLinks) {
    const flat = items.flatMap((i) => (firingsOf.get(i.ruleId) ?? []).map((f) => ({ item: i, f })));
    const linked = flat.length
      ? await deps.incidentLinks(
          flat.map(({ item, f }) => {
            const rule = ruleRows.find((r) => r.id === item.ruleId);
            const ruleLabels = rule ? (JSON.parse(rule.labels) as Record<string, string>) : {};
            return {
              labels: {
                ...(JSON.parse(f.labels) as Record<string, string>),
                ...ruleLabels,
                alertname: item.name,
                severity: f.severity,
              },
              startsAt: f.startedAt,
            };
          }),
        )
      : [];
    const counts = new Map<string, number>();
    flat.forEach(({ item }, i) => {
      if (linked[i]) counts.set(item.ruleId, (counts.get(item.ruleId) ?? 0) + 1);
    });
    for (const i of items) i.incidentShare = i.fired ? (counts.get(i.ruleId) ?? 0) / i.fired : 0;
  }
  items.sort((a, b) => b.fired - a.fired || b.flapping - a.flapping || a.name.localeCompare(b.name));
  return { from, to, items };
}
