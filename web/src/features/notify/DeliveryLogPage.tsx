import { Badge, Card, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { Time } from '../../components/Time';
import { type DeliveryMessage, useChannels, useMessages } from './api';

const STATE = {
  pending: 'processing',
  sending: 'processing',
  sent: 'success',
  failed: 'error',
  unknown: 'warning',
  cancelled: 'default',
} as const;

/** Every message in the outbox, newest first: where it went, its state, attempts and last error. */
export default function DeliveryLogPage() {
  const { t } = useTranslation();
  const [channelId, setChannelId] = useState<string | undefined>();
  const [state, setState] = useState<string | undefined>();
  const messages = useMessages({ channelId, state });
  const channels = useChannels();

  const columns: ColumnsType<DeliveryMessage> = [
    {
      title: t('notify.created'),
      dataIndex: 'createdAt',
      width: 170,
      render: (v: number) => <Time value={v} />,
    },
    {
      title: t('notify.channel'),
      key: 'channel',
      width: 200,
      render: (_, m) => (
        <Space>
          <Tag>{t(`notify.kinds.${m.channelKind}`)}</Tag>
          {m.channelName}
        </Space>
      ),
    },
    {
      title: t('notify.to'),
      dataIndex: 'recipient',
      width: 200,
      render: (v: string) => v || t('notify.group'),
    },
    {
      title: t('notify.subject'),
      dataIndex: 'subject',
      render: (v: string, m) => (
        <Space direction="vertical" size={0}>
          <Typography.Text>{v}</Typography.Text>
          {m.incidentId && <Link to={`/incidents/${m.incidentId}`}>{t('notify.openIncident')}</Link>}
        </Space>
      ),
    },
    {
      title: t('notify.state'),
      dataIndex: 'state',
      width: 140,
      render: (s: DeliveryMessage['state'], m) => (
        <Tooltip title={m.lastError ?? undefined}>
          <Badge status={STATE[s]} text={t(`notify.states.${s}`)} data-testid={`state-${m.id}`} />
        </Tooltip>
      ),
    },
    { title: t('notify.attempts'), dataIndex: 'attempts', width: 90 },
    {
      title: t('notify.lastError'),
      dataIndex: 'lastError',
      width: 260,
      render: (v: string | null) =>
        v ? (
          <Typography.Text type="secondary" ellipsis={{ tooltip: v }} style={{ maxWidth: 240 }}>
            {v}
          </Typography.Text>
        ) : (
          '—'
        ),
    },
  ];

  return (
    <>
      <PageHeader title={t('nav.notifyLog')} />
      <Card>
        <Space style={{ marginBottom: 16 }}>
          <Select
            allowClear
            placeholder={t('notify.channel')}
            style={{ width: 220 }}
            value={channelId}
            onChange={setChannelId}
            options={(channels.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
          />
          <Select
            allowClear
            placeholder={t('notify.state')}
            style={{ width: 160 }}
            value={state}
            onChange={setState}
            options={(['pending', 'sent', 'failed', 'unknown', 'cancelled'] as const).map((s) => ({
              value: s,
              label: t(`notify.states.${s}`),
            }))}
          />
        </Space>
        <Table
          rowKey="id"
          columns={columns}
          dataSource={messages.data ?? []}
          loading={messages.isLoading}
          pagination={false}
          locale={{ emptyText: <TableEmpty description={t('notify.empty')} /> }}
          data-testid="delivery-log"
        />
      </Card>
    </>
  );
}
