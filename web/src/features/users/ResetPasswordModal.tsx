import { App, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { useShowError } from '../../app/errors';
import type { User } from '../../app/types';
import { useResetPassword } from './api';
import { PASSWORD_MIN } from './UserForm';

/** An administrator sets a new password for someone who lost theirs. */
export function ResetPasswordModal({ user, onClose }: { user: User | null; onClose(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ newPassword: string }>();
  const reset = useResetPassword();
  const showError = useShowError();

  const submit = async ({ newPassword }: { newPassword: string }) => {
    if (!user) return;
    try {
      await reset.mutateAsync({ id: user.id, newPassword });
      void message.success(t('users.passwordReset', { name: user.username }));
      onClose();
    } catch (err) {
      showError(err, { form });
    }
  };

  return (
    <Modal
      open={!!user}
      title={t('users.resetTitle', { name: user?.username ?? '' })}
      okText={t('users.resetPassword')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={reset.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={submit} preserve={false}>
        <Form.Item
          name="newPassword"
          label={t('profile.newPassword')}
          extra={t('users.resetHelp')}
          rules={[
            { required: true, message: t('validation.required') },
            { min: PASSWORD_MIN, message: t('validation.passwordMin', { min: PASSWORD_MIN }) },
            { max: 256 },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
