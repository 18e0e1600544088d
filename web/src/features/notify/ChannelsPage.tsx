import { PlusOutlined, SendOutlined } from '@ant-design/icons';
import {
  App,
  Badge,
  Button,
  Card,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { Time } from '../../components/Time';
import { type Channel, useChannels, useDeleteChannel, useSendTest } from './api';
import { ChannelForm } from './ChannelForm';

const HEALTH = { ok: 'success', failing: 'error', unknown: 'default' } as const;

/** Notification channels: what exists, whether it works (health), edit, and send a test message. */
export default function ChannelsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useAuth();
  const channels = useChannels();
  const remove = useDeleteChannel();
  const sendTest = useSendTest();
  const showError = useShowError();
  const [editing, setEditing] = useState<Channel | null | 'new'>(null);
  const [testing, setTesting] = useState<Channel | null>(null);
  const [to, setTo] = useState('');
  const editor = can('editCatalog');

  const onTest = async () => {
    if (!testing) return;
    try {
      await sendTest.mutateAsync({ id: testing.id, to: to.trim() || undefined });
      void message.success(t('notify.testQueued', { name: testing.name }));
      setTesting(null);
    } catch (err) {
      showError(err);
    }
  };

  const columns: ColumnsType<Channel> = [
    {
      title: t('notify.name'),
      dataIndex: 'name',
      render: (_, c) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{c.name}</Typography.Text>
          {!c.enabled && <Tag>{t('notify.disabled')}</Tag>}
        </Space>
      ),
    },
    {
      title: t('notify.kind'),
      dataIndex: 'kind',
      width: 140,
      render: (k: Channel['kind']) => <Tag>{t(`notify.kinds.${k}`)}</Tag>,
    },
    {
      title: t('notify.health'),
      key: 'health',
      width: 240,
      render: (_, c) => (
        <Space direction="vertical" size={0}>
          <Badge
            status={HEALTH[c.health]}
            text={t(`notify.healthState.${c.health}`)}
            data-testid={`health-${c.name}`}
          />
          {c.health === 'failing' && c.lastError && (
            <Tooltip title={c.lastError}>
              <Typography.Text type="danger" ellipsis style={{ maxWidth: 220 }}>
                {c.lastError}
              </Typography.Text>
            </Tooltip>
          )}
        </Space>
      ),
    },
    {
      title: t('notify.lastSuccess'),
      dataIndex: 'lastSuccessAt',
      width: 160,
      render: (v: number | null) => (v ? <Time value={v} /> : '—'),
    },
    {
      title: t('notify.ratePerMinute'),
      dataIndex: 'ratePerMinute',
      width: 110,
      render: (v: number) => v || '∞',
    },
    {
      title: '',
      key: 'actions',
      width: 240,
      render: (_, c) => (
        <Space>
          <Button
            size="small"
            icon={<SendOutlined />}
            onClick={() => {
              setTo('');
              setTesting(c);
            }}
            disabled={!editor}
          >
            {t('notify.sendTest')}
          </Button>
          {editor && (
            <Button size="small" onClick={() => setEditing(c)}>
              {t('common.edit')}
            </Button>
          )}
          {editor && (
            <Popconfirm
              title={t('notify.deleteConfirm', { name: c.name })}
              onConfirm={() => remove.mutateAsync(c.id).catch(showError)}
            >
              <Button size="small" danger>
                {t('common.delete')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('nav.notifyChannels')}
        extra={
          editor && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {t('notify.newChannel')}
            </Button>
          )
        }
      />
      <Card>
        <Table
          rowKey="id"
          columns={columns}
          dataSource={channels.data ?? []}
          loading={channels.isLoading}
          pagination={false}
          locale={{ emptyText: <TableEmpty description={t('notify.empty')} /> }}
        />
      </Card>
      <ChannelForm
        channel={editing === 'new' ? null : editing}
        open={editing !== null}
        onClose={() => setEditing(null)}
      />
      <Modal
        open={testing !== null}
        title={t('notify.sendTestTitle', { name: testing?.name ?? '' })}
        onOk={onTest}
        okText={t('notify.send')}
        onCancel={() => setTesting(null)}
        confirmLoading={sendTest.isPending}
      >
        <Typography.Paragraph type="secondary">{t('notify.sendTestHint')}</Typography.Paragraph>
        <Input
          aria-label={t('notify.to')}
          placeholder={t('notify.to')}
          value={to}
          onChange={(e) => setTo(e.target.value)}
        />
      </Modal>
    </>
  );
}
