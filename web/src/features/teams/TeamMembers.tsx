import { UserAddOutlined } from '@ant-design/icons';
import { App, Button, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShowError } from '../../app/errors';
import type { Team, TeamMember, TeamRole } from '../../app/types';
import { TableEmpty } from '../../components/TableEmpty';
import { useUsers } from '../users/api';
import { useRemoveMember, useSetMember } from './api';

const TEAM_ROLES: TeamRole[] = ['lead', 'member'];

/** The people of a team and their role in it; editors add, re-role and remove them. */
export function TeamMembers({ team, editable }: { team: Team; editable: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const users = useUsers();
  const setMember = useSetMember();
  const removeMember = useRemoveMember();
  const showError = useShowError();
  const [userId, setUserId] = useState<string>();
  const [role, setRole] = useState<TeamRole>('member');

  const inTeam = new Set(team.members.map((m) => m.userId));
  const candidates = (users.data ?? []).filter((u) => !inTeam.has(u.id) && u.disabledAt === null);
  const roleOptions = TEAM_ROLES.map((r) => ({ value: r, label: t(`teams.role.${r}`) }));

  const run = async (work: Promise<unknown>, done: string) => {
    try {
      await work;
      void message.success(done);
    } catch (err) {
      showError(err);
    }
  };
  const add = async () => {
    if (!userId) return;
    const name = users.data?.find((u) => u.id === userId)?.displayName ?? '';
    await run(setMember.mutateAsync({ teamId: team.id, userId, role }), t('teams.memberAdded', { name }));
    setUserId(undefined);
  };

  const columns: ColumnsType<TeamMember> = [
    {
      title: t('users.displayName'),
      dataIndex: 'displayName',
      render: (_, m) => (
        <Space>
          <Typography.Text>{m.displayName}</Typography.Text>
          <Typography.Text type="secondary" className="steady-mono">
            {m.username}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('teams.teamRole'),
      dataIndex: 'role',
      width: 160,
      render: (r: TeamRole, m) =>
        editable ? (
          <Select
            size="small"
            value={r}
            options={roleOptions}
            style={{ width: 120 }}
            onChange={(next: TeamRole) =>
              run(
                setMember.mutateAsync({ teamId: team.id, userId: m.userId, role: next }),
                t('teams.memberUpdated', { name: m.displayName }),
              )
            }
          />
        ) : (
          <Tag color={r === 'lead' ? 'blue' : 'default'}>{t(`teams.role.${r}`)}</Tag>
        ),
    },
  ];
  if (editable) {
    columns.push({
      key: 'actions',
      width: 90,
      align: 'right',
      render: (_, m) => (
        <Popconfirm
          title={t('teams.removeConfirm', { name: m.displayName })}
          okText={t('common.remove')}
          okButtonProps={{ danger: true }}
          cancelText={t('common.cancel')}
          onConfirm={() =>
            run(
              removeMember.mutateAsync({ teamId: team.id, userId: m.userId }),
              t('teams.memberRemoved', { name: m.displayName }),
            )
          }
        >
          <Button type="link" size="small" danger>
            {t('common.remove')}
          </Button>
        </Popconfirm>
      ),
    });
  }

  return (
    <>
      {editable && (
        <div className="steady-toolbar">
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('teams.pickUser')}
            value={userId}
            onChange={setUserId}
            loading={users.isPending}
            options={candidates.map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` }))}
            style={{ width: 280 }}
            data-testid="member-user"
          />
          <Select value={role} onChange={setRole} options={roleOptions} style={{ width: 120 }} />
          <Button icon={<UserAddOutlined />} disabled={!userId} loading={setMember.isPending} onClick={add}>
            {t('teams.addMember')}
          </Button>
        </div>
      )}
      <Table<TeamMember>
        rowKey="userId"
        size="small"
        columns={columns}
        dataSource={[...team.members].sort((a, b) =>
          a.role === b.role ? a.displayName.localeCompare(b.displayName) : a.role === 'lead' ? -1 : 1,
        )}
        pagination={false}
        locale={{ emptyText: <TableEmpty description={t('teams.noMembers')} /> }}
      />
    </>
  );
}
