import {
  Button,
  Card,
  Descriptions,
  Drawer,
  Input,
  Select,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { Time } from '../../components/Time';
import { type Alert, type AlertFilter, silenceTemplate, useAlert, useAlerts } from './api';
import { SilenceForm } from './SilenceForm';

const SEVERITY_COLOR: Record<string, string> = { P1: 'red', P2: 'orange', P3: 'blue' };

export function AlertState({ alert }: { alert: Pick<Alert, 'status' | 'suppressed'> }) {
  const { t } = useTranslation();
  if (alert.status === 'resolved') return <Tag color="green">{t('alerts.state.resolved')}</Tag>;
  if (alert.suppressed) return <Tag>{t(`alerts.state.${alert.suppressed}`)}</Tag>;
  return <Tag color="volcano">{t('alerts.state.firing')}</Tag>;
}

/** Live list of alerts from every source, with their state and why a muted one pages nobody. */
export default function AlertsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const showError = useShowError();
  const [params, setParams] = useSearchParams();
  const filter: AlertFilter = {
    state: params.get('state') ?? undefined,
    severity: params.get('severity') ?? undefined,
    source: params.get('source') ?? undefined,
    q: params.get('q') ?? undefined,
  };
  const alerts = useAlerts(filter);
  const [selected, setSelected] = useState<string | null>(null);
  const detail = useAlert(selected);
  const [silenceFrom, setSilenceFrom] = useState<{
    matchers: Alert['labels'] extends never ? never : { name: string; op: '='; value: string }[];
    comment: string;
  } | null>(null);
  const setParam = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const silenceLike = async (id: string) => {
    try {
      const tpl = await silenceTemplate(id);
      setSilenceFrom({
        matchers: tpl.matchers as { name: string; op: '='; value: string }[],
        comment: tpl.comment,
      });
    } catch (err) {
      showError(err);
    }
  };

  return (
    <>
      <PageHeader title={t('alerts.nav.alerts')} subtitle={t('alerts.list.subtitle')} />
      <Card>
        <Space wrap style={{ marginBottom: 12 }}>
          <Select
            allowClear
            placeholder={t('alerts.list.state')}
            style={{ width: 160 }}
            value={filter.state}
            onChange={(v) => setParam('state', v)}
            options={['firing', 'suppressed', 'resolved'].map((s) => ({
              value: s,
              label: t(`alerts.state.${s}` as 'alerts.state.firing'),
            }))}
            data-testid="alerts-state-filter"
          />
          <Select
            allowClear
            placeholder={t('alerts.list.severity')}
            style={{ width: 120 }}
            value={filter.severity}
            onChange={(v) => setParam('severity', v)}
            options={['P1', 'P2', 'P3'].map((s) => ({ value: s, label: s }))}
          />
          <Select
            allowClear
            placeholder={t('alerts.list.source')}
            style={{ width: 160 }}
            value={filter.source}
            onChange={(v) => setParam('source', v)}
            options={['alertmanager', 'grafana', 'zabbix', 'webhook', 'steady'].map((s) => ({
              value: s,
              label: s,
            }))}
          />
          <Input.Search
            allowClear
            placeholder={t('alerts.list.search')}
            defaultValue={filter.q}
            onSearch={(v) => setParam('q', v)}
            style={{ width: 240 }}
          />
        </Space>
        <Table<Alert>
          rowKey="id"
          size="middle"
          loading={alerts.isLoading}
          dataSource={alerts.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: <TableEmpty description={t('alerts.list.empty')} /> }}
          onRow={(a) => ({ onClick: () => setSelected(a.id), style: { cursor: 'pointer' } })}
          columns={[
            {
              title: t('alerts.list.severity'),
              dataIndex: 'severity',
              width: 90,
              render: (s: string) => <Tag color={SEVERITY_COLOR[s]}>{s}</Tag>,
            },
            { title: t('alerts.list.title'), dataIndex: 'title' },
            { title: t('alerts.list.state'), width: 140, render: (_, a) => <AlertState alert={a} /> },
            { title: t('alerts.list.source'), dataIndex: 'source', width: 120 },
            {
              title: t('alerts.list.started'),
              dataIndex: 'startsAt',
              width: 160,
              render: (v: number) => <Time value={v} />,
            },
            {
              title: t('alerts.list.lastSeen'),
              dataIndex: 'lastSeenAt',
              width: 160,
              render: (v: number) => <Time value={v} />,
            },
            { title: t('alerts.list.count'), dataIndex: 'receiveCount', width: 80 },
          ]}
        />
      </Card>
      <Drawer open={!!selected} onClose={() => setSelected(null)} size="large" title={detail.data?.title}>
        {detail.data && (
          <>
            <Space style={{ marginBottom: 12 }}>
              <AlertState alert={detail.data} />
              {can('respond') && detail.data.status === 'firing' && (
                <Button onClick={() => silenceLike(detail.data.id)}>{t('alerts.list.silenceLike')}</Button>
              )}
            </Space>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={t('alerts.list.severity')}>{detail.data.severity}</Descriptions.Item>
              <Descriptions.Item label={t('alerts.list.source')}>{detail.data.source}</Descriptions.Item>
              {detail.data.suppressedBy && (
                <Descriptions.Item label={t('alerts.list.mutedBy')}>
                  {detail.data.suppressedBy.name}
                </Descriptions.Item>
              )}
              <Descriptions.Item label={t('alerts.list.labels')}>
                {Object.entries(detail.data.labels).map(([k, v]) => (
                  <Tag key={k}>{`${k}=${v}`}</Tag>
                ))}
              </Descriptions.Item>
              {Object.entries(detail.data.annotations).map(([k, v]) => (
                <Descriptions.Item key={k} label={k}>
                  {v}
                </Descriptions.Item>
              ))}
            </Descriptions>
            <Typography.Title level={5} style={{ marginTop: 16 }}>
              {t('alerts.list.history')}
            </Typography.Title>
            <Timeline
              items={detail.data.history.map((e) => ({
                content: (
                  <>
                    <Typography.Text strong>
                      {t(`alerts.event.${e.kind}` as 'alerts.event.fired', { defaultValue: e.kind })}
                    </Typography.Text>{' '}
                    <Time value={e.at} mode="both" />
                  </>
                ),
              }))}
            />
          </>
        )}
      </Drawer>
      <SilenceForm open={!!silenceFrom} initial={silenceFrom} onClose={() => setSilenceFrom(null)} />
    </>
  );
}
