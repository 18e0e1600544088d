import { DownOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Dropdown, Input, Select, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { LANGUAGE_NAMES } from '../../app/layout/LanguageSwitch';
import { ROLES, type Role, type User } from '../../app/types';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { Time } from '../../components/Time';
import { useSetUserDisabled, useUsers } from './api';
import { ResetPasswordModal } from './ResetPasswordModal';
import { RoleTag } from './RoleTag';
import { UserForm } from './UserForm';

export default function UsersPage() {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const { can, user: me } = useAuth();
  const admin = can('manageUsers');
  const users = useUsers();
  const setDisabled = useSetUserDisabled();
  const showError = useShowError();
  const [target, setTarget] = useState<User | 'new' | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const [q, setQ] = useState('');
  const [role, setRole] = useState<Role>();

  const needle = q.trim().toLowerCase();
  const rows = (users.data ?? []).filter(
    (u) =>
      (!role || u.role === role) &&
      (!needle || [u.username, u.displayName, u.email ?? ''].some((v) => v.toLowerCase().includes(needle))),
  );

  const toggle = (u: User) => {
    const disable = u.disabledAt === null;
    modal.confirm({
      title: disable
        ? t('users.disableConfirm', { name: u.username })
        : t('users.enableConfirm', { name: u.username }),
      content: disable ? t('users.disableHelp') : undefined,
      okText: disable ? t('users.disable') : t('users.enable'),
      okButtonProps: { danger: disable },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await setDisabled.mutateAsync({ id: u.id, disabled: disable });
          void message.success(
            disable ? t('users.disabled', { name: u.username }) : t('users.enabled', { name: u.username }),
          );
        } catch (err) {
          showError(err);
        }
      },
    });
  };

  const columns: ColumnsType<User> = [
    {
      title: t('users.displayName'),
      dataIndex: 'displayName',
      sorter: (a, b) => a.displayName.localeCompare(b.displayName),
      render: (_, u) => (
        <div>
          <Typography.Text strong>{u.displayName}</Typography.Text>
          {u.id === me?.id && <Typography.Text type="secondary"> ({t('users.you')})</Typography.Text>}
          <div>
            <Typography.Text type="secondary" className="steady-mono">
              {u.username}
            </Typography.Text>
          </div>
        </div>
      ),
    },
    {
      title: t('users.email'),
      dataIndex: 'email',
      render: (e: string | null) => e ?? <Typography.Text type="secondary">—</Typography.Text>,
    },
    { title: t('users.role'), dataIndex: 'role', width: 110, render: (r: Role) => <RoleTag role={r} /> },
    {
      title: t('users.locale'),
      dataIndex: 'locale',
      width: 100,
      render: (l: User['locale']) => LANGUAGE_NAMES[l],
    },
    {
      title: t('users.status'),
      key: 'status',
      width: 100,
      render: (_, u) =>
        u.disabledAt === null ? (
          <Badge status="success" text={t('users.active')} />
        ) : (
          <Badge status="default" text={t('users.disabledStatus')} />
        ),
    },
    {
      title: t('common.created'),
      dataIndex: 'createdAt',
      width: 120,
      render: (at: number) => <Time value={at} />,
    },
  ];
  if (admin) {
    columns.push({
      key: 'actions',
      width: 110,
      align: 'right',
      render: (_, u) => (
        <Space.Compact size="small">
          <Button onClick={() => setTarget(u)}>{t('common.edit')}</Button>
          <Dropdown
            trigger={['click']}
            menu={{
              items: [
                { key: 'password', label: t('users.resetPassword') },
                u.disabledAt === null
                  ? { key: 'toggle', label: t('users.disable'), danger: true, disabled: u.id === me?.id }
                  : { key: 'toggle', label: t('users.enable') },
              ],
              onClick: ({ key }) => (key === 'password' ? setResetting(u) : toggle(u)),
            }}
          >
            <Button icon={<DownOutlined />} aria-label={t('common.more')} />
          </Dropdown>
        </Space.Compact>
      ),
    });
  }

  return (
    <>
      <PageHeader
        title={t('nav.users')}
        subtitle={admin ? t('users.subtitle') : t('users.subtitleReadOnly')}
        extra={
          admin && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setTarget('new')}>
              {t('users.new')}
            </Button>
          )
        }
      />
      <Card size="small">
        <div className="steady-toolbar">
          <Input.Search
            allowClear
            placeholder={t('users.searchPlaceholder')}
            onChange={(e) => setQ(e.target.value)}
            style={{ width: 260 }}
          />
          <Select
            allowClear
            placeholder={t('users.filterRole')}
            value={role}
            onChange={setRole}
            options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
            style={{ width: 160 }}
          />
        </div>
        <Table<User>
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={rows}
          loading={users.isPending}
          pagination={rows.length > 50 ? { pageSize: 50 } : false}
          rowClassName={(u) => (u.disabledAt === null ? '' : 'steady-row-muted')}
          locale={{ emptyText: <TableEmpty loading={users.isPending} description={t('users.empty')} /> }}
        />
      </Card>
      <UserForm target={target} onClose={() => setTarget(null)} />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
    </>
  );
}
