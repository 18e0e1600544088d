import { Alert, App, Col, Form, Input, InputNumber, Modal, Radio, Row, Select, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useShowError } from '../../app/errors';
import { useServices } from '../services/api';
import { type CreatedProbe, type ProbeDetail, type ProbeListItem, useSaveProbe } from './api';
import { DnsFields, HeartbeatFields, HttpFields, PairList, TcpFields } from './ProbeKindFields';
import { DEFAULTS, type ProbeFormValues, toCreateBody, toFormValues, toUpdateBody } from './probeForm';

const KINDS = ['http', 'tcp', 'dns', 'heartbeat'] as const;

/** Create or edit a probe; the kind is chosen once, at creation. */
export function ProbeFormModal({
  open,
  probe,
  onClose,
}: {
  open: boolean;
  probe?: ProbeDetail | ProbeListItem;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const showError = useShowError();
  const [form] = Form.useForm<ProbeFormValues>();
  const kind = Form.useWatch('kind', form) ?? probe?.kind ?? 'http';
  const services = useServices();
  const save = useSaveProbe();

  useEffect(() => {
    if (open) form.setFieldsValue(probe ? toFormValues(probe) : DEFAULTS);
  }, [open, probe, form]);

  const onOk = async () => {
    try {
      await form.validateFields();
    } catch {
      return;
    }
    // Fields of collapsed panels are not mounted; the store still holds their values.
    const values = form.getFieldsValue(true) as ProbeFormValues;
    try {
      const all = { ...DEFAULTS, ...values } as ProbeFormValues;
      const saved = probe
        ? await save.mutateAsync({ id: probe.id, update: toUpdateBody(all) })
        : await save.mutateAsync({ create: toCreateBody(all) });
      void message.success(probe ? t('common.updated') : t('common.created'));
      onClose();
      const path = (saved as CreatedProbe).heartbeatPath;
      if (path) {
        modal.info({
          title: t('signals.form.heartbeatUrlTitle'),
          width: 640,
          content: (
            <>
              <Typography.Paragraph>{t('signals.form.heartbeatUrlHelp')}</Typography.Paragraph>
              <Typography.Paragraph copyable code data-testid="heartbeat-url">
                {`${window.location.origin}${path}`}
              </Typography.Paragraph>
              <Typography.Paragraph type="secondary" className="steady-mono" style={{ fontSize: 12 }}>
                curl -fsS -X POST {`${window.location.origin}${path}`}
              </Typography.Paragraph>
            </>
          ),
        });
      }
    } catch (err) {
      showError(err, { form, conflictField: 'name' });
    }
  };

  return (
    <Modal
      open={open}
      title={probe ? t('signals.probes.editTitle', { name: probe.name }) : t('signals.probes.new')}
      onCancel={onClose}
      onOk={onOk}
      okText={probe ? t('common.save') : t('common.create')}
      okButtonProps={{ loading: save.isPending, id: 'probe-save' }}
      width={760}
      destroyOnHidden
      forceRender
    >
      <Form form={form} layout="vertical" initialValues={DEFAULTS}>
        <Form.Item name="kind" label={t('signals.probes.kind')}>
          <Radio.Group
            disabled={!!probe}
            optionType="button"
            options={KINDS.map((k) => ({ value: k, label: t(`signals.kinds.${k}`) }))}
          />
        </Form.Item>
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item
              name="name"
              label={t('signals.probes.name')}
              rules={[{ required: true, message: t('signals.form.required') }]}
            >
              <Input data-testid="probe-name" placeholder={t('signals.form.namePlaceholder')} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="serviceId" label={t('signals.probes.service')}>
              <Select
                data-testid="probe-service"
                allowClear
                showSearch
                optionFilterProp="label"
                loading={services.isPending}
                options={(services.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
              />
            </Form.Item>
          </Col>
        </Row>
        {kind === 'http' && <HttpFields />}
        {kind === 'tcp' && <TcpFields />}
        {kind === 'dns' && <DnsFields />}
        {kind === 'heartbeat' && (
          <>
            <HeartbeatFields />
            {!probe && (
              <Alert
                type="info"
                showIcon
                style={{ marginBottom: 16 }}
                message={t('signals.form.heartbeatNote')}
              />
            )}
          </>
        )}
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item
              name="intervalSeconds"
              label={t('signals.form.interval')}
              tooltip={kind === 'heartbeat' ? t('signals.form.heartbeatInterval') : undefined}
            >
              <InputNumber
                min={10}
                max={86_400}
                addonAfter={t('signals.form.seconds')}
                style={{ width: '100%' }}
                data-testid="probe-interval"
              />
            </Form.Item>
          </Col>
          {kind !== 'heartbeat' && (
            <Col span={8}>
              <Form.Item name="timeoutMs" label={t('signals.form.timeout')}>
                <InputNumber
                  min={100}
                  max={60_000}
                  addonAfter={t('signals.form.ms')}
                  style={{ width: '100%' }}
                  data-testid="probe-timeout"
                />
              </Form.Item>
            </Col>
          )}
          <Col span={8}>
            <Form.Item
              name="retries"
              label={t('signals.form.retries')}
              tooltip={t('signals.form.retriesHelp')}
            >
              <InputNumber min={0} max={10} style={{ width: '100%' }} data-testid="probe-retries" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          label={t('signals.form.labels')}
          tooltip={t('signals.form.labelsHelp')}
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
