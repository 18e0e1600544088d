import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Form, Input, List, Select, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShowError } from '../../app/errors';
import { PageHeader } from '../../components/PageHeader';
import { type ContactInput, useAddContact, useMyNotify, useRemoveContact, useSaveMyRules } from './api';
import { fromRows, type RuleRow, RuleRows, toRows } from './RuleRows';

const CONTACT_KINDS = ['email', 'phone', 'dingtalk', 'wecom', 'feishu', 'slack'] as const;

/** My contact methods and my rules: which channel per severity, and after how many minutes. */
export default function MyNotificationsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useMyNotify();
  const add = useAddContact();
  const remove = useRemoveContact();
  const saveRules = useSaveMyRules();
  const showError = useShowError();
  const [form] = Form.useForm<ContactInput>();
  const [rules, setRules] = useState<RuleRow[]>([]);

  useEffect(() => {
    if (me.data) setRules(toRows(me.data.rules));
  }, [me.data]);

  const onAdd = async () => {
    const v = await form.validateFields();
    try {
      await add.mutateAsync(v);
      form.resetFields(['address', 'label']);
    } catch (err) {
      showError(err, { form });
    }
  };
  const onSave = async () => {
    try {
      await saveRules.mutateAsync(fromRows(rules));
      void message.success(t('notify.rulesSaved'));
    } catch (err) {
      showError(err);
    }
  };

  return (
    <>
      <PageHeader title={t('nav.myNotifications')} />
      <Space direction="vertical" size="large" style={{ width: '100%' }}>
        <Card title={t('notify.contacts')}>
          <List
            dataSource={me.data?.contacts ?? []}
            locale={{ emptyText: t('notify.noContacts') }}
            renderItem={(c) => (
              <List.Item
                actions={[
                  <Button
                    key="d"
                    size="small"
                    icon={<DeleteOutlined />}
                    onClick={() => remove.mutateAsync(c.id).catch(showError)}
                    aria-label={t('common.delete')}
                  />,
                ]}
              >
                <Space>
                  <Tag>{t(`notify.contactKinds.${c.kind}`)}</Tag>
                  <Typography.Text className="steady-mono">{c.address}</Typography.Text>
                  {c.label && <Typography.Text type="secondary">{c.label}</Typography.Text>}
                </Space>
              </List.Item>
            )}
          />
          <Form form={form} layout="inline" initialValues={{ kind: 'email' }} style={{ marginTop: 16 }}>
            <Form.Item name="kind">
              <Select
                style={{ width: 140 }}
                options={CONTACT_KINDS.map((k) => ({ value: k, label: t(`notify.contactKinds.${k}`) }))}
              />
            </Form.Item>
            <Form.Item name="address" rules={[{ required: true, message: t('validation.required') }]}>
              <Input placeholder={t('notify.address')} style={{ width: 260 }} />
            </Form.Item>
            <Form.Item name="label">
              <Input placeholder={t('notify.label')} style={{ width: 160 }} />
            </Form.Item>
            <Button icon={<PlusOutlined />} onClick={onAdd} loading={add.isPending}>
              {t('notify.addContact')}
            </Button>
          </Form>
        </Card>
        <Card
          title={t('notify.myRules')}
          extra={
            <Button type="primary" onClick={onSave} loading={saveRules.isPending}>
              {t('common.save')}
            </Button>
          }
        >
          {me.data?.rulesFromTeam && (
            <Alert type="info" showIcon message={t('notify.rulesFromTeam')} style={{ marginBottom: 16 }} />
          )}
          <Typography.Paragraph type="secondary">{t('notify.rulesHint')}</Typography.Paragraph>
          <RuleRows rows={rules} onChange={setRules} />
        </Card>
      </Space>
    </>
  );
}
