import type { TypedRule } from './rules.schemas.ts';
import type { InstanceState } from './state.ts';
import { formatNumber, renderTemplate } from './template.ts';

/** An alert as the alerts stage takes it from any source (same shape as a webhook's, after parsing). */
export interface RuleAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number | null;
  endsAt: number | null;
  generatorUrl: string | null;
  title?: string | undefined;
  severity?: string | undefined;
}

/** Where firing and resolved rule instances go: the alerts stage's intake (wired in src/pipeline.ts). */
export interface AlertSink {
  receive(alerts: RuleAlert[]): Promise<unknown>;
}

export interface InstanceInfo {
  labels: Record<string, string>;
  threshold: string;
  severity: 'P1' | 'P2' | 'P3';
}

/**
 * Alert labels: series labels, then the rule's labels over them, then `alertname` and `severity` (the
 * Prometheus order: what the rule says wins over what the series says).
 */
export function alertLabels(rule: TypedRule, info: InstanceInfo): Record<string, string> {
  return { ...info.labels, ...rule.labels, alertname: rule.name, severity: info.severity };
}

export function alertAnnotations(
  rule: TypedRule,
  info: InstanceInfo,
  value: number | null,
): Record<string, string> {
  const labels = alertLabels(rule, info);
  const data = { labels, value, threshold: info.threshold, rule: rule.name };
  const out: Record<string, string> = {
    summary: renderTemplate(rule.summary, data),
    value: formatNumber(value),
    rule_id: rule.id,
    rule_kind: rule.kind,
  };
  if (rule.description) out.description = renderTemplate(rule.description, data);
  if (rule.runbookUrl) out.runbook_url = rule.runbookUrl;
  if (rule.kind === 'anomaly') out.expected_band = info.threshold;
  else out.threshold = info.threshold;
  return out;
}

export function buildAlert(
  rule: TypedRule,
  info: InstanceInfo,
  state: InstanceState,
  status: 'firing' | 'resolved',
  generatorUrl: string | null,
  extra: Record<string, string> = {},
): RuleAlert {
  const labels = alertLabels(rule, info);
  return {
    status,
    labels,
    annotations: { ...alertAnnotations(rule, info, state.lastValue), ...extra },
    startsAt: state.firingSince ?? state.lastEvalAt,
    endsAt: status === 'resolved' ? (state.resolvedAt ?? state.lastEvalAt) : null,
    generatorUrl,
    title: alertAnnotations(rule, info, state.lastValue).summary,
    severity: info.severity,
  };
}
