import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Modal, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { Time } from '../../components/Time';
import {
  type Integration,
  type IntegrationInput,
  type IntegrationSecret,
  useCreateIntegration,
  useDeleteIntegration,
  useIntegrations,
  useRotateToken,
} from './api';

const KINDS = ['alertmanager', 'grafana', 'zabbix', 'webhook'] as const;

/** What to paste into the source's configuration; the token is in it only right after creation. */
export function configSnippet(i: Pick<Integration, 'kind' | 'url'>, token: string): string {
  switch (i.kind) {
    case 'alertmanager':
      return `receivers:
  - name: steady
    webhook_configs:
      - url: ${i.url}
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${token}`;
    case 'grafana':
      return `Contact point → Webhook
  URL: ${i.url}
  HTTP method: POST
  Authorization header - scheme: Bearer
  Authorization header - credentials: ${token}`;
    case 'zabbix':
      return `Media type "Steady" (webhook), parameters:
  steady_url = ${i.url}
  token = ${token}
  (script and the other parameters: docs/alerts.md)`;
    case 'webhook':
      return `curl -X POST ${i.url} \\
  -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' \\
  -d '{"summary": "Disk full", "state": "open"}'`;
  }
}

function SecretModal({ created, onClose }: { created: IntegrationSecret | null; onClose(): void }) {
  const { t } = useTranslation();
  return (
    <Modal
      open={!!created}
      title={t('alerts.integrations.secretTitle')}
      onCancel={onClose}
      footer={
        <Button type="primary" onClick={onClose}>
          {t('tokens.secretDone')}
        </Button>
      }
      width={720}
      mask={{ closable: false }}
    >
      {created && (
        <>
          <Alert
            type="warning"
            showIcon
            title={t('alerts.integrations.secretWarning')}
            style={{ marginBottom: 12 }}
          />
          <Typography.Text strong>{t('alerts.integrations.url')}</Typography.Text>
          <Typography.Paragraph copyable className="steady-json" data-testid="integration-url">
            {created.url}
          </Typography.Paragraph>
          <Typography.Text strong>{t('alerts.integrations.token')}</Typography.Text>
          <Typography.Paragraph copyable className="steady-json" data-testid="integration-token">
            {created.token}
          </Typography.Paragraph>
          <Typography.Text strong>{t('alerts.integrations.snippet')}</Typography.Text>
          <Typography.Paragraph copyable={{ text: configSnippet(created, created.token) }}>
            <pre className="steady-json">{configSnippet(created, created.token)}</pre>
          </Typography.Paragraph>
        </>
      )}
    </Modal>
  );
}

export default function IntegrationsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const editable = can('editCatalog');
  const integrations = useIntegrations();
  const create = useCreateIntegration();
  const rotate = useRotateToken();
  const remove = useDeleteIntegration();
  const showError = useShowError();
  const [form] = Form.useForm<{
    name: string;
    kind: IntegrationInput['kind'];
    defaultSeverity: 'P1' | 'P2' | 'P3';
    titlePath?: string;
  }>();
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<IntegrationSecret | null>(null);
  const kind = Form.useWatch('kind', form);

  const submit = async () => {
    const v = await form.validateFields();
    try {
      const input: IntegrationInput = {
        name: v.name,
        kind: v.kind,
        defaultSeverity: v.defaultSeverity,
        ...(v.kind === 'webhook' ? { mapping: { title: v.titlePath ?? 'title' } } : {}),
      };
      setSecret(await create.mutateAsync(input));
      setAdding(false);
      form.resetFields();
    } catch (err) {
      showError(err, { form });
    }
  };
  return (
    <>
      <PageHeader
        title={t('alerts.nav.integrations')}
        subtitle={t('alerts.integrations.subtitle')}
        extra={
          editable && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
              {t('alerts.integrations.create')}
            </Button>
          )
        }
      />
      <Card>
        <Table<Integration>
          rowKey="id"
          loading={integrations.isLoading}
          dataSource={integrations.data ?? []}
          locale={{ emptyText: <TableEmpty description={t('alerts.integrations.empty')} /> }}
          columns={[
            {
              title: t('alerts.windows.name'),
              dataIndex: 'name',
              render: (v: string, i) => (
                <>
                  {v} {!i.enabled && <Tag>{t('alerts.integrations.disabled')}</Tag>}
                </>
              ),
            },
            {
              title: t('alerts.integrations.kind'),
              dataIndex: 'kind',
              width: 130,
              render: (k: string) => <Tag>{k}</Tag>,
            },
            {
              title: t('alerts.integrations.url'),
              dataIndex: 'url',
              render: (u: string) => (
                <Typography.Text copyable code>
                  {u}
                </Typography.Text>
              ),
            },
            {
              title: t('alerts.integrations.token'),
              dataIndex: 'tokenPrefix',
              width: 130,
              render: (p: string) => <code>{p}…</code>,
            },
            {
              title: t('alerts.integrations.lastReceived'),
              dataIndex: 'lastReceivedAt',
              width: 150,
              render: (v: number | null) => <Time value={v} empty={t('alerts.integrations.never')} />,
            },
            {
              width: 200,
              render: (_, i) =>
                editable && (
                  <>
                    <Popconfirm
                      title={t('alerts.integrations.rotateConfirm')}
                      onConfirm={() => rotate.mutateAsync(i.id).then(setSecret, showError)}
                    >
                      <Button type="link">{t('alerts.integrations.rotate')}</Button>
                    </Popconfirm>
                    <Popconfirm
                      title={t('alerts.integrations.deleteConfirm')}
                      onConfirm={() => remove.mutateAsync(i.id).catch(showError)}
                    >
                      <Button type="link" danger>
                        {t('common.delete')}
                      </Button>
                    </Popconfirm>
                  </>
                ),
            },
          ]}
        />
      </Card>
      <Modal
        open={adding}
        title={t('alerts.integrations.create')}
        onOk={submit}
        onCancel={() => setAdding(false)}
        confirmLoading={create.isPending}
      >
        <Form form={form} layout="vertical" initialValues={{ kind: 'alertmanager', defaultSeverity: 'P3' }}>
          <Form.Item name="name" label={t('alerts.windows.name')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="kind" label={t('alerts.integrations.kind')}>
            <Select options={KINDS.map((k) => ({ value: k, label: t(`alerts.integrations.kinds.${k}`) }))} />
          </Form.Item>
          <Form.Item name="defaultSeverity" label={t('alerts.integrations.defaultSeverity')}>
            <Select options={['P1', 'P2', 'P3'].map((s) => ({ value: s, label: s }))} />
          </Form.Item>
          {kind === 'webhook' && (
            <Form.Item
              name="titlePath"
              label={t('alerts.integrations.titlePath')}
              rules={[{ required: true }]}
            >
              <Input placeholder="data.summary" />
            </Form.Item>
          )}
        </Form>
      </Modal>
      <SecretModal created={secret} onClose={() => setSecret(null)} />
    </>
  );
}
