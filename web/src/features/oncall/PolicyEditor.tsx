import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, InputNumber, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useShowError } from '../../app/errors';
import { useTeams } from '../teams/api';
import { useUsers } from '../users/api';
import { type EscalationPolicy, type PolicyInput, useSavePolicy, useSchedules } from './api';

/** Targets are picked from one list as "type:id" and stored as { type, id }. */
const encode = (p: EscalationPolicy | null) =>
  p && { ...p, steps: p.steps.map((s) => ({ ...s, targets: s.targets.map((x) => `${x.type}:${x.id}`) })) };

export function PolicyEditor({ policy, onClose }: { policy: EscalationPolicy | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const save = useSavePolicy();
  const users = useUsers();
  const teams = useTeams();
  const schedules = useSchedules();
  const showError = useShowError();
  const options = [
    {
      label: t('oncall.targets.schedule'),
      options: (schedules.data ?? []).map((s) => ({ value: `schedule:${s.id}`, label: s.name })),
    },
    {
      label: t('oncall.targets.user'),
      options: (users.data ?? []).map((u) => ({ value: `user:${u.id}`, label: u.displayName })),
    },
    {
      label: t('oncall.targets.team'),
      options: (teams.data ?? []).map((x) => ({ value: `team:${x.id}`, label: x.name })),
    },
  ];
  const submit = async () => {
    try {
      const values = await form.validateFields();
      const input: PolicyInput = {
        ...values,
        steps: (values.steps ?? []).map((s: { targets: string[]; waitMinutes: number }) => ({
          waitMinutes: s.waitMinutes,
          targets: (s.targets ?? []).map((x) => {
            const [type, id] = x.split(':');
            return { type: type as 'user', id: id as string };
          }),
        })),
      };
      await save.mutateAsync({ id: policy?.id, input });
      onClose();
    } catch (err) {
      if (err && typeof err === 'object' && 'errorFields' in err) return;
      showError(err, { form });
    }
  };
  return (
    <Modal
      open
      width={720}
      title={policy ? policy.name : t('oncall.newPolicy')}
      onCancel={onClose}
      onOk={submit}
      confirmLoading={save.isPending}
      okText={t('common.save')}
    >
      <Form
        form={form}
        layout="vertical"
        data-testid="policy-form"
        initialValues={encode(policy) ?? { repeat: 0, steps: [{ targets: [], waitMinutes: 5 }] }}
      >
        <Form.Item
          name="name"
          label={t('oncall.fields.name')}
          rules={[{ required: true, message: t('validation.required') }]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="repeat" label={t('oncall.fields.repeat')}>
          <InputNumber min={0} max={9} />
        </Form.Item>
        <Form.List name="steps">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field) => (
                <Card
                  key={field.key}
                  size="small"
                  style={{ marginBottom: 8 }}
                  title={t('oncall.step', { n: field.name + 1 })}
                  extra={<MinusCircleOutlined onClick={() => remove(field.name)} />}
                >
                  <Form.Item name={[field.name, 'targets']} label={t('oncall.fields.targets')}>
                    <Select mode="multiple" options={options} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'waitMinutes']} label={t('oncall.fields.wait')}>
                    <InputNumber min={0} max={1440} />
                  </Form.Item>
                </Card>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ targets: [], waitMinutes: 10 })}>
                {t('oncall.addStep')}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
