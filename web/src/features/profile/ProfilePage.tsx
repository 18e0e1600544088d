import { useMutation } from '@tanstack/react-query';
import { App, Button, Card, Col, Descriptions, Form, Input, Row, Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api } from '../../app/api';
import { useAuth, useUser } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { applyLocale } from '../../app/i18n';
import { LANGUAGE_NAMES } from '../../app/layout/LanguageSwitch';
import { LOCALES, type Locale, type UpdateMeInput, type User } from '../../app/types';
import { PageHeader } from '../../components/PageHeader';
import { Time } from '../../components/Time';
import { RoleTag } from '../users/RoleTag';
import { ChangePasswordModal } from './ChangePasswordModal';

interface Values {
  displayName: string;
  email: string;
  locale: Locale;
}

/** The caller's own account: name, e-mail, language (also the header switch) and password. */
export default function ProfilePage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const user = useUser();
  const { setUser } = useAuth();
  const [form] = Form.useForm<Values>();
  const showError = useShowError();
  const [changing, setChanging] = useState(false);
  const save = useMutation({ mutationFn: (input: UpdateMeInput) => api.patch<User>('/me', input) });

  useEffect(() => {
    form.setFieldsValue({ displayName: user.displayName, email: user.email ?? '', locale: user.locale });
  }, [user, form]);

  const submit = async (values: Values) => {
    try {
      const next = await save.mutateAsync({
        displayName: values.displayName.trim(),
        email: values.email?.trim() ? values.email.trim() : null,
        locale: values.locale,
      });
      await applyLocale(next.locale);
      setUser(next);
      void message.success(t('profile.saved'));
    } catch (err) {
      showError(err, { form });
    }
  };

  return (
    <>
      <PageHeader title={t('nav.profile')} subtitle={t('profile.subtitle')} />
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('profile.account')}>
            <Form<Values> form={form} layout="vertical" onFinish={submit} style={{ maxWidth: 420 }}>
              <Form.Item
                name="displayName"
                label={t('users.displayName')}
                rules={[
                  { required: true, whitespace: true, message: t('validation.required') },
                  { max: 128 },
                ]}
              >
                <Input maxLength={128} />
              </Form.Item>
              <Form.Item
                name="email"
                label={t('users.email')}
                rules={[{ type: 'email', message: t('validation.email') }]}
              >
                <Input autoComplete="email" />
              </Form.Item>
              <Form.Item name="locale" label={t('users.locale')} extra={t('profile.localeHelp')}>
                <Select options={LOCALES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={save.isPending}>
                {t('common.save')}
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('profile.details')}>
            <Descriptions
              size="small"
              column={1}
              items={[
                {
                  key: 'username',
                  label: t('users.username'),
                  children: <span className="steady-mono">{user.username}</span>,
                },
                { key: 'role', label: t('users.role'), children: <RoleTag role={user.role} /> },
                {
                  key: 'created',
                  label: t('common.created'),
                  children: <Time value={user.createdAt} mode="both" />,
                },
              ]}
            />
          </Card>
          <Card size="small" title={t('profile.password')} style={{ marginTop: 12 }}>
            <Button onClick={() => setChanging(true)}>{t('userMenu.changePassword')}</Button>
          </Card>
          <Card size="small" title={t('nav.myNotifications')} style={{ marginTop: 12 }}>
            <Link to="/profile/notifications">{t('notify.myNotificationsLink')}</Link>
          </Card>
        </Col>
      </Row>
      <ChangePasswordModal open={changing} onClose={() => setChanging(false)} />
    </>
  );
}
