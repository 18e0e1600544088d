import { PlusOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Popconfirm, Space, Switch, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import type { ApiToken } from '../../app/types';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { Time } from '../../components/Time';
import { useRevokeToken, useTokens } from './api';
import { CreateTokenModal } from './CreateTokenModal';
import { SecretModal } from './SecretModal';

type State = 'active' | 'revoked' | 'expired';
const stateOf = (tok: ApiToken, now: number): State =>
  tok.revokedAt !== null ? 'revoked' : tok.expiresAt !== null && tok.expiresAt <= now ? 'expired' : 'active';
const BADGE = { active: 'success', revoked: 'error', expired: 'default' } as const;

/** API tokens for machines (ingestion, scripts): create, see when each was last used, revoke. */
export default function TokensPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useAuth();
  const [all, setAll] = useState(false);
  const tokens = useTokens(all);
  const revoke = useRevokeToken();
  const showError = useShowError();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const now = Date.now();

  const onRevoke = async (tok: ApiToken) => {
    try {
      await revoke.mutateAsync(tok.id);
      void message.success(t('tokens.revoked', { name: tok.name }));
    } catch (err) {
      showError(err);
    }
  };

  const columns: ColumnsType<ApiToken> = [
    {
      title: t('tokens.name'),
      dataIndex: 'name',
      render: (_, tok) => (
        <div>
          <Typography.Text strong>{tok.name}</Typography.Text>
          <div>
            <Typography.Text type="secondary" className="steady-mono">
              {tok.prefix}…
            </Typography.Text>
          </div>
        </div>
      ),
    },
    ...(all
      ? [
          {
            title: t('tokens.owner'),
            dataIndex: 'username',
            render: (u: string) => <span className="steady-mono">{u}</span>,
          },
        ]
      : []),
    {
      title: t('tokens.scopes'),
      dataIndex: 'scopes',
      render: (scopes: string[]) => scopes.map((s) => <Tag key={s}>{s}</Tag>),
    },
    {
      title: t('tokens.status'),
      key: 'status',
      width: 100,
      render: (_, tok) => {
        const s = stateOf(tok, now);
        return <Badge status={BADGE[s]} text={t(`tokens.state.${s}`)} />;
      },
    },
    {
      title: t('common.created'),
      dataIndex: 'createdAt',
      width: 120,
      render: (at: number) => <Time value={at} />,
    },
    {
      title: t('tokens.expires'),
      dataIndex: 'expiresAt',
      width: 120,
      render: (at: number | null) => <Time value={at} empty={t('tokens.never')} />,
    },
    {
      title: t('tokens.lastUsed'),
      dataIndex: 'lastUsedAt',
      width: 120,
      render: (at: number | null) => <Time value={at} empty={t('tokens.neverUsed')} />,
    },
    {
      key: 'actions',
      width: 80,
      align: 'right',
      render: (_, tok) =>
        stateOf(tok, now) === 'active' && (
          <Popconfirm
            title={t('tokens.revokeConfirm', { name: tok.name })}
            description={t('tokens.revokeHelp')}
            okText={t('tokens.revoke')}
            okButtonProps={{ danger: true }}
            cancelText={t('common.cancel')}
            onConfirm={() => onRevoke(tok)}
          >
            <Button type="link" size="small" danger>
              {t('tokens.revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('nav.tokens')}
        subtitle={t('tokens.subtitle')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('tokens.new')}
          </Button>
        }
      />
      <Card size="small">
        {can('viewAllTokens') && (
          <div className="steady-toolbar">
            <Space>
              <Switch size="small" checked={all} onChange={setAll} />
              <span>{t('tokens.showAll')}</span>
            </Space>
          </div>
        )}
        <Table<ApiToken>
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={tokens.data ?? []}
          loading={tokens.isPending}
          pagination={false}
          rowClassName={(tok) => (stateOf(tok, now) === 'active' ? '' : 'steady-row-muted')}
          locale={{
            emptyText: (
              <TableEmpty
                loading={tokens.isPending}
                description={t('tokens.empty')}
                action={
                  <Button icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                    {t('tokens.new')}
                  </Button>
                }
              />
            ),
          }}
        />
      </Card>
      <CreateTokenModal open={creating} onClose={() => setCreating(false)} onCreated={setSecret} />
      <SecretModal secret={secret} onClose={() => setSecret(null)} />
    </>
  );
}
