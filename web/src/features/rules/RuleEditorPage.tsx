import { Alert, App, Button, Card, Col, Form, Input, Row, Select, Space, Statistic, Switch } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { PageHeader } from '../../components/PageHeader';
import { type PreviewReply, type RuleInputBody, usePreview, useRule, useSaveRule } from './api';
import { PreviewChart } from './PreviewChart';

const KINDS = ['threshold', 'rate_of_change', 'anomaly', 'burn_rate', 'probe_down'] as const;

/** A starting spec per kind, edited as JSON (every field is documented in docs/alert-rules.md). */
const SPEC_TEMPLATES: Record<(typeof KINDS)[number], unknown> = {
  threshold: {
    query: 'http_request_duration_p99_seconds{service="checkout"}',
    op: '>',
    value: 1.5,
    recovery: 1.2,
    forSeconds: 300,
    noData: null,
  },
  rate_of_change: {
    query: 'orders_total{service="checkout"}',
    windowSeconds: 900,
    mode: 'percent',
    direction: 'down',
    value: 50,
    forSeconds: 0,
  },
  anomaly: {
    query: 'http_requests_per_second{service="checkout"}',
    sensitivity: 'medium',
    minDurationSeconds: 0,
  },
  burn_rate: {
    source: {
      type: 'counters',
      total: 'http_requests_total{service="checkout"}',
      bad: 'http_errors_total{service="checkout"}',
      good: null,
    },
    objective: 99.9,
    periodDays: 30,
  },
  probe_down: { query: 'probe_success{probe="shop-home"}', consecutive: 3 },
};

interface FormValues {
  name: string;
  kind: (typeof KINDS)[number];
  severity: 'P1' | 'P2' | 'P3';
  labels: string;
  summary: string;
  description: string;
  runbookUrl: string;
  enabled: boolean;
  spec: string;
}

const parseLabels = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const i = l.indexOf('=');
        return i < 0 ? [l, ''] : [l.slice(0, i).trim(), l.slice(i + 1).trim()];
      }),
  );

/** Create or edit a rule, and backtest it over the last 7 days before saving. */
export default function RuleEditorPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const existing = useRule(id === 'new' ? undefined : id);
  const { can } = useAuth();
  const editable = can('editCatalog');
  const [form] = Form.useForm<FormValues>();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const showError = useShowError();
  const save = useSaveRule();
  const preview = usePreview();
  const [result, setResult] = useState<PreviewReply | null>(null);

  useEffect(() => {
    const r = existing.data;
    if (!r) return;
    form.setFieldsValue({
      name: r.name,
      kind: r.kind,
      severity: r.severity,
      labels: Object.entries(r.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
      summary: r.summary,
      description: r.description,
      runbookUrl: r.runbookUrl,
      enabled: r.enabled,
      spec: JSON.stringify(r.spec, null, 2),
    });
  }, [existing.data, form]);

  const toInput = (v: FormValues): RuleInputBody | null => {
    try {
      const spec = JSON.parse(v.spec) as unknown;
      return { ...v, labels: parseLabels(v.labels ?? ''), spec } as RuleInputBody;
    } catch {
      form.setFields([{ name: 'spec', errors: [t('rules.specNotJson')] }]);
      return null;
    }
  };

  const onPreview = async () => {
    const input = toInput(form.getFieldsValue(true));
    if (!input) return;
    try {
      setResult(await preview.mutateAsync(input));
    } catch (err) {
      showError(err);
    }
  };

  const onSave = async (v: FormValues) => {
    const input = toInput(v);
    if (!input) return;
    try {
      const saved = await save.mutateAsync({ id: id === 'new' ? undefined : id, input });
      void message.success(t('rules.saved', { name: saved.name }));
      navigate(`/rules/${saved.id}`, { replace: true });
    } catch (err) {
      showError(err, { form });
    }
  };

  return (
    <>
      <PageHeader
        title={id === 'new' ? t('rules.new') : (existing.data?.name ?? t('rules.editTitle'))}
        subtitle={t('rules.editorSubtitle')}
      />
      <Row gutter={16}>
        <Col xs={24} xl={10}>
          <Card>
            <Form<FormValues>
              form={form}
              layout="vertical"
              disabled={!editable}
              initialValues={{
                kind: 'threshold',
                severity: 'P2',
                enabled: true,
                labels: '',
                summary: '{{ $labels.service }} {{ $value }} > {{ $threshold }}',
                description: '',
                runbookUrl: '',
                spec: JSON.stringify(SPEC_TEMPLATES.threshold, null, 2),
              }}
              onFinish={onSave}
              onValuesChange={(changed) => {
                if (changed.kind && id === 'new')
                  form.setFieldValue(
                    'spec',
                    JSON.stringify(SPEC_TEMPLATES[changed.kind as FormValues['kind']], null, 2),
                  );
              }}
            >
              <Form.Item
                name="name"
                label={t('rules.name')}
                rules={[{ required: true, message: t('validation.required') }]}
              >
                <Input />
              </Form.Item>
              <Space wrap>
                <Form.Item name="kind" label={t('rules.kind')}>
                  <Select
                    style={{ width: 200 }}
                    options={KINDS.map((k) => ({ value: k, label: t(`rules.kinds.${k}`) }))}
                  />
                </Form.Item>
                <Form.Item name="severity" label={t('rules.severity')}>
                  <Select
                    style={{ width: 100 }}
                    options={['P1', 'P2', 'P3'].map((s) => ({ value: s, label: s }))}
                  />
                </Form.Item>
                <Form.Item name="enabled" label={t('rules.enabled')} valuePropName="checked">
                  <Switch />
                </Form.Item>
              </Space>
              <Form.Item name="spec" label={t('rules.spec')} extra={t('rules.specHelp')}>
                <Input.TextArea autoSize={{ minRows: 6, maxRows: 16 }} style={{ fontFamily: 'monospace' }} />
              </Form.Item>
              <Form.Item name="summary" label={t('rules.summary')} extra={t('rules.templateHelp')}>
                <Input />
              </Form.Item>
              <Form.Item name="description" label={t('rules.description')}>
                <Input.TextArea autoSize={{ minRows: 2 }} />
              </Form.Item>
              <Form.Item name="labels" label={t('rules.labels')} extra={t('rules.labelsHelp')}>
                <Input.TextArea autoSize={{ minRows: 2 }} />
              </Form.Item>
              <Form.Item name="runbookUrl" label={t('rules.runbook')}>
                <Input placeholder="https://" />
              </Form.Item>
              <Space>
                <Button onClick={onPreview} loading={preview.isPending} disabled={false}>
                  {t('rules.preview.run')}
                </Button>
                {editable && (
                  <Button type="primary" htmlType="submit" loading={save.isPending}>
                    {t('common.save')}
                  </Button>
                )}
              </Space>
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card title={t('rules.preview.title')}>
            {!result && <Alert type="info" message={t('rules.preview.hint')} />}
            {result && (
              <>
                <Space size="large" style={{ marginBottom: 12 }}>
                  <Statistic title={t('rules.preview.firings')} value={result.firings} />
                  <Statistic title={t('rules.preview.series')} value={result.seriesTotal} />
                </Space>
                {result.notes.map((n) => (
                  <Alert key={n} type="warning" message={n} style={{ marginBottom: 8 }} />
                ))}
                <PreviewChart data={result} />
              </>
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
