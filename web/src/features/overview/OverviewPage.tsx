import { ApartmentOutlined, AppstoreOutlined, FireOutlined, TeamOutlined } from '@ant-design/icons';
import { Card, Col, Flex, List, Row, Statistic, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useAuth } from '../../app/auth';
import { Time } from '../../components/Time';
import { useRecentAudit } from '../audit/api';
import { entityLabel } from '../audit/entity';
import { useServices } from '../services/api';
import { TierTag } from '../services/TierTag';
import { useTeams } from '../teams/api';
import { useUsers } from '../users/api';

function StatCard({
  title,
  value,
  icon,
  to,
  loading,
}: {
  title: string;
  value: number;
  icon: ReactNode;
  to: string;
  loading: boolean;
}) {
  return (
    <Link to={to}>
      <Card size="small" hoverable>
        <Statistic title={title} value={value} prefix={icon} loading={loading} />
      </Card>
    </Link>
  );
}

/** A first dashboard: what the catalog holds, what needs an owner, what changed lately. */
export default function OverviewPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const teams = useTeams();
  const services = useServices();
  const users = useUsers();
  const recent = useRecentAudit(8, can('viewAudit'));
  const all = services.data ?? [];
  const critical = all.filter((s) => s.tier === 1);
  const unowned = all.filter((s) => !s.ownerTeamId);

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('overview.title')}
      </Typography.Title>
      <Row gutter={[12, 12]}>
        <Col xs={12} lg={6}>
          <StatCard
            title={t('nav.services')}
            value={all.length}
            icon={<AppstoreOutlined />}
            to="/services"
            loading={services.isPending}
          />
        </Col>
        <Col xs={12} lg={6}>
          <StatCard
            title={t('overview.criticalServices')}
            value={critical.length}
            icon={<FireOutlined style={{ color: '#cf1322' }} />}
            to="/services?tier=1"
            loading={services.isPending}
          />
        </Col>
        <Col xs={12} lg={6}>
          <StatCard
            title={t('nav.teams')}
            value={teams.data?.length ?? 0}
            icon={<ApartmentOutlined />}
            to="/teams"
            loading={teams.isPending}
          />
        </Col>
        <Col xs={12} lg={6}>
          <StatCard
            title={t('nav.users')}
            value={(users.data ?? []).filter((u) => u.disabledAt === null).length}
            icon={<TeamOutlined />}
            to="/admin/users"
            loading={users.isPending}
          />
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('overview.unowned', { count: unowned.length })}>
            <List
              size="small"
              loading={services.isPending}
              dataSource={unowned}
              locale={{ emptyText: t('overview.allOwned') }}
              renderItem={(s) => (
                <List.Item extra={<TierTag tier={s.tier} />}>
                  <Link to={`/services?q=${encodeURIComponent(s.name)}`} className="steady-mono">
                    {s.name}
                  </Link>
                </List.Item>
              )}
            />
          </Card>
        </Col>
        {can('viewAudit') && (
          <Col xs={24} lg={12}>
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
