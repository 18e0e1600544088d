import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Empty, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api } from '../../app/api';
import type { PreviewReply, RuleDetail, RuleInputBody } from './api';
import { PreviewChart } from './PreviewChart';

const HOUR = 3_600_000;

/** The rule as the preview endpoint takes it: the stored rule minus what the server keeps itself. */
const asInput = (r: RuleDetail): RuleInputBody =>
  ({
    name: r.name,
    kind: r.kind,
    spec: r.spec,
    labels: r.labels,
    severity: r.severity,
    summary: r.summary,
    description: r.description,
    runbookUrl: r.runbookUrl,
    serviceId: r.serviceId,
    enabled: r.enabled,
  }) as RuleInputBody;

/** An alert as the alert list and an incident's alert links both describe it. */
export interface ChartedAlert {
  fingerprint: string;
  source?: string;
  title?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The rule behind an alert of Steady's own rules (null for alerts from outside). */
export const ruleIdOf = (alert: ChartedAlert): string | null =>
  alert.source === undefined || alert.source === 'steady' ? (alert.annotations.rule_id ?? null) : null;

/** Only the series this alert is about: a rule over every service would otherwise draw them all. */
function narrow(reply: PreviewReply, alert: ChartedAlert): PreviewReply {
  const series = reply.series.filter((s) =>
    Object.entries(s.labels).every(([k, v]) => alert.labels[k] === undefined || alert.labels[k] === v),
  );
  return series.length > 0 ? { ...reply, series } : reply;
}

/**
 * An alert from one of Steady's own rules, drawn as the rule sees it: its query over the three hours up to
 * `until` (now, for a firing alert) with the threshold (or the anomaly band) and the stretches where it
 * fired, refreshed every minute while it is live.
 */
export function AlertRuleChart({
  alert,
  ruleId,
  until,
}: {
  alert: ChartedAlert;
  ruleId: string;
  until?: number | null | undefined;
}) {
  const { t } = useTranslation();
  const chart = useQuery({
    queryKey: ['rules', 'alert-chart', ruleId, alert.fingerprint, until ?? null],
    queryFn: async () => {
      const rule = await api.get<RuleDetail>(`/rules/${ruleId}`);
      const to = until ?? Date.now();
      const reply = await api.post<PreviewReply>('/rules/preview', {
        rule: asInput(rule),
        from: to - 3 * HOUR,
        to,
      });
      return { rule, reply: narrow(reply, alert) };
    },
    refetchInterval: until ? false : 60_000,
    retry: 1,
  });
  return (
    <Card
      size="small"
      data-testid="alert-rule-chart"
      title={
        <Typography.Text ellipsis style={{ maxWidth: '100%' }}>
          <Link to={`/rules/${ruleId}`}>{alert.labels.alertname ?? alert.title}</Link>
          <Typography.Text type="secondary">
            {' '}
            · {alert.title ?? alert.annotations.summary ?? ''}
          </Typography.Text>
        </Typography.Text>
      }
    >
      {chart.isPending && <Spin style={{ display: 'block', margin: '80px auto' }} />}
      {chart.isError && <Alert type="warning" showIcon message={t('rules.alertChart.failed')} />}
      {chart.data &&
        (chart.data.reply.series.length > 0 ? (
          <PreviewChart data={chart.data.reply} />
        ) : (
          <Empty description={t('rules.alertChart.noData')} />
        ))}
    </Card>
  );
}
