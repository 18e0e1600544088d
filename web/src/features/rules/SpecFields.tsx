import { DeleteOutlined, PlusOutlined, UndoOutlined } from '@ant-design/icons';
import { Button, Form, Input, InputNumber, Radio, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useProbes } from '../signals/api';
import { DurationInput } from './DurationInput';
import { COMPARISONS, DEFAULT_WINDOWS, type Kind, NO_DATA } from './specForm';

const mono = { fontFamily: 'monospace' } as const;
const SEVERITIES = ['P1', 'P2', 'P3'] as const;

function QueryField({ selectorOnly }: { selectorOnly?: boolean }) {
  const { t } = useTranslation();
  return (
    <Form.Item
      name={['spec', 'query']}
      label={selectorOnly ? t('rules.form.selector') : t('rules.form.query')}
      extra={selectorOnly ? t('rules.form.selectorHelp') : t('rules.form.queryHelp')}
      rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
    >
      <Input.TextArea autoSize={{ minRows: 1, maxRows: 6 }} style={mono} spellCheck={false} />
    </Form.Item>
  );
}

function DirectionField() {
  const { t } = useTranslation();
  return (
    <Form.Item name={['spec', 'direction']} label={t('rules.form.direction')}>
      <Select
        style={{ width: 130 }}
        options={(['up', 'down', 'either'] as const).map((d) => ({
          value: d,
          label: t(`rules.form.directions.${d}`),
        }))}
      />
    </Form.Item>
  );
}

function ForField({ name = 'forSeconds' }: { name?: string }) {
  const { t } = useTranslation();
  return (
    <Form.Item name={['spec', name]} label={t('rules.form.for')} tooltip={t('rules.form.forHelp')}>
      <DurationInput />
    </Form.Item>
  );
}

function ThresholdFields() {
  const { t } = useTranslation();
  const noData = Form.useWatch(['spec', 'noData', 'state']);
  return (
    <>
      <QueryField />
      <Space wrap align="start">
        <Form.Item name={['spec', 'op']} label={t('rules.form.op')}>
          <Select style={{ width: 90 }} options={COMPARISONS.map((c) => ({ value: c, label: c }))} />
        </Form.Item>
        <Form.Item
          name={['spec', 'value']}
          label={t('rules.form.value')}
          rules={[{ required: true, message: t('validation.required') }]}
        >
          <InputNumber style={{ width: 140 }} />
        </Form.Item>
        <Form.Item
          name={['spec', 'recovery']}
          label={t('rules.form.recovery')}
          tooltip={t('rules.form.recoveryHelp')}
        >
          <InputNumber style={{ width: 140 }} placeholder={t('rules.form.recoveryPlaceholder')} />
        </Form.Item>
      </Space>
      <Space wrap align="start">
        <ForField />
        <Form.Item name={['spec', 'noData', 'state']} label={t('rules.form.noData')}>
          <Select
            style={{ width: 200 }}
            options={NO_DATA.map((s) => ({ value: s, label: t(`rules.form.noDataStates.${s}`) }))}
          />
        </Form.Item>
        {noData && noData !== 'off' && (
          <Form.Item name={['spec', 'noData', 'afterSeconds']} label={t('rules.form.noDataAfter')}>
            <DurationInput minUnit="m" />
          </Form.Item>
        )}
      </Space>
    </>
  );
}

function RateFields() {
  const { t } = useTranslation();
  const mode = Form.useWatch(['spec', 'mode']);
  return (
    <>
      <QueryField selectorOnly />
      <Space wrap align="start">
        <DirectionField />
        <Form.Item
          name={['spec', 'value']}
          label={t('rules.form.changeBy')}
          rules={[{ required: true, message: t('validation.required') }]}
        >
          <InputNumber style={{ width: 120 }} min={0} addonAfter={mode === 'percent' ? '%' : undefined} />
        </Form.Item>
        <Form.Item name={['spec', 'mode']} label={t('rules.form.mode')}>
          <Radio.Group
            optionType="button"
            options={(['percent', 'absolute'] as const).map((m) => ({
              value: m,
              label: t(`rules.form.modes.${m}`),
            }))}
          />
        </Form.Item>
      </Space>
      <Space wrap align="start">
        <Form.Item name={['spec', 'windowSeconds']} label={t('rules.form.window')}>
          <DurationInput minUnit="m" />
        </Form.Item>
        <ForField />
      </Space>
    </>
  );
}

function AnomalyFields() {
  const { t } = useTranslation();
  return (
    <>
      <QueryField />
      <Space wrap align="start">
        <DirectionField />
        <Form.Item name={['spec', 'sensitivity']} label={t('rules.form.sensitivity')}>
          <Radio.Group
            optionType="button"
            options={(['low', 'medium', 'high'] as const).map((s) => ({
              value: s,
              label: t(`rules.form.sensitivities.${s}`),
            }))}
          />
        </Form.Item>
        <ForField name="minDurationSeconds" />
      </Space>
      <Typography.Paragraph type="secondary">{t('rules.form.anomalyHelp')}</Typography.Paragraph>
    </>
  );
}

