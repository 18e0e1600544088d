import { Card, Col, Flex, Row, Space, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { Service } from '../../app/types';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { useServices } from '../services/api';
import { TierTag } from '../services/TierTag';
import { type ProbeListItem, type PromSeries, useInstantQuery, useProbes, useRangeQuery } from './api';
import { KEY_METRICS } from './keyMetrics';
import { type ProbeState, ProbeStateTag, worstState } from './probeView';
import { Sparkline } from './Sparkline';
import { formatUptime, uptimeColor } from './units';

const WINDOWS = ['24h', '7d', '30d'] as const;
const SPARK_RANGE_MS = 3_600_000;
const SPARK_STEP_S = 60;
const REFRESH_MS = 30_000;

const byService = (series: { labels: Record<string, string> }[] | undefined) => {
  const out = new Map<string, PromSeries>();
  for (const s of (series ?? []) as PromSeries[]) if (s.labels.service) out.set(s.labels.service, s);
  return out;
};

export const explorerLink = (query: string, range = '1h') =>
  `/monitoring/explore?${new URLSearchParams({ q: query, range })}`;

/** Every catalog service at a glance: its probes' state, uptime, and request rate, errors and p99. */
export default function ServiceHealthPage() {
  const { t } = useTranslation();
  const services = useServices();
  const probes = useProbes({ refetchInterval: REFRESH_MS });

  // Fixed to the minute so that the three range queries share a cache key between re-renders.
  const to = Math.floor(Date.now() / 60_000) * 60_000;
  const from = to - SPARK_RANGE_MS;
  const m0 = useRangeQuery(KEY_METRICS[0].query, from, to, SPARK_STEP_S, { refetchInterval: REFRESH_MS });
  const m1 = useRangeQuery(KEY_METRICS[1].query, from, to, SPARK_STEP_S, { refetchInterval: REFRESH_MS });
  const m2 = useRangeQuery(KEY_METRICS[2].query, from, to, SPARK_STEP_S, { refetchInterval: REFRESH_MS });
  const u24 = useInstantQuery('avg by (service) (avg_over_time(probe_success[24h]))', {
    refetchInterval: REFRESH_MS,
  });
  const u7 = useInstantQuery('avg by (service) (avg_over_time(probe_success[7d]))', {
    refetchInterval: REFRESH_MS,
  });
  const u30 = useInstantQuery('avg by (service) (avg_over_time(probe_success[30d]))', {
    refetchInterval: REFRESH_MS,
  });

  const metrics = useMemo(
    () => [byService(m0.data), byService(m1.data), byService(m2.data)],
    [m0.data, m1.data, m2.data],
  );
  const uptime = useMemo(
    () =>
      [u24.data, u7.data, u30.data].map(
        (rows) => new Map((rows ?? []).map((r) => [r.labels.service ?? '', r.value])),
      ),
    [u24.data, u7.data, u30.data],
  );
  const probesByService = useMemo(() => {
    const out = new Map<string, ProbeListItem[]>();
    for (const p of probes.data?.items ?? []) {
      if (!p.serviceId) continue;
      out.set(p.serviceId, [...(out.get(p.serviceId) ?? []), p]);
    }
    return out;
  }, [probes.data]);

  const all = probes.data?.items ?? [];
  const count = (states: ProbeState[]) => all.filter((p) => states.includes(p.state)).length;
  const metricError = [m0.error, m1.error, m2.error].find(Boolean);

  return (
    <>
      <PageHeader title={t('signals.nav.health')} subtitle={t('signals.health.subtitle')} />
      <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
        <Col xs={12} lg={6}>
          <Card size="small">
            <Statistic
              title={t('nav.services')}
              value={services.data?.length ?? 0}
              loading={services.isPending}
            />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Link to="/monitoring/probes?state=up">
            <Card size="small" hoverable>
              <Statistic
                title={t('signals.health.probesUp')}
                value={count(['up', 'degraded'])}
                valueStyle={{ color: '#389e0d' }}
                loading={probes.isPending}
              />
            </Card>
          </Link>
        </Col>
        <Col xs={12} lg={6}>
          <Link to="/monitoring/probes?state=down">
            <Card size="small" hoverable>
              <Statistic
                title={t('signals.health.probesDown')}
                value={count(['down', 'pending-retry'])}
                valueStyle={{ color: count(['down', 'pending-retry']) > 0 ? '#cf1322' : undefined }}
                loading={probes.isPending}
              />
            </Card>
          </Link>
        </Col>
        <Col xs={12} lg={6}>
          <Card size="small">
            <Statistic
              title={t('signals.health.probesPaused')}
              value={count(['paused'])}
              loading={probes.isPending}
            />
          </Card>
        </Col>
      </Row>
      <Card size="small">
        {metricError && (
          <Typography.Paragraph type="warning" style={{ marginBottom: 8 }}>
            {t('signals.health.metricsUnavailable', { error: (metricError as Error).message })}
          </Typography.Paragraph>
        )}
        <Table<Service>
          rowKey="id"
          size="middle"
          data-testid="health-table"
          loading={services.isPending}
          dataSource={services.data ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{
            emptyText: (
              <TableEmpty
                loading={services.isPending}
                description={t('signals.health.noServices')}
                action={<Link to="/services">{t('nav.services')}</Link>}
              />
            ),
          }}
          columns={[
            {
              title: t('signals.health.service'),
              key: 'service',
              fixed: 'left',
              width: 180,
              render: (_, s) => (
                <Space size={4}>
                  <TierTag tier={s.tier} />
                  <Link to={`/monitoring/probes?serviceId=${s.id}`} className="steady-mono">
                    {s.name}
                  </Link>
                </Space>
              ),
            },
            {
              title: t('signals.health.probes'),
              key: 'probes',
              width: 190,
              render: (_, s) => <ProbeSummary probes={probesByService.get(s.id) ?? []} />,
            },
            ...WINDOWS.map((w, i) => ({
              title: t('signals.health.uptime', { window: w }),
              key: `uptime-${w}`,
              width: 96,
              align: 'right' as const,
              render: (_: unknown, s: Service) => {
                const v = uptime[i]?.get(s.name);
                return (
                  <span className="steady-mono" style={{ color: uptimeColor(v) }}>
                    {formatUptime(v)}
                  </span>
                );
              },
            })),
            ...KEY_METRICS.map((m, i) => ({
              title: (
                <Tooltip title={t('signals.health.lastHour')}>{t(`signals.health.metrics.${m.key}`)}</Tooltip>
              ),
              key: m.key,
              width: 168,
              render: (_: unknown, s: Service) => (
                <Link to={explorerLink(m.forService(s.name))} title={t('signals.health.openInExplorer')}>
                  <Sparkline
                    points={metrics[i]?.get(s.name)?.points}
                    unit={m.unit}
                    color={m.color}
                    testId={`spark-${m.key}-${s.name}`}
                  />
                </Link>
              ),
            })),
          ]}
        />
      </Card>
    </>
  );
}

function ProbeSummary({ probes }: { probes: ProbeListItem[] }) {
  const { t } = useTranslation();
  if (probes.length === 0)
    return <Typography.Text type="secondary">{t('signals.health.noProbes')}</Typography.Text>;
  const worst = worstState(probes.map((p) => p.state));
  const n = (states: ProbeState[]) => probes.filter((p) => states.includes(p.state)).length;
  return (
    <Flex gap={6} align="center" wrap>
      {worst && <ProbeStateTag state={worst} />}
      <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
        {t('signals.health.counts', {
          up: n(['up', 'degraded']),
          down: n(['down', 'pending-retry']),
          paused: n(['paused']),
        })}
      </Typography.Text>
      {n(['unknown']) > 0 && <Tag>{t('signals.health.pendingFirst', { count: n(['unknown']) })}</Tag>}
    </Flex>
  );
}
