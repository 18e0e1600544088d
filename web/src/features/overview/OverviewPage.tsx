import { AlertOutlined, ApiOutlined, FireOutlined, UserOutlined } from '@ant-design/icons';
import { Card, Col, Empty, Flex, List, Row, Space, Statistic, Tag, Typography } from 'antd';
import { type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useAuth } from '../../app/auth';
import { Time } from '../../components/Time';
import { type Alert, useAlerts } from '../alerts/api';
import { useRecentAudit } from '../audit/api';
import { entityLabel } from '../audit/entity';
import { type Incident, useIncidents } from '../incidents/api';
import { formatDuration, SeverityTag, StateTag } from '../incidents/IncidentTags';
import { useOnCallNow } from '../oncall/api';
import { AlertRuleChart, ruleIdOf } from '../rules/AlertRuleChart';
import { useProbes, useRangeQuery } from '../signals/api';
import { KEY_METRICS } from '../signals/keyMetrics';
import { TimeSeriesChart } from '../signals/TimeSeriesChart';

const HOUR = 3_600_000;
const OPEN = 'triggered,acknowledged';
/** Firing alerts of Steady's own rules drawn as charts; more would push everything else out of view. */
const MAX_FIRING_CHARTS = 4;

function StatCard(props: { title: string; value: ReactNode; icon: ReactNode; to: string; testId: string }) {
  return (
    <Link to={props.to}>
      <Card size="small" hoverable data-testid={props.testId}>
        <Statistic title={props.title} valueRender={() => props.value} prefix={props.icon} />
      </Card>
    </Link>
  );
}

/** "Acknowledge within 3 min" or, once the target has passed without one, a red "target missed". */
function AckDeadline({ incident, now }: { incident: Incident; now: number }) {
  const { t } = useTranslation();
  if (incident.state !== 'triggered') return null;
  if (incident.ackBreachedAt !== null || incident.ackDueAt <= now)
    return <Tag color="red">{t('overview.ackMissed')}</Tag>;
  return <Tag>{t('overview.ackWithin', { left: formatDuration(incident.ackDueAt - now) })}</Tag>;
}

/** A clock for the live parts of the page: charts end at "now", deadlines count down. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/**
 * The operations overview, what the on-call engineer opens first: what is on fire (open incidents with
 * their acknowledge deadlines, firing alerts drawn as their rules see them), who is on call, how the
 * shop's services are doing right now, and what changed lately.
 */
