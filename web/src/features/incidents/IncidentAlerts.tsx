import { Card, Flex, List, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Time } from '../../components/Time';
import { AlertRuleChart, ruleIdOf } from '../rules/AlertRuleChart';
import { useIncidentAlerts } from './api';

/** Charts of the incident's alerts from Steady's own rules; more would bury the rest of the page. */
const MAX_CHARTS = 2;
/** A resolved alert's chart runs on a little past the resolution, to show the recovery. */
const AFTER_RESOLUTION_MS = 30 * 60_000;

/** What fired: the incident's alerts, and how the first of its rules saw the signal. */
export function IncidentAlerts({ id }: { id: string }) {
  const { t } = useTranslation();
  const alerts = useIncidentAlerts(id);
  const items = alerts.data ?? [];
  const seen = new Set<string>();
  const charted = items.filter((a) => {
    const ruleId = ruleIdOf(a);
    if (!ruleId || seen.has(ruleId) || seen.size >= MAX_CHARTS) return false;
    seen.add(ruleId);
    return true;
  });
  if (!alerts.isPending && items.length === 0) return null;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card
        size="small"
        title={t('incidents.alerts.title', { count: items.length })}
        data-testid="incident-alerts"
      >
        <List
          size="small"
          loading={alerts.isPending}
          dataSource={items.slice(0, 20)}
          renderItem={(a) => (
            <List.Item>
              <Flex justify="space-between" gap={8} style={{ width: '100%' }}>
                <Flex gap={6} align="center" style={{ minWidth: 0 }}>
                  <Tag color={a.status === 'firing' ? 'red' : 'green'}>
                    {t(`incidents.alerts.${a.status === 'firing' ? 'firing' : 'resolved'}`)}
                  </Tag>
                  <Typography.Text ellipsis>
                    {a.annotations.summary ?? a.labels.alertname ?? a.fingerprint}
                  </Typography.Text>
                </Flex>
                <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
                  <Time value={a.startsAt} />
                </Typography.Text>
              </Flex>
            </List.Item>
          )}
        />
      </Card>
      {charted.map((a) => (
        <AlertRuleChart
          key={a.alertId}
          alert={a}
          ruleId={ruleIdOf(a) as string}
          until={a.endsAt ? Math.min(Date.now(), a.endsAt + AFTER_RESOLUTION_MS) : null}
        />
      ))}
    </Space>
  );
}
