import { useMutation } from '@tanstack/react-query';
import { App, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api';
import { useShowError } from '../../app/errors';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

const PASSWORD_MIN = 8;

/** The caller changes their own password (POST /me/password); other sessions stay logged in. */
export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const showError = useShowError();
  const change = useMutation({
    mutationFn: ({ currentPassword, newPassword }: Values) =>
      api.post('/me/password', { currentPassword, newPassword }),
  });

  const submit = async (values: Values) => {
    try {
      await change.mutateAsync(values);
      void message.success(t('profile.passwordChanged'));
      onClose();
    } catch (err) {
      showError(err, { form });
    }
  };

  return (
    <Modal
      open={open}
      title={t('userMenu.changePassword')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={change.isPending}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} preserve={false}>
        <Form.Item
          name="currentPassword"
          label={t('profile.currentPassword')}
          rules={[{ required: true, message: t('validation.required') }]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t('profile.newPassword')}
          rules={[
            { required: true, message: t('validation.required') },
            { min: PASSWORD_MIN, message: t('validation.passwordMin', { min: PASSWORD_MIN }) },
            { max: 256 },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('profile.confirmPassword')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('validation.required') },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || value === getFieldValue('newPassword')
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('profile.passwordMismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
