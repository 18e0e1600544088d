import { App, Form, Input, Modal, Select } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useShowError } from '../../app/errors';
import { LANGUAGE_NAMES } from '../../app/layout/LanguageSwitch';
import { LOCALES, type Locale, ROLES, type Role, type User } from '../../app/types';
import { useCreateUser, useUpdateUser } from './api';

interface Values {
  username: string;
  displayName: string;
  email: string;
  role: Role;
  locale: Locale;
  password: string;
}

// Mirrors src/platform/auth/auth.schemas.ts.
export const USERNAME = /^[a-z0-9._-]{2,64}$/;
export const PASSWORD_MIN = 8;

/** Create a user (target 'new') or change one's name, e-mail, role and language. */
export function UserForm({ target, onClose }: { target: User | 'new' | null; onClose(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const create = useCreateUser();
  const update = useUpdateUser();
  const showError = useShowError();
  const editing = target && target !== 'new' ? target : null;

  useEffect(() => {
    if (!target) return;
    form.resetFields();
    if (editing) form.setFieldsValue({ ...editing, email: editing.email ?? '' });
    else form.setFieldsValue({ role: 'viewer', locale: 'zh-CN' });
  }, [target, editing, form]);

  const submit = async ({ username, password, email, ...rest }: Values) => {
    const fields = {
      ...rest,
      displayName: rest.displayName.trim(),
      email: email?.trim() ? email.trim() : null,
    };
    try {
      if (editing) await update.mutateAsync({ id: editing.id, input: fields });
      else await create.mutateAsync({ ...fields, username, password });
      void message.success(
        editing ? t('users.updated', { name: fields.displayName }) : t('users.created', { name: username }),
      );
      onClose();
    } catch (err) {
      showError(err, { form });
    }
  };

  return (
    <Modal
      open={!!target}
      title={editing ? t('users.editTitle', { name: editing.username }) : t('users.createTitle')}
      okText={editing ? t('common.save') : t('common.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending || update.isPending}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit}>
        {!editing && (
          <Form.Item
            name="username"
            label={t('users.username')}
            extra={t('users.usernameHelp')}
            rules={[
              { required: true, message: t('validation.required') },
              { pattern: USERNAME, message: t('users.usernameInvalid') },
            ]}
          >
            <Input className="steady-mono" autoComplete="off" placeholder="zhang.san" />
          </Form.Item>
        )}
        <Form.Item
          name="displayName"
          label={t('users.displayName')}
          rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 128 }]}
        >
          <Input maxLength={128} />
        </Form.Item>
        <Form.Item
          name="email"
          label={t('users.email')}
          rules={[{ type: 'email', message: t('validation.email') }, { max: 254 }]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="role"
          label={t('users.role')}
          extra={t('users.roleHelp')}
          rules={[{ required: true }]}
        >
          <Select options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
        </Form.Item>
        <Form.Item name="locale" label={t('users.locale')} rules={[{ required: true }]}>
          <Select options={LOCALES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))} />
        </Form.Item>
        {!editing && (
          <Form.Item
            name="password"
            label={t('users.initialPassword')}
            rules={[
              { required: true, message: t('validation.required') },
              { min: PASSWORD_MIN, message: t('validation.passwordMin', { min: PASSWORD_MIN }) },
              { max: 256 },
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
