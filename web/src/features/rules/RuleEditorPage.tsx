import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Divider,
  Form,
  Input,
  Row,
  Select,
  Space,
  Statistic,
  Switch,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../../app/api';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { PageHeader } from '../../components/PageHeader';
import { useServices } from '../services/api';
import { type PreviewReply, usePreview, useRule, useSaveRule } from './api';
import { PreviewChart } from './PreviewChart';
import { SpecFields } from './SpecFields';
import {
  fromSpec,
  KINDS,
  type Kind,
  type RuleFields,
  type SpecValues,
  TEMPLATES,
  toInput,
  toSpec,
} from './specForm';

interface FormValues extends RuleFields {
  spec: SpecValues;
  specJson: string;
}

/** The preview takes `{ rule }`: its issues say `rule.spec.query`, the form's field is `spec.query`. */
const unwrapRule = (err: unknown): unknown => {
  if (!(err instanceof ApiError) || !Array.isArray(err.details?.issues)) return err;
  const issues = (err.details.issues as { path: string; message: string }[]).map((i) => ({
    ...i,
    path: i.path.replace(/^(body\.)?rule\./, ''),
  }));
  return new ApiError(err.status, err.code, err.message, { ...err.details, issues });
};

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
  const services = useServices();
  const [result, setResult] = useState<PreviewReply | null>(null);
  const [asJson, setAsJson] = useState(false);
  const kind = (Form.useWatch('kind', form) ?? 'threshold') as Kind;

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
      serviceId: r.serviceId,
      enabled: r.enabled,
      spec: fromSpec(r.kind, r.spec),
    });
  }, [existing.data, form]);

  /** The spec as the API wants it, from the form or from the JSON box; null (and a field error) if unreadable. */
  const currentSpec = (): Record<string, unknown> | null => {
    const v = form.getFieldsValue(true) as FormValues;
    if (!asJson) return toSpec(v.kind, v.spec ?? {});
    try {
      return JSON.parse(v.specJson) as Record<string, unknown>;
    } catch {
      form.setFields([{ name: 'specJson', errors: [t('rules.specNotJson')] }]);
      return null;
    }
  };

  const toggleJson = (on: boolean) => {
    if (on) {
      const v = form.getFieldsValue(true) as FormValues;
      form.setFieldValue('specJson', JSON.stringify(toSpec(v.kind, v.spec ?? {}), null, 2));
      setAsJson(true);
      return;
    }
    const spec = currentSpec();
    if (!spec) return;
    form.setFieldValue('spec', fromSpec(form.getFieldValue('kind') as Kind, spec));
    setAsJson(false);
  };

  const input = () => {
    const spec = currentSpec();
    return spec ? toInput(form.getFieldsValue(true) as FormValues, spec) : null;
  };

  const onPreview = async () => {
    const rule = input();
    if (!rule) return;
    try {
      setResult(await preview.mutateAsync(rule));
    } catch (err) {
      showError(unwrapRule(err), { form });
    }
  };

  const onSave = async () => {
    const rule = input();
    if (!rule) return;
    try {
      const saved = await save.mutateAsync({ id: id === 'new' ? undefined : id, input: rule });
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
        <Col xs={24} xl={11}>
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
                serviceId: null,
                spec: TEMPLATES.threshold,
                specJson: '',
              }}
              onFinish={onSave}
              onValuesChange={(changed: Partial<FormValues>) => {
                if (!changed.kind) return;
                const spec = TEMPLATES[changed.kind];
                form.setFieldValue('spec', spec);
                if (asJson)
                  form.setFieldValue('specJson', JSON.stringify(toSpec(changed.kind, spec), null, 2));
                setResult(null);
              }}
            >
              <Form.Item
                name="name"
                label={t('rules.name')}
                rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
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
                <Form.Item name="serviceId" label={t('rules.form.service')}>
                  <Select
                    allowClear
                    showSearch
                    optionFilterProp="label"
                    style={{ width: 220 }}
                    placeholder={t('rules.form.noService')}
                    options={(services.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
                    onClear={() => form.setFieldValue('serviceId', null)}
                  />
                </Form.Item>
                <Form.Item name="enabled" label={t('rules.enabled')} valuePropName="checked">
                  <Switch />
                </Form.Item>
              </Space>
              <div
                style={{
                  display: 'flex',
                  justifyContent: 'space-between',
                  alignItems: 'center',
                  marginBottom: 12,
                }}
              >
                <Typography.Title level={5} style={{ margin: 0 }}>
                  {t('rules.form.condition')}
                </Typography.Title>
                <Space size="small">
                  <Switch
                    size="small"
                    checked={asJson}
                    onChange={toggleJson}
                    aria-label={t('rules.form.asJson')}
                    data-testid="rule-json-toggle"
                  />
                  <Typography.Text type="secondary">{t('rules.form.asJson')}</Typography.Text>
                </Space>
              </div>
              {asJson ? (
                <Form.Item name="specJson" extra={t('rules.specHelp')}>
                  <Input.TextArea
                    aria-label={t('rules.spec')}
                    autoSize={{ minRows: 6, maxRows: 20 }}
                    style={{ fontFamily: 'monospace' }}
                    spellCheck={false}
                  />
                </Form.Item>
              ) : (
                <SpecFields kind={kind} />
              )}
              <Divider style={{ margin: '8px 0 16px' }} />
              <Typography.Title level={5} style={{ marginTop: 0 }}>
                {t('rules.form.message')}
              </Typography.Title>
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
        <Col xs={24} xl={13}>
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
