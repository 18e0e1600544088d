import { DeleteOutlined, EditOutlined, LineChartOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Flex,
  Popconfirm,
  Result,
  Row,
  Space,
  Statistic,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../../app/api';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { Time } from '../../components/Time';
import { type ProbeResult, useDeleteProbe, useProbe, useProbeFailures, useRangeQuery } from './api';
import { q } from './keyMetrics';
import { ProbeActions } from './ProbeActions';
import { ProbeFormModal } from './ProbeFormModal';
import { TlsDays } from './ProbesPage';
import { ProbeStateTag, probeTarget } from './probeView';
import { RangePicker } from './RangePicker';
import { resolveRange, stepFor, type TimeRange } from './range';
import { explorerLink } from './ServiceHealthPage';
import { TimeSeriesChart } from './TimeSeriesChart';
import { formatUptime, uptimeColor } from './units';

/** One probe: state and why, uptime, response time over a range, state changes and recent failures. */
export default function ProbeDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const navigate = useNavigate();
  const probe = useProbe(id);
  const failures = useProbeFailures(id);
  const remove = useDeleteProbe();
  const [editing, setEditing] = useState(false);
  const [chosen, setRange] = useState<TimeRange | null>(null);
  const p = probe.data;
  const lastAt = p?.lastResult?.at ?? 0;
  // A probe younger than an hour has little to show over an hour: start on 15 minutes.
  const range: TimeRange =
    chosen ?? (p && Date.now() - p.createdAt < 3_600_000 ? { preset: '15m' } : { preset: '1h' });
  const rangeKey = 'preset' in range ? range.preset : `${range.from}-${range.to}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed by the range's value, not its identity
  const { from, to } = useMemo(() => resolveRange(range), [rangeKey, lastAt]);
  const step = stepFor(to - from);
  const durationQuery = `probe_duration_seconds{probe_id=${q(id)}}`;
  const durations = useRangeQuery(durationQuery, from, to, step, { enabled: !!p });

  if (probe.error instanceof ApiError && probe.error.status === 404)
    return (
      <Result
        status="404"
        title="404"
        subTitle={t('signals.probes.notFound')}
        extra={<Link to="/monitoring/probes">{t('signals.nav.probes')}</Link>}
      />
    );
  if (!p) return <Card loading />;

  return (
    <>
      <PageHeader
        title={
          <Space>
            <span data-testid="probe-title">{p.name}</span>
            <span data-testid="probe-header-state">
              <ProbeStateTag state={p.state} />
            </span>
          </Space>
        }
        subtitle={<span className="steady-mono">{probeTarget(p, t)}</span>}
        extra={
          <>
            <ProbeActions probe={p} />
            {can('editCatalog') && (
              <>
                <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
                  {t('common.edit')}
                </Button>
                <Popconfirm
                  title={t('signals.probes.confirmDelete', { name: p.name })}
                  onConfirm={async () => {
                    try {
                      await remove.mutateAsync(p.id);
                      void message.success(t('signals.probes.deleted', { name: p.name }));
                      navigate('/monitoring/probes');
                    } catch (err) {
                      showError(err);
                    }
                  }}
                >
                  <Button danger icon={<DeleteOutlined />}>
                    {t('common.delete')}
                  </Button>
                </Popconfirm>
              </>
            )}
          </>
        }
      />
      <Row gutter={[12, 12]}>
        <Col xs={24} xl={10}>
          <Card size="small" title={t('signals.probes.status')} style={{ height: '100%' }}>
            <Descriptions size="small" column={1} bordered styles={{ label: { width: 150 } }}>
              <Descriptions.Item label={t('signals.probes.state')}>
                <Space direction="vertical" size={2}>
                  <Space>
                    <ProbeStateTag state={p.state} />
                    <Typography.Text type="secondary">
                      {t('signals.probes.since')} <Time value={p.stateSince} />
                    </Typography.Text>
                  </Space>
                  {p.stateReason && (
                    <Typography.Text
                      type={p.state === 'up' ? 'secondary' : 'danger'}
                      data-testid="probe-reason"
                    >
                      {p.stateReason}
                    </Typography.Text>
                  )}
                </Space>
              </Descriptions.Item>
              <Descriptions.Item label={t('signals.probes.kind')}>
                {t(`signals.kinds.${p.kind}`)}
              </Descriptions.Item>
              <Descriptions.Item label={t('signals.probes.service')}>
                {p.serviceName ?? <Typography.Text type="secondary">—</Typography.Text>}
              </Descriptions.Item>
              <Descriptions.Item label={t('signals.probes.lastCheck')}>
                {p.lastResult ? (
                  <Space>
                    <Time value={p.lastResult.at} mode="both" />
                    <span className="steady-mono">{Math.round(p.lastResult.durationMs)} ms</span>
                    {p.lastResult.statusCode !== null && <Tag>{p.lastResult.statusCode}</Tag>}
                  </Space>
                ) : (
                  t('signals.probes.never')
                )}
              </Descriptions.Item>
              <Descriptions.Item label={t('signals.probes.schedule')}>
                {t('signals.probes.scheduleText', {
                  interval: p.intervalSeconds,
                  timeout: p.timeoutMs,
                  retries: p.retries,
                })}
              </Descriptions.Item>
              {p.kind === 'heartbeat' && (
                <Descriptions.Item label={t('signals.probes.lastHeartbeat')}>
                  <Time value={p.lastHeartbeatAt} empty={t('signals.probes.never')} />
                </Descriptions.Item>
              )}
              {(p.kind === 'http' || p.kind === 'tcp') && (
                <Descriptions.Item label={t('signals.probes.tlsDays')}>
                  <TlsDays days={p.tlsDaysLeft} />
                </Descriptions.Item>
              )}
              {Object.keys(p.labels).length > 0 && (
                <Descriptions.Item label={t('signals.form.labels')}>
                  <Flex gap={4} wrap>
                    {Object.entries(p.labels).map(([k, v]) => (
                      <Tag key={k} className="steady-mono">
                        {k}={v}
                      </Tag>
                    ))}
                  </Flex>
                </Descriptions.Item>
              )}
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card size="small" title={t('signals.probes.uptime')} style={{ marginBottom: 12 }}>
            <Row gutter={12}>
              {(['24h', '7d', '30d'] as const).map((w) => (
                <Col span={8} key={w}>
                  <Statistic
                    title={t(`signals.range.${w === '30d' ? '30d' : w}`)}
                    value={formatUptime(p.uptime[w])}
                    valueStyle={{ color: uptimeColor(p.uptime[w]) }}
                    data-testid={`uptime-${w}`}
                  />
                </Col>
              ))}
            </Row>
            {p.uptime.note && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {p.uptime.note}
              </Typography.Text>
            )}
          </Card>
          <Card
            size="small"
            title={t('signals.probes.responseTime')}
            extra={
              <Space>
                <RangePicker value={range} onChange={setRange} />
                <Link to={explorerLink(durationQuery)} title={t('signals.health.openInExplorer')}>
                  <LineChartOutlined />
                </Link>
              </Space>
            }
          >
            {(durations.data ?? []).length === 0 && !durations.isPending ? (
              <TableEmpty
                description={durations.error ? durations.error.message : t('signals.probes.noResultsYet')}
              />
            ) : (
              <TimeSeriesChart
                testId="probe-duration-chart"
                series={durations.data ?? []}
                from={from}
                to={to}
                unit="seconds"
                height={260}
                onZoom={(a, b) => setRange({ from: a, to: b })}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card size="small" title={t('signals.probes.events')}>
            {p.recentEvents.length === 0 ? (
              <TableEmpty description={t('signals.probes.noEvents')} />
            ) : (
              <Timeline
                style={{ marginTop: 8 }}
                items={p.recentEvents.slice(0, 12).map((e) => ({
                  color: e.to === 'up' ? 'green' : e.to === 'down' ? 'red' : 'gray',
                  children: (
                    <Space direction="vertical" size={0} data-testid={`event-${e.to}`}>
                      <Space size={4}>
                        <ProbeStateTag state={e.from} />→<ProbeStateTag state={e.to} />
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          <Time value={e.at} />
                        </Typography.Text>
                      </Space>
                      {e.reason && <Typography.Text style={{ fontSize: 12 }}>{e.reason}</Typography.Text>}
                    </Space>
                  ),
                }))}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card size="small" title={t('signals.probes.failures')}>
            <Table<ProbeResult>
              rowKey="at"
              size="small"
              data-testid="probe-failures"
              loading={failures.isPending}
              dataSource={failures.data ?? []}
              pagination={(failures.data ?? []).length > 10 ? { pageSize: 10, size: 'small' } : false}
              locale={{
                emptyText: (
                  <TableEmpty loading={failures.isPending} description={t('signals.probes.noFailures')} />
                ),
              }}
              columns={[
                {
                  title: t('signals.probes.at'),
                  dataIndex: 'at',
                  width: 130,
                  render: (at: number) => <Time value={at} />,
                },
                {
                  title: t('signals.probes.state'),
                  dataIndex: 'state',
                  width: 120,
                  render: (s: ProbeResult['state'], r) => (
                    <Space size={2}>
                      <ProbeStateTag state={s} />
                      {r.manual && <Tag>{t('signals.probes.manual')}</Tag>}
                    </Space>
                  ),
                },
                {
                  title: t('signals.probes.reason'),
                  dataIndex: 'reason',
                  render: (r: string | null) => <Typography.Text type="danger">{r ?? '—'}</Typography.Text>,
                },
                {
                  title: t('signals.probes.duration'),
                  dataIndex: 'durationMs',
                  width: 90,
                  align: 'right',
                  render: (d: number) => <span className="steady-mono">{Math.round(d)} ms</span>,
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <ProbeFormModal open={editing} probe={p} onClose={() => setEditing(false)} />
    </>
  );
}
