import { PlusOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Col,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Row,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { Time } from '../../components/Time';
import { type ScrapeTarget, useDeleteTarget, useSaveTarget, useTargets } from './api';
import { PairList } from './ProbeKindFields';
import type { Pair } from './probeForm';

const HEALTH_COLORS = { up: 'green', down: 'red', unknown: 'default' } as const;

interface TargetFormValues {
  jobName: string;
  url: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  labels: Pair[];
  enabled: boolean;
}
const DEFAULTS: TargetFormValues = {
  jobName: '',
  url: '',
  intervalSeconds: 30,
  timeoutSeconds: 10,
  labels: [],
  enabled: true,
};

/** Prometheus text-exposition endpoints Steady scrapes, with how each one's last scrape went. */
export default function TargetsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const targets = useTargets();
  const remove = useDeleteTarget();
  const [editing, setEditing] = useState<ScrapeTarget | 'new' | null>(null);
  const editable = can('editCatalog');

  return (
    <>
      <PageHeader
        title={t('signals.nav.targets')}
        subtitle={t('signals.targets.subtitle')}
        extra={
          editable && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {t('signals.targets.new')}
            </Button>
          )
        }
      />
      <Card size="small">
        <Table<ScrapeTarget>
          rowKey="id"
          size="middle"
          data-testid="targets-table"
          loading={targets.isPending}
          dataSource={targets.data ?? []}
          pagination={false}
          scroll={{ x: 1000 }}
          locale={{
            emptyText: <TableEmpty loading={targets.isPending} description={t('signals.targets.empty')} />,
          }}
          columns={[
            {
              title: t('signals.targets.job'),
              dataIndex: 'jobName',
              width: 200,
              render: (job: string, r) => (
                <Space direction="vertical" size={0}>
                  <Typography.Text strong className="steady-mono">
                    {job}
                  </Typography.Text>
                  <Typography.Text type="secondary" className="steady-mono" style={{ fontSize: 12 }}>
                    {r.instance}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: t('signals.targets.health'),
              dataIndex: 'health',
              width: 100,
              render: (h: ScrapeTarget['health'], r) =>
                r.enabled ? (
                  <Tag color={HEALTH_COLORS[h]}>{t(`signals.targets.healthStates.${h}`)}</Tag>
                ) : (
                  <Tag>{t('signals.targets.disabled')}</Tag>
                ),
            },
            {
              title: t('signals.targets.url'),
              dataIndex: 'url',
              ellipsis: true,
              render: (u: string) => (
                <Typography.Text className="steady-mono" style={{ fontSize: 12 }} ellipsis={{ tooltip: u }}>
                  {u}
                </Typography.Text>
              ),
            },
            {
              title: t('signals.targets.labels'),
              dataIndex: 'labels',
              width: 200,
              render: (l: Record<string, string>) => (
                <Flex gap={4} wrap>
                  {Object.entries(l).map(([k, v]) => (
                    <Tag key={k} className="steady-mono">
                      {k}={v}
                    </Tag>
                  ))}
                </Flex>
              ),
            },
            {
              title: t('signals.targets.every'),
              key: 'interval',
              width: 110,
              render: (_, r) =>
                t('signals.targets.intervalText', { interval: r.intervalSeconds, timeout: r.timeoutSeconds }),
            },
            {
              title: t('signals.targets.lastScrape'),
              key: 'last',
              width: 260,
              render: (_, r) =>
                r.lastScrape ? (
                  <Space direction="vertical" size={0}>
                    <Space size={6}>
                      <Time value={r.lastScrape.at} />
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t('signals.targets.scrapeFigures', {
                          samples: r.lastScrape.samples,
                          ms: Math.round(r.lastScrape.durationMs),
                        })}
                      </Typography.Text>
                    </Space>
                    {r.lastScrape.error && (
                      <Typography.Text
                        type="danger"
                        style={{ fontSize: 12 }}
                        ellipsis={{ tooltip: r.lastScrape.error }}
                      >
                        {r.lastScrape.error}
                      </Typography.Text>
                    )}
                  </Space>
                ) : (
                  <Typography.Text type="secondary">{t('signals.probes.never')}</Typography.Text>
                ),
            },
            ...(editable
              ? [
                  {
                    title: '',
                    key: 'actions',
                    width: 150,
                    render: (_: unknown, r: ScrapeTarget) => (
                      <Space size={4}>
                        <Button size="small" onClick={() => setEditing(r)}>
                          {t('common.edit')}
                        </Button>
                        <Popconfirm
                          title={t('signals.targets.confirmDelete', { name: r.jobName })}
                          onConfirm={async () => {
                            try {
                              await remove.mutateAsync(r.id);
                              void message.success(t('signals.targets.deleted'));
                            } catch (err) {
                              showError(err);
                            }
                          }}
                        >
                          <Button size="small" danger>
                            {t('common.delete')}
                          </Button>
                        </Popconfirm>
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <TargetFormModal target={editing} onClose={() => setEditing(null)} />
    </>
  );
}

function TargetFormModal({ target, onClose }: { target: ScrapeTarget | 'new' | null; onClose(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const [form] = Form.useForm<TargetFormValues>();
  const save = useSaveTarget();
  const existing = target && target !== 'new' ? target : undefined;

  useEffect(() => {
    if (!target) return;
    form.setFieldsValue(
      existing
        ? { ...existing, labels: Object.entries(existing.labels).map(([key, value]) => ({ key, value })) }
        : DEFAULTS,
    );
  }, [target, existing, form]);

  const onOk = async () => {
    let v: TargetFormValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const body = {
      jobName: v.jobName,
      url: v.url.trim(),
      intervalSeconds: v.intervalSeconds,
      timeoutSeconds: v.timeoutSeconds,
      labels: Object.fromEntries(
        (v.labels ?? []).filter((p) => p?.key).map((p) => [p.key.trim(), p.value ?? '']),
      ),
      enabled: v.enabled,
    };
    try {
      if (existing) await save.mutateAsync({ id: existing.id, update: body });
      else await save.mutateAsync({ create: body });
      void message.success(existing ? t('common.updated') : t('common.created'));
      onClose();
    } catch (err) {
      showError(err, { form });
    }
  };

  return (
    <Modal
      open={target !== null}
      title={existing ? t('signals.targets.editTitle', { name: existing.jobName }) : t('signals.targets.new')}
      onCancel={onClose}
      onOk={onOk}
      okText={existing ? t('common.save') : t('common.create')}
      okButtonProps={{ loading: save.isPending }}
      width={640}
      forceRender
    >
      <Form form={form} layout="vertical" initialValues={DEFAULTS}>
        <Form.Item
          name="jobName"
          label={t('signals.targets.job')}
          tooltip={t('signals.targets.jobHelp')}
          rules={[{ required: true, message: t('signals.form.required') }]}
        >
          <Input className="steady-mono" placeholder="node" />
        </Form.Item>
        <Form.Item
          name="url"
          label={t('signals.targets.url')}
          rules={[{ required: true, message: t('signals.form.required') }]}
        >
          <Input className="steady-mono" placeholder="http://10.0.0.5:9100/metrics" />
        </Form.Item>
        <Row gutter={12}>
          <Col span={9}>
            <Form.Item name="intervalSeconds" label={t('signals.form.interval')}>
              <InputNumber
                min={1}
                max={3600}
                addonAfter={t('signals.form.seconds')}
                style={{ width: '100%' }}
              />
            </Form.Item>
          </Col>
          <Col span={9}>
            <Form.Item name="timeoutSeconds" label={t('signals.form.timeout')}>
              <InputNumber
                min={1}
                max={600}
                addonAfter={t('signals.form.seconds')}
                style={{ width: '100%' }}
              />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="enabled" label={t('signals.targets.enabled')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          label={t('signals.form.labels')}
          tooltip={t('signals.targets.labelsHelp')}
          style={{ marginBottom: 0 }}
        >
          <PairList
            name={['labels']}
            keyLabel={t('signals.form.labelName')}
            addLabel={t('signals.form.addLabel')}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
