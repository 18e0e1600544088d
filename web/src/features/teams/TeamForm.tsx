import { App, Form, Input, Modal } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { useShowError } from '../../app/errors';
import type { Team } from '../../app/types';
import { useSaveTeam } from './api';

interface Values {
  name: string;
  description: string;
}

/** Create (target 'new') or edit a team's name and description. */
export function TeamForm({ target, onClose }: { target: Team | 'new' | null; onClose(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveTeam();
  const showError = useShowError();
  const navigate = useNavigate();
  const editing = target && target !== 'new' ? target : null;

  useEffect(() => {
    if (!target) return;
    form.resetFields();
    form.setFieldsValue(
      editing ? { name: editing.name, description: editing.description } : { name: '', description: '' },
    );
  }, [target, editing, form]);

  const submit = async (values: Values) => {
    try {
      const team = await save.mutateAsync({
        id: editing?.id,
        input: { ...values, name: values.name.trim() },
      });
      onClose();
      if (editing) void message.success(t('teams.updated', { name: team?.name }));
      else if (team) {
        void message.success(t('teams.created', { name: team.name }));
        navigate(`/teams/${team.id}`);
      }
    } catch (err) {
      showError(err, { form, conflictField: 'name' });
    }
  };

  return (
    <Modal
      open={!!target}
      title={editing ? t('teams.editTitle', { name: editing.name }) : t('teams.createTitle')}
      okText={editing ? t('common.save') : t('common.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={save.isPending}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'team-save' }}
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} data-testid="team-form">
        <Form.Item
          name="name"
          label={t('teams.name')}
          rules={[
            { required: true, whitespace: true, message: t('validation.required') },
            { max: 100, message: t('validation.maxLength', { max: 100 }) },
          ]}
        >
          <Input autoFocus maxLength={100} placeholder={t('teams.namePlaceholder')} />
        </Form.Item>
        <Form.Item name="description" label={t('teams.description')} rules={[{ max: 2000 }]}>
          <Input.TextArea rows={3} maxLength={2000} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}
