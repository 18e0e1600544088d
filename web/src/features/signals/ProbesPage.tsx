import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, Input, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { useAuth } from '../../app/auth';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { Time } from '../../components/Time';
import { useServices } from '../services/api';
import { type ProbeListItem, useProbes } from './api';
import { ProbeActions } from './ProbeActions';
import { ProbeFormModal } from './ProbeFormModal';
import { type ProbeState, ProbeStateTag, probeTarget } from './probeView';
import { formatUptime, uptimeColor } from './units';

const STATE_FILTERS: Record<string, ProbeState[]> = {
  up: ['up', 'degraded'],
  down: ['down', 'pending-retry'],
  paused: ['paused'],
  unknown: ['unknown'],
};

export function TlsDays({ days }: { days: number | null }) {
  if (days === null) return <Typography.Text type="secondary">—</Typography.Text>;
  const color = days < 7 ? '#cf1322' : days < 21 ? '#d48806' : undefined;
  return (
    <span className="steady-mono" style={{ color }}>
      {Math.floor(days)}
    </span>
  );
}

/** Every probe with its state, last check and uptime; filters in the URL (?state=down&serviceId=…). */
export default function ProbesPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const [editing, setEditing] = useState<ProbeListItem | 'new' | null>(null);
  const probes = useProbes({ refetchInterval: 5000 });
  const services = useServices();
  const q = params.get('q') ?? '';
  const state = params.get('state') ?? '';
  const serviceId = params.get('serviceId') ?? '';
  const setParam = (k: string, v: string | undefined) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const rows = (probes.data?.items ?? []).filter(
    (p) =>
      (!q || `${p.name} ${probeTarget(p, t)}`.toLowerCase().includes(q.toLowerCase())) &&
      (!state || (STATE_FILTERS[state] ?? []).includes(p.state)) &&
      (!serviceId || p.serviceId === serviceId),
  );

  return (
    <>
      <PageHeader
        title={t('signals.nav.probes')}
        subtitle={t('signals.probes.subtitle')}
        extra={
          can('editCatalog') && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setEditing('new')}
              data-testid="probe-new"
            >
              {t('signals.probes.new')}
            </Button>
          )
        }
      />
      <Card size="small">
        <Flex gap={8} wrap style={{ marginBottom: 12 }}>
          <Input.Search
            allowClear
            placeholder={t('signals.probes.search')}
            defaultValue={q}
            onSearch={(v) => setParam('q', v)}
            style={{ width: 260 }}
          />
          <Select
            allowClear
            style={{ width: 160 }}
            placeholder={t('signals.probes.state')}
            value={state || undefined}
            onChange={(v) => setParam('state', v)}
            options={Object.keys(STATE_FILTERS).map((s) => ({
              value: s,
              label: t(`signals.stateFilters.${s}` as 'signals.stateFilters.up'),
            }))}
          />
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            style={{ width: 220 }}
            placeholder={t('signals.probes.service')}
            value={serviceId || undefined}
            onChange={(v) => setParam('serviceId', v)}
            options={(services.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          />
        </Flex>
        {probes.data?.uptimeNote && (
          <Alert type="info" showIcon style={{ marginBottom: 12 }} message={probes.data.uptimeNote} />
        )}
        <Table<ProbeListItem>
          rowKey="id"
          size="middle"
          data-testid="probes-table"
          loading={probes.isPending}
          dataSource={rows}
          pagination={rows.length > 50 ? { pageSize: 50 } : false}
          scroll={{ x: 1100 }}
          locale={{
            emptyText: <TableEmpty loading={probes.isPending} description={t('signals.probes.empty')} />,
          }}
          columns={[
            {
              title: t('signals.probes.name'),
              dataIndex: 'name',
              width: 220,
              render: (name: string, p) => (
                <Space direction="vertical" size={0}>
                  <Link to={`/monitoring/probes/${p.id}`}>{name}</Link>
                  {p.serviceName && (
                    <Typography.Text type="secondary" className="steady-mono" style={{ fontSize: 12 }}>
                      {p.serviceName}
                    </Typography.Text>
                  )}
                </Space>
              ),
            },
            {
              title: t('signals.probes.state'),
              key: 'state',
              width: 130,
              render: (_, p) => <ProbeStateTag state={p.state} reason={p.stateReason} />,
            },
            {
              title: t('signals.probes.kind'),
              dataIndex: 'kind',
              width: 100,
              render: (k: ProbeListItem['kind']) => t(`signals.kinds.${k}`),
            },
            {
              title: t('signals.probes.target'),
              key: 'target',
              ellipsis: true,
              render: (_, p) => (
                <Typography.Text
                  className="steady-mono"
                  style={{ fontSize: 12 }}
                  ellipsis={{ tooltip: probeTarget(p, t) }}
                >
                  {probeTarget(p, t)}
                </Typography.Text>
              ),
            },
            {
              title: t('signals.probes.lastCheck'),
              key: 'last',
              width: 150,
              render: (_, p) =>
                p.lastResult ? (
                  <Space size={4}>
                    <Time value={p.lastResult.at} />
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {Math.round(p.lastResult.durationMs)} ms
                    </Typography.Text>
                  </Space>
                ) : (
                  <Typography.Text type="secondary">{t('signals.probes.never')}</Typography.Text>
                ),
            },
            {
              title: t('signals.probes.uptime24h'),
              dataIndex: 'uptime24h',
              width: 110,
              align: 'right',
              render: (v: number | null) => (
                <span className="steady-mono" style={{ color: uptimeColor(v) }}>
                  {formatUptime(v)}
                </span>
              ),
            },
            {
              title: t('signals.probes.tlsDays'),
              dataIndex: 'tlsDaysLeft',
              width: 100,
              align: 'right',
              render: (d: number | null) => <TlsDays days={d} />,
            },
            {
              title: '',
              key: 'actions',
              width: 230,
              render: (_, p) => (
                <Space size={4}>
                  <ProbeActions probe={p} size="small" />
                  {can('editCatalog') && (
                    <Button size="small" onClick={() => setEditing(p)}>
                      {t('common.edit')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <ProbeFormModal
        open={editing !== null}
        probe={editing === 'new' || editing === null ? undefined : editing}
        onClose={() => setEditing(null)}
      />
    </>
  );
}