function BurnFields() {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const type = Form.useWatch(['spec', 'source', 'type']);
  const sel = (name: string, label: string, extra?: string, required = false) => (
    <Form.Item
      name={['spec', 'source', name]}
      label={label}
      extra={extra}
      rules={required ? [{ required: true, whitespace: true, message: t('validation.required') }] : []}
    >
      <Input style={mono} spellCheck={false} />
    </Form.Item>
  );
  return (
    <>
      <Form.Item name={['spec', 'source', 'type']} label={t('rules.form.sliSource')}>
        <Radio.Group
          optionType="button"
          options={(['counters', 'error_ratio'] as const).map((s) => ({
            value: s,
            label: t(`rules.form.sliSources.${s}`),
          }))}
        />
      </Form.Item>
      {type === 'error_ratio' ? (
        sel('query', t('rules.form.errorRatio'), t('rules.form.errorRatioHelp'), true)
      ) : (
        <>
          {sel('total', t('rules.form.total'), undefined, true)}
          {sel('bad', t('rules.form.bad'), t('rules.form.badOrGood'))}
          {sel('good', t('rules.form.good'))}
        </>
      )}
      <Space wrap align="start">
        <Form.Item
          name={['spec', 'objective']}
          label={t('rules.form.objective')}
          rules={[{ required: true, message: t('validation.required') }]}
        >
          <InputNumber style={{ width: 130 }} min={0} max={100} step={0.1} addonAfter="%" />
        </Form.Item>
        <Form.Item name={['spec', 'periodDays']} label={t('rules.form.period')}>
          <InputNumber style={{ width: 130 }} min={1} max={90} addonAfter={t('rules.form.units.d')} />
        </Form.Item>
        <ForField />
      </Space>
      <Typography.Text strong>{t('rules.form.windows')}</Typography.Text>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {t('rules.form.windowsHelp')}
      </Typography.Paragraph>
      <Form.List name={['spec', 'windows']}>
        {(fields, { add, remove }) => (
          <>
            {fields.map((f, i) => {
              // Column headings on the first row only: the rows line up, so one set reads as a table.
              const label = (text: string) => (i === 0 ? text : undefined);
              return (
                <Space key={f.key} align="end" wrap data-testid="burn-window">
                  <Form.Item
                    name={[f.name, 'long']}
                    label={label(t('rules.form.long'))}
                    style={{ marginBottom: 8 }}
                  >
                    <Input style={{ width: 90, ...mono }} aria-label={t('rules.form.long')} />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'short']}
                    label={label(t('rules.form.short'))}
                    style={{ marginBottom: 8 }}
                  >
                    <Input style={{ width: 90, ...mono }} aria-label={t('rules.form.short')} />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'factor']}
                    label={label(t('rules.form.factor'))}
                    style={{ marginBottom: 8 }}
                  >
                    <InputNumber
                      style={{ width: 110 }}
                      min={0}
                      addonAfter="×"
                      aria-label={t('rules.form.factor')}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'severity']}
                    label={label(t('rules.severity'))}
                    style={{ marginBottom: 8 }}
                  >
                    <Select
                      style={{ width: 80 }}
                      aria-label={t('rules.severity')}
                      options={SEVERITIES.map((s) => ({ value: s, label: s }))}
                    />
                  </Form.Item>
                  <Form.Item style={{ marginBottom: 8 }}>
                    <Button
                      icon={<DeleteOutlined />}
                      aria-label={t('common.delete')}
                      disabled={fields.length <= 1}
                      onClick={() => remove(f.name)}
                    />
                  </Form.Item>
                </Space>
              );
            })}
            <Space style={{ marginBottom: 16 }}>
              <Button
                icon={<PlusOutlined />}
                disabled={fields.length >= 6}
                onClick={() => add({ long: '1h', short: '5m', factor: 1, severity: 'P3' })}
              >
                {t('rules.form.addWindow')}
              </Button>
              <Button
                icon={<UndoOutlined />}
                onClick={() => form.setFieldValue(['spec', 'windows'], DEFAULT_WINDOWS)}
              >
                {t('rules.form.resetWindows')}
              </Button>
            </Space>
          </>
        )}
      </Form.List>
    </>
  );
}

const PROBE_QUERY = /^probe_success\{probe_id="([^"]+)"\}$/;

/** The probe picker edits the selector `probe_success{probe_id="…"}` (or every probe). */
function ProbePicker({
  value,
  onChange,
  id,
}: {
  value?: string;
  onChange?: (v: string) => void;
  id?: string;
}) {
  const { t } = useTranslation();
  const probes = useProbes();
  const options = [
    { value: 'probe_success', label: t('rules.form.anyProbe') },
    ...(probes.data?.items ?? []).map((p) => ({
      value: `probe_success{probe_id="${p.id}"}`,
      label: p.name,
    })),
  ];
  // A selector written by hand (e.g. through the API) stays selectable as it is.
  if (value && !options.some((o) => o.value === value))
    options.push({ value, label: PROBE_QUERY.test(value) ? t('rules.form.unknownProbe') : value });
  return (
    <Select
      id={id}
      showSearch
      optionFilterProp="label"
      loading={probes.isLoading}
      value={value}
      onChange={onChange}
      options={options}
      style={{ width: '100%' }}
    />
  );
}

function ProbeFields() {
  const { t } = useTranslation();
  return (
    <Space wrap align="start" style={{ width: '100%' }}>
      <Form.Item name={['spec', 'query']} label={t('rules.form.probe')} style={{ minWidth: 320 }}>
        <ProbePicker />
      </Form.Item>
      <Form.Item name={['spec', 'consecutive']} label={t('rules.form.consecutive')}>
        <InputNumber min={1} max={100} style={{ width: 120 }} />
      </Form.Item>
    </Space>
  );
}

/** The condition of a rule, as a form for its kind (shapes: src/modules/detection/rules/rules.schemas.ts). */
export function SpecFields({ kind }: { kind: Kind }) {
  switch (kind) {
    case 'threshold':
      return <ThresholdFields />;
    case 'rate_of_change':
      return <RateFields />;
    case 'anomaly':
      return <AnomalyFields />;
    case 'burn_rate':
      return <BurnFields />;
    case 'probe_down':
      return <ProbeFields />;
  }
}
