import { Form, Input, InputNumber, Modal, Select, Switch } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useShowError } from '../../app/errors';
import { type Channel, type ChannelKind, useSaveChannel } from './api';
import { KIND_FIELDS } from './fields';

const KINDS: ChannelKind[] = ['email', 'webhook', 'dingtalk', 'wecom', 'feishu', 'slack', 'sms'];
type Values = Record<string, unknown> & {
  name: string;
  kind: ChannelKind;
  ratePerMinute?: number;
  enabled: boolean;
};

/** Create or edit a channel. Secrets are write-only: left empty on edit, they keep their stored value. */
export function ChannelForm({
  channel,
  open,
  onClose,
}: {
  channel: Channel | null;
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const save = useSaveChannel();
  const showError = useShowError();
  const kind = (Form.useWatch('kind', form) ?? channel?.kind ?? 'email') as ChannelKind;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (channel) {
      const values: Values = {
        name: channel.name,
        kind: channel.kind,
        ratePerMinute: channel.ratePerMinute,
        enabled: channel.enabled,
      };
      for (const f of KIND_FIELDS[channel.kind]) {
        if (f.part !== 'settings') continue;
        const v = channel.settings[f.key];
        values[`settings.${f.key}`] = f.type === 'json' ? JSON.stringify(v ?? {}) : v;
      }
      form.setFieldsValue(values);
    } else {
      form.setFieldsValue({ kind: 'email', enabled: true });
    }
  }, [open, channel, form]);

  const onOk = async () => {
    const v = await form.validateFields();
    const settings: Record<string, unknown> = {};
    const secrets: Record<string, unknown> = {};
    for (const f of KIND_FIELDS[v.kind]) {
      const raw = v[`${f.part}.${f.key}`];
      if (raw === undefined || raw === null || raw === '') continue;
      let value: unknown = raw;
      if (f.type === 'json') {
        try {
          value = JSON.parse(String(raw));
        } catch {
          form.setFields([{ name: `${f.part}.${f.key}`, errors: [t('notify.invalidJson')] }]);
          return;
        }
      }
      (f.part === 'settings' ? settings : secrets)[f.key] = value;
    }
    try {
      const input = channel
        ? {
            name: v.name,
            settings,
            ...(Object.keys(secrets).length ? { secrets } : {}),
            ...(v.ratePerMinute !== undefined ? { ratePerMinute: v.ratePerMinute } : {}),
            enabled: v.enabled,
          }
        : {
            name: v.name,
            kind: v.kind,
            settings,
            secrets,
            ...(v.ratePerMinute !== undefined && v.ratePerMinute !== null
              ? { ratePerMinute: v.ratePerMinute }
              : {}),
            enabled: v.enabled,
          };
      await save.mutateAsync({ id: channel?.id ?? null, input });
      onClose();
    } catch (err) {
      showError(err, { form });
    }
  };

  return (
    <Modal
      open={open}
      title={channel ? t('notify.editChannel') : t('notify.newChannel')}
      onOk={onOk}
      onCancel={onClose}
      okText={t('common.save')}
      confirmLoading={save.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" name="channel">
        <Form.Item
          name="name"
          label={t('notify.name')}
          rules={[{ required: true, message: t('validation.required') }]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="kind" label={t('notify.kind')}>
          <Select
            disabled={!!channel}
            options={KINDS.map((k) => ({ value: k, label: t(`notify.kinds.${k}`) }))}
          />
        </Form.Item>
        {KIND_FIELDS[kind].map((f) => {
          const name = `${f.part}.${f.key}`;
          const secretSet = channel?.secretsSet.includes(f.key);
          const required = f.required && !(f.part === 'secrets' && secretSet);
          return (
            <Form.Item
              key={name}
              name={name}
              label={f.key}
              valuePropName={f.type === 'bool' ? 'checked' : 'value'}
              rules={required ? [{ required: true, message: t('validation.required') }] : []}
              extra={
                f.part === 'secrets'
                  ? secretSet
                    ? t('notify.secretKept')
                    : t('notify.secretHint')
                  : undefined
              }
            >
              {f.type === 'bool' ? (
                <Switch />
              ) : f.type === 'number' ? (
                <InputNumber placeholder={f.placeholder} style={{ width: '100%' }} />
              ) : f.type === 'password' ? (
                <Input.Password
                  placeholder={secretSet ? '••••••••' : f.placeholder}
                  autoComplete="new-password"
                />
              ) : f.type === 'textarea' || f.type === 'json' ? (
                <Input.TextArea rows={2} placeholder={f.placeholder} className="steady-mono" />
              ) : (
                <Input placeholder={f.placeholder} />
              )}
            </Form.Item>
          );
        })}
        <Form.Item name="ratePerMinute" label={t('notify.ratePerMinute')} extra={t('notify.rateHint')}>
          <InputNumber min={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="enabled" label={t('notify.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
