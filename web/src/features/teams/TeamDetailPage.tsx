import { ArrowLeftOutlined, EditOutlined } from '@ant-design/icons';
import { Button, Card, Col, Descriptions, Result, Row, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { useAuth } from '../../app/auth';
import { errorMessage } from '../../app/errors';
import type { Service } from '../../app/types';
import { FullPageSpin } from '../../components/FullPageSpin';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { Time } from '../../components/Time';
import { TeamRulesCard } from '../notify/TeamRulesCard';
import { useServices } from '../services/api';
import { TierTag } from '../services/TierTag';
import { useTeam } from './api';
import { TeamForm } from './TeamForm';
import { TeamMembers } from './TeamMembers';

export default function TeamDetailPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { can } = useAuth();
  const editable = can('editCatalog');
  const team = useTeam(id);
  const services = useServices({ teamId: id });
  const [editing, setEditing] = useState(false);

  if (team.isPending) return <FullPageSpin />;
  if (team.isError) {
    return (
      <Result
        status="404"
        title={errorMessage(team.error, t)}
        extra={
          <Link to="/teams">
            <Button>{t('teams.backToTeams')}</Button>
          </Link>
        }
      />
    );
  }
  const data = team.data;

  return (
    <>
      <PageHeader
        title={
          <>
            <Link to="/teams" aria-label={t('teams.backToTeams')} style={{ marginRight: 8 }}>
              <ArrowLeftOutlined />
            </Link>
            {data.name}
          </>
        }
        subtitle={data.description || undefined}
        extra={
          editable && (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
              {t('common.edit')}
            </Button>
          )
        }
      />
      <Row gutter={[12, 12]}>
        <Col xs={24} xl={14}>
          <Card size="small" title={t('teams.membersTitle', { count: data.members.length })}>
            <TeamMembers team={data} editable={editable} />
          </Card>
          <div style={{ marginTop: 12 }}>
            <TeamRulesCard teamId={data.id} />
          </div>
        </Col>
        <Col xs={24} xl={10}>
          <Card size="small" title={t('teams.ownedServices', { count: services.data?.length ?? 0 })}>
            <Table<Service>
              rowKey="id"
              size="small"
              pagination={false}
              loading={services.isPending}
              dataSource={services.data ?? []}
              locale={{
                emptyText: <TableEmpty loading={services.isPending} description={t('teams.noServices')} />,
              }}
              columns={[
                {
                  title: t('services.name'),
                  dataIndex: 'name',
                  render: (name: string) => (
                    <Link to={`/services?q=${encodeURIComponent(name)}`} className="steady-mono">
                      {name}
                    </Link>
                  ),
                },
                {
                  title: t('services.tier'),
                  dataIndex: 'tier',
                  width: 70,
                  render: (tier: number) => <TierTag tier={tier} />,
                },
              ]}
            />
          </Card>
          <Card size="small" style={{ marginTop: 12 }}>
            <Descriptions
              size="small"
              column={1}
              items={[
                {
                  key: 'created',
                  label: t('common.created'),
                  children: <Time value={data.createdAt} mode="both" />,
                },
                {
                  key: 'updated',
                  label: t('common.updated'),
                  children: <Time value={data.updatedAt} mode="both" />,
                },
                {
                  key: 'id',
                  label: 'ID',
                  children: (
                    <Typography.Text copyable className="steady-mono">
                      {data.id}
                    </Typography.Text>
                  ),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <TeamForm target={editing ? data : null} onClose={() => setEditing(false)} />
    </>
  );
}
