import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Avatar, Button, Card, Input, Popconfirm, Space, Table, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import type { Team } from '../../app/types';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { Time } from '../../components/Time';
import { useServices } from '../services/api';
import { useDeleteTeam, useTeams } from './api';
import { TeamForm } from './TeamForm';

export default function TeamsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useAuth();
  const editable = can('editCatalog');
  const teams = useTeams();
  const services = useServices();
  const remove = useDeleteTeam();
  const showError = useShowError();
  const [target, setTarget] = useState<Team | 'new' | null>(null);
  const [q, setQ] = useState('');

  const serviceCount = useMemo(() => {
    const counts = new Map<string, number>();
    for (const s of services.data ?? [])
      if (s.ownerTeamId) counts.set(s.ownerTeamId, (counts.get(s.ownerTeamId) ?? 0) + 1);
    return counts;
  }, [services.data]);
  const rows = (teams.data ?? []).filter((team) => team.name.toLowerCase().includes(q.trim().toLowerCase()));

  const onDelete = async (team: Team) => {
    try {
      await remove.mutateAsync(team.id);
      void message.success(t('teams.deleted', { name: team.name }));
    } catch (err) {
      showError(err);
    }
  };

  const columns: ColumnsType<Team> = [
    {
      title: t('teams.name'),
      dataIndex: 'name',
      sorter: (a, b) => a.name.localeCompare(b.name),
      render: (_, team) => (
        <div>
          <Link to={`/teams/${team.id}`}>
            <Typography.Text strong>{team.name}</Typography.Text>
          </Link>
          {team.description && (
            <Typography.Paragraph type="secondary" ellipsis={{ rows: 1 }} style={{ margin: 0 }}>
              {team.description}
            </Typography.Paragraph>
          )}
        </div>
      ),
    },
    {
      title: t('teams.leads'),
      key: 'leads',
      render: (_, team) =>
        team.members
          .filter((m) => m.role === 'lead')
          .map((m) => m.displayName)
          .join(', ') || <Typography.Text type="secondary">—</Typography.Text>,
    },
    {
      title: t('teams.members'),
      key: 'members',
      width: 160,
      render: (_, team) =>
        team.members.length === 0 ? (
          <Typography.Text type="secondary">—</Typography.Text>
        ) : (
          <Avatar.Group max={{ count: 5 }} size="small">
            {team.members.map((m) => (
              <Tooltip key={m.userId} title={m.displayName}>
                <Avatar style={{ background: m.role === 'lead' ? '#1668dc' : '#8c96a6' }}>
                  {m.displayName.slice(0, 1).toUpperCase()}
                </Avatar>
              </Tooltip>
            ))}
          </Avatar.Group>
        ),
    },
    {
      title: t('teams.services'),
      key: 'services',
      width: 90,
      align: 'right',
      render: (_, team) => <Link to={`/services?team=${team.id}`}>{serviceCount.get(team.id) ?? 0}</Link>,
    },
    {
      title: t('common.updated'),
      dataIndex: 'updatedAt',
      width: 120,
      render: (at: number) => <Time value={at} />,
    },
  ];
  if (editable) {
    columns.push({
      key: 'actions',
      width: 80,
      align: 'right',
      render: (_, team) => (
        <Space size={0}>
          <Button
            type="text"
            size="small"
            icon={<EditOutlined />}
            aria-label={t('common.edit')}
            onClick={() => setTarget(team)}
          />
          <Popconfirm
            title={t('teams.deleteConfirm', { name: team.name })}
            okText={t('common.delete')}
            okButtonProps={{ danger: true }}
            cancelText={t('common.cancel')}
            onConfirm={() => onDelete(team)}
          >
            <Button
              type="text"
              size="small"
              danger
              icon={<DeleteOutlined />}
              aria-label={t('common.delete')}
            />
          </Popconfirm>
        </Space>
      ),
    });
  }

  const createButton = editable && (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => setTarget('new')} data-testid="team-new">
      {t('teams.new')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('nav.teams')} subtitle={t('teams.subtitle')} extra={createButton} />
      <Card size="small">
        <div className="steady-toolbar">
          <Input.Search
            allowClear
            placeholder={t('teams.searchPlaceholder')}
            onChange={(e) => setQ(e.target.value)}
            style={{ width: 260 }}
          />
        </div>
        <Table<Team>
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={rows}
          loading={teams.isPending}
          pagination={false}
          locale={{
            emptyText: (
              <TableEmpty
                loading={teams.isPending}
                description={q ? t('teams.emptyFiltered') : t('teams.empty')}
                action={!q && createButton}
              />
            ),
          }}
          data-testid="teams-table"
        />
      </Card>
      <TeamForm target={target} onClose={() => setTarget(null)} />
    </>
  );
}
