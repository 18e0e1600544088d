import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, Modal, Select, Space, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { Time } from '../../components/Time';
import { usePolicies } from '../oncall/api';
import { useServices } from '../services/api';
import { useTeams } from '../teams/api';
import { type Incident, SEVERITIES, STATES, useIncidentAction, useIncidents } from './api';
import { FiguresCard } from './FiguresCard';
import { SeverityTag, StateTag } from './IncidentTags';

const DAY = 86_400_000;

/** Incidents: filters in the URL, response figures above, newest first. */
export default function IncidentsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const showError = useShowError();
  const days = params.get('days') ? Number(params.get('days')) : undefined;
  const filter = {
    state: params.get('state') ?? undefined,
    severity: params.get('severity') ?? undefined,
    serviceId: params.get('service') ?? undefined,
    teamId: params.get('team') ?? undefined,
    from: days ? Math.floor((Date.now() - days * DAY) / 60_000) * 60_000 : undefined,
  };
  const incidents = useIncidents(filter);
  const services = useServices();
  const teams = useTeams();
  const policies = usePolicies();
  const action = useIncidentAction();
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();

  const setParam = (key: string, value: string | number | undefined | null) => {
    const next = new URLSearchParams(params);
    if (value === undefined || value === null || value === '') next.delete(key);
    else next.set(key, String(value));
    setParams(next, { replace: true });
  };
  const create = async () => {
    try {
      const values = await form.validateFields();
      const inc = (await action.mutateAsync({
        method: 'post',
        path: '/incidents',
        body: values,
      })) as Incident;
      setCreating(false);
      form.resetFields();
      navigate(`/incidents/${inc.ref}`);
    } catch (err) {
      if (err && typeof err === 'object' && 'errorFields' in err) return;
      showError(err, { form });
    }
  };

  return (
    <>
      <PageHeader
        title={t('nav.incidents')}
        subtitle={t('incidents.subtitle')}
        extra={
          can('respond') && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setCreating(true)}
              data-testid="incident-new"
            >
              {t('incidents.new')}
            </Button>
          )
        }
      />
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <FiguresCard />
        <Card size="small">
          <div className="steady-toolbar">
            <Select
              allowClear
              mode="multiple"
              style={{ minWidth: 200 }}
              placeholder={t('incidents.filters.state')}
              value={filter.state?.split(',') ?? []}
              onChange={(v: string[]) => setParam('state', v.join(','))}
              options={STATES.map((s) => ({ value: s, label: t(`incidents.state.${s}`) }))}
              data-testid="filter-state"
            />
            <Select
              allowClear
              mode="multiple"
              style={{ minWidth: 160 }}
              placeholder={t('incidents.filters.severity')}
              value={filter.severity?.split(',') ?? []}
              onChange={(v: string[]) => setParam('severity', v.join(','))}
              options={SEVERITIES.map((s) => ({ value: s, label: `${s} ${t(`incidents.severity.${s}`)}` }))}
            />
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              style={{ width: 200 }}
              placeholder={t('incidents.filters.service')}
              value={filter.serviceId}
              onChange={(v) => setParam('service', v)}
              options={(services.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            />
            <Select
              allowClear
              style={{ width: 180 }}
              placeholder={t('incidents.filters.team')}
              value={filter.teamId}
              onChange={(v) => setParam('team', v)}
              options={(teams.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            />
            <Select
              allowClear
              style={{ width: 160 }}
              placeholder={t('incidents.filters.time')}
              value={days}
              onChange={(v) => setParam('days', v)}
              options={[1, 7, 30, 90].map((d) => ({
                value: d,
                label: t('incidents.figures.days', { count: d }),
              }))}
            />
          </div>
          <Table<Incident>
            data-testid="incidents-table"
            size="middle"
            rowKey="id"
            loading={incidents.isLoading}
            dataSource={incidents.data?.items ?? []}
            pagination={{ pageSize: 25, hideOnSinglePage: true }}
            locale={{
              emptyText: <TableEmpty loading={incidents.isLoading} description={t('incidents.empty')} />,
            }}
            columns={[
              {
                title: t('incidents.fields.ref'),
                dataIndex: 'ref',
                width: 110,
                render: (ref: string) => <Link to={`/incidents/${ref}`}>{ref}</Link>,
              },
              {
                title: t('incidents.fields.title'),
                dataIndex: 'title',
                render: (title: string, r) => <Link to={`/incidents/${r.ref}`}>{title}</Link>,
              },
              {
                title: t('incidents.fields.severity'),
                dataIndex: 'severity',
                width: 110,
                render: (s: string) => <SeverityTag severity={s} />,
              },
              {
                title: t('incidents.fields.state'),
                dataIndex: 'state',
                width: 120,
                render: (s: string) => <StateTag state={s} />,
              },
              {
                title: t('incidents.fields.service'),
                dataIndex: 'serviceName',
                render: (v: string | null) => v ?? '—',
              },
              {
                title: t('incidents.fields.assignee'),
                dataIndex: 'assigneeName',
                render: (v: string | null) => v ?? '—',
              },
              {
                title: t('incidents.fields.opened'),
                dataIndex: 'createdAt',
                width: 140,
                render: (v: number) => <Time value={v} />,
              },
            ]}
          />
        </Card>
      </Space>
      <Modal
        open={creating}
        title={t('incidents.new')}
        onCancel={() => setCreating(false)}
        onOk={create}
        okText={t('common.create')}
        confirmLoading={action.isPending}
        okButtonProps={{ 'data-testid': 'incident-save' } as Record<string, string>}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" initialValues={{ severity: 'P3' }} data-testid="incident-form">
          <Form.Item
            name="title"
            label={t('incidents.fields.title')}
            rules={[{ required: true, message: t('validation.required') }]}
          >
            <Input maxLength={300} />
          </Form.Item>
          <Form.Item name="severity" label={t('incidents.fields.severity')}>
            <Select
              options={SEVERITIES.map((s) => ({ value: s, label: `${s} ${t(`incidents.severity.${s}`)}` }))}
            />
          </Form.Item>
          <Form.Item name="serviceId" label={t('incidents.fields.service')}>
            <Select allowClear options={(services.data ?? []).map((s) => ({ value: s.id, label: s.name }))} />
          </Form.Item>
          <Form.Item name="escalationPolicyId" label={t('incidents.fields.policy')}>
            <Select allowClear options={(policies.data ?? []).map((p) => ({ value: p.id, label: p.name }))} />
          </Form.Item>
          <Form.Item name="description" label={t('incidents.fields.description')}>
            <Input.TextArea rows={3} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