export default function OverviewPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const now = useNow(15_000);
  const incidents = useIncidents({ state: OPEN });
  const alerts = useAlerts({ state: 'firing' });
  const probes = useProbes({ refetchInterval: 15_000 });
  const oncall = useOnCallNow();
  const recent = useRecentAudit(8, can('viewAudit'));

  const open = incidents.data?.items ?? [];
  const firing = (alerts.data?.items ?? []).filter((a) => a.suppressed === null);
  const down = (probes.data?.items ?? []).filter((p) => p.state === 'down').length;
  const bySeverity = (s: string) => open.filter((i) => i.severity === s).length;
  const charted = firingRuleAlerts(firing);

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('overview.title')}
      </Typography.Title>
      <Row gutter={[12, 12]}>
        <Col xs={12} lg={6}>
          <StatCard
            testId="stat-open-incidents"
            title={t('overview.openIncidents')}
            to={`/incidents?state=${OPEN}`}
            icon={<FireOutlined style={{ color: open.length ? '#cf1322' : undefined }} />}
            value={
              <Space size={8} align="baseline">
                <span>{open.length}</span>
                {(['P1', 'P2', 'P3'] as const).map((s) =>
                  bySeverity(s) > 0 ? (
                    <Tag key={s} color={s === 'P1' ? 'red' : s === 'P2' ? 'orange' : 'blue'}>
                      {s} × {bySeverity(s)}
                    </Tag>
                  ) : null,
                )}
              </Space>
            }
          />
        </Col>
        <Col xs={12} lg={6}>
          <StatCard
            testId="stat-firing-alerts"
            title={t('overview.firingAlerts')}
            to="/alerts?state=firing"
            icon={<AlertOutlined style={{ color: firing.length ? '#d46b08' : undefined }} />}
            value={firing.length}
          />
        </Col>
        <Col xs={12} lg={6}>
          <StatCard
            testId="stat-probes-down"
            title={t('overview.probesDown')}
            to="/monitoring/probes?state=down"
            icon={<ApiOutlined style={{ color: down ? '#cf1322' : undefined }} />}
            value={`${down} / ${probes.data?.items.length ?? 0}`}
          />
        </Col>
        <Col xs={12} lg={6}>
          <StatCard
            testId="stat-oncall"
            title={t('overview.onCallNow')}
            to="/oncall"
            icon={<UserOutlined />}
            value={
              <Typography.Text ellipsis style={{ fontSize: 20, maxWidth: 220 }}>
                {oncall.data?.[0]?.shift?.userName ?? t('overview.nobody')}
              </Typography.Text>
            }
          />
        </Col>

        <Col xs={24} lg={15}>
          <Card
            size="small"
            title={t('overview.openIncidents')}
            extra={<Link to="/incidents">{t('overview.viewAll')}</Link>}
          >
            <List
              size="small"
              loading={incidents.isPending}
              dataSource={open.slice(0, 8)}
              locale={{ emptyText: t('overview.noOpenIncidents') }}
              renderItem={(i) => (
                <List.Item data-testid="overview-incident">
                  <Flex justify="space-between" align="center" gap={8} style={{ width: '100%' }}>
                    <Flex gap={6} align="center" style={{ minWidth: 0 }}>
                      <SeverityTag severity={i.severity} />
                      <Link to={`/incidents/${i.id}`} style={{ minWidth: 0 }}>
                        <Typography.Text ellipsis>
                          <span className="steady-mono">{i.ref}</span> {i.title}
                        </Typography.Text>
                      </Link>
                    </Flex>
                    <Flex gap={6} align="center" style={{ whiteSpace: 'nowrap' }}>
                      <StateTag state={i.state} />
                      <AckDeadline incident={i} now={now} />
                      <Typography.Text type="secondary">
                        <Time value={i.createdAt} />
                      </Typography.Text>
                    </Flex>
                  </Flex>
                </List.Item>
              )}
            />
          </Card>
        </Col>
        <Col xs={24} lg={9}>
          <Card
            size="small"
            title={t('overview.onCallNow')}
            extra={<Link to="/oncall">{t('overview.viewAll')}</Link>}
          >
            <List
              size="small"
              loading={oncall.isPending}
              dataSource={oncall.data ?? []}
              locale={{ emptyText: t('overview.noSchedules') }}
              renderItem={(o) => (
                <List.Item>
                  <Flex justify="space-between" gap={8} style={{ width: '100%' }}>
                    <Typography.Text type="secondary">{o.scheduleName}</Typography.Text>
                    {o.shift ? (
                      <Typography.Text strong>{o.shift.userName}</Typography.Text>
                    ) : (
                      <Tag color="red">{t('overview.gap')}</Tag>
                    )}
                  </Flex>
                </List.Item>
              )}
            />
          </Card>
        </Col>

        {charted.length > 0 && (
          <Col span={24}>
            <Typography.Title level={5} style={{ margin: '8px 0 0' }}>
              {t('overview.firingNow')}
            </Typography.Title>
          </Col>
        )}
        {charted.map(({ alert, ruleId }) => (
          <Col key={alert.id} xs={24} xl={12}>
            <AlertRuleChart alert={alert} ruleId={ruleId} />
          </Col>
        ))}

        <Col span={24}>
          <Typography.Title level={5} style={{ margin: '8px 0 0' }}>
            {t('overview.services')}
          </Typography.Title>
        </Col>
        <ServicesChart metric="errorRatio" now={now} />
        <ServicesChart metric="requestRate" now={now} />

        {can('viewAudit') && (
          <Col span={24}>
            <Card
              size="small"
              title={t('overview.recentChanges')}
              extra={<Link to="/admin/audit">{t('overview.viewAll')}</Link>}
            >
              <List
                size="small"
                loading={recent.isPending}
                dataSource={recent.data?.items ?? []}
                locale={{ emptyText: t('audit.empty') }}
                renderItem={(e) => (
                  <List.Item>
                    <Flex justify="space-between" gap={8} style={{ width: '100%' }}>
                      <Flex gap={6} align="center" wrap style={{ minWidth: 0 }}>
                        <Typography.Text>{e.actorName}</Typography.Text>
                        <Tag className="steady-mono">{e.action}</Tag>
                        <Typography.Text strong ellipsis>
                          {entityLabel(e) ?? e.entityType}
                        </Typography.Text>
                      </Flex>
                      <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
                        <Time value={e.at} />
                      </Typography.Text>
                    </Flex>
                  </List.Item>
                )}
              />
            </Card>
          </Col>
        )}
      </Row>
    </>
  );
}

/** One chart per rule (the first alert of each), worst severity first. */
function firingRuleAlerts(firing: Alert[]): { alert: Alert; ruleId: string }[] {
  const seen = new Set<string>();
  const out: { alert: Alert; ruleId: string }[] = [];
  for (const alert of [...firing].sort((a, b) => a.severity.localeCompare(b.severity))) {
    const ruleId = ruleIdOf(alert);
    if (!ruleId || seen.has(ruleId)) continue;
    seen.add(ruleId);
    out.push({ alert, ruleId });
    if (out.length === MAX_FIRING_CHARTS) break;
  }
  return out;
}

/** A key metric of every service over the last three hours (the health page's queries), kept live. */
function ServicesChart({ metric, now }: { metric: 'errorRatio' | 'requestRate'; now: number }) {
  const { t } = useTranslation();
  const def = KEY_METRICS.find((m) => m.key === metric)!;
  const from = now - 3 * HOUR;
  const range = useRangeQuery(def.query, from, now, 60);
  return (
    <Col xs={24} xl={12}>
      <Card size="small" title={t(`overview.metric.${metric}`)} data-testid={`overview-${metric}`}>
        {range.data && range.data.length > 0 ? (
          <TimeSeriesChart series={range.data} from={from} to={now} unit={def.unit} height={280} />
        ) : (
          <Empty description={range.isPending ? t('overview.loading') : t('overview.noData')} />
        )}
      </Card>
    </Col>
  );
}
