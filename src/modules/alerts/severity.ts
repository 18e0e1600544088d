import type { Severity } from '../incidents/index.ts';

/** Words sources use for severity (Alertmanager labels, Grafana, Zabbix, Nightingale) and what they mean here. */
const BUILT_IN: Record<string, Severity> = {
  critical: 'P1',
  crit: 'P1',
  page: 'P1',
  emergency: 'P1',
  disaster: 'P1',
  high: 'P1',
  fatal: 'P1',
  p1: 'P1',
  p0: 'P1',
  sev1: 'P1',
  error: 'P2',
  major: 'P2',
  warning: 'P2',
  warn: 'P2',
  average: 'P2',
  p2: 'P2',
  sev2: 'P2',
  info: 'P3',
  information: 'P3',
  minor: 'P3',
  low: 'P3',
  none: 'P3',
  'not classified': 'P3',
  p3: 'P3',
  sev3: 'P3',
};

export interface SeverityPolicy {
  defaultSeverity: Severity;
  severityLabel: string;
  severityMap: Readonly<Record<string, Severity>>;
}

export function severityOf(
  policy: SeverityPolicy,
  explicit: string | undefined,
  labels: Readonly<Record<string, string>>,
): Severity {
  const word = (explicit ?? labels[policy.severityLabel])?.trim().toLowerCase();
  if (!word) return policy.defaultSeverity;
  return policy.severityMap[word] ?? BUILT_IN[word] ?? policy.defaultSeverity;
}

const RANK: Record<Severity, number> = { P1: 1, P2: 2, P3: 3 };
export const mostSevere = (a: Severity, b: Severity): Severity => (RANK[a] <= RANK[b] ? a : b);
