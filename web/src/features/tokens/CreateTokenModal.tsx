import { Checkbox, Form, Input, InputNumber, Modal, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { useShowError } from '../../app/errors';
import { SCOPES, type Scope } from '../../app/types';
import { useCreateToken } from './api';

interface Values {
  name: string;
  scopes: Scope[];
  expiry: 'never' | '30' | '90' | '365' | 'custom';
  days?: number;
}

/** Name, scopes and lifetime of a new token; the secret goes to `onCreated` (shown once by the caller). */
export function CreateTokenModal({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose(): void;
  onCreated(secret: string): void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const create = useCreateToken();
  const showError = useShowError();
  const expiry = Form.useWatch('expiry', form);

  const submit = async ({ name, scopes, expiry: e, days }: Values) => {
    const expiresInDays = e === 'never' ? undefined : e === 'custom' ? days : Number(e);
    try {
      const { secret } = await create.mutateAsync({ name: name.trim(), scopes, expiresInDays });
      onClose();
      onCreated(secret);
    } catch (err) {
      showError(err, { form });
    }
  };

  return (
    <Modal
      open={open}
      title={t('tokens.createTitle')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending}
      destroyOnHidden
    >
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        preserve={false}
        initialValues={{ scopes: ['read'], expiry: '90' }}
      >
        <Form.Item
          name="name"
          label={t('tokens.name')}
          extra={t('tokens.nameHelp')}
          rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 128 }]}
        >
          <Input maxLength={128} placeholder="prometheus-remote-write" />
        </Form.Item>
        <Form.Item
          name="scopes"
          label={t('tokens.scopes')}
          rules={[{ required: true, type: 'array', min: 1, message: t('tokens.scopesRequired') }]}
        >
          <Checkbox.Group>
            <Space orientation="vertical" size={4}>
              {SCOPES.map((s) => (
                <Checkbox key={s} value={s}>
                  <strong className="steady-mono">{s}</strong> — {t(`tokens.scope.${s}`)}
                </Checkbox>
              ))}
            </Space>
          </Checkbox.Group>
        </Form.Item>
        <Space align="start">
          <Form.Item name="expiry" label={t('tokens.expiry')}>
            <Select
              style={{ width: 180 }}
              options={[
                { value: '30', label: t('tokens.days', { count: 30 }) },
                { value: '90', label: t('tokens.days', { count: 90 }) },
                { value: '365', label: t('tokens.days', { count: 365 }) },
                { value: 'custom', label: t('tokens.customDays') },
                { value: 'never', label: t('tokens.never') },
              ]}
            />
          </Form.Item>
          {expiry === 'custom' && (
            <Form.Item
              name="days"
              label={t('tokens.daysLabel')}
              rules={[{ required: true, message: t('validation.required') }]}
            >
              <InputNumber min={1} max={3650} precision={0} style={{ width: 120 }} />
            </Form.Item>
          )}
        </Space>
      </Form>
    </Modal>
  );
}
