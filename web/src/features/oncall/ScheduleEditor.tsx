import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, InputNumber, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useShowError } from '../../app/errors';
import { useUsers } from '../users/api';
import { type Schedule, type ScheduleInput, useSaveSchedule } from './api';

const ZONES = [
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Europe/Berlin',
  'Europe/London',
  'America/New_York',
  'UTC',
];

/** Schedule editor: time zone and layers (rotation, hand-off, start date, participants in order). */
export function ScheduleEditor({ schedule, onClose }: { schedule: Schedule | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<ScheduleInput>();
  const save = useSaveSchedule();
  const users = useUsers();
  const showError = useShowError();
  const submit = async () => {
    try {
      const values = await form.validateFields();
      await save.mutateAsync({ id: schedule?.id, input: values });
      onClose();
    } catch (err) {
      if (err && typeof err === 'object' && 'errorFields' in err) return;
      showError(err, { form });
    }
  };
  const today = new Date().toISOString().slice(0, 10);
  return (
    <Modal
      open
      width={760}
      title={schedule ? schedule.name : t('oncall.newSchedule')}
      onCancel={onClose}
      onOk={submit}
      confirmLoading={save.isPending}
      okText={t('common.save')}
    >
      <Form
        form={form}
        layout="vertical"
        data-testid="schedule-form"
        initialValues={
          schedule ?? {
            timeZone: 'Asia/Shanghai',
            layers: [
              {
                name: 'Primary',
                rotation: 'weekly',
                handoffTime: '09:00',
                startDate: today,
                participants: [],
              },
            ],
          }
        }
      >
        <Form.Item
          name="name"
          label={t('oncall.fields.name')}
          rules={[{ required: true, message: t('validation.required') }]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="timeZone" label={t('oncall.fields.timeZone')}>
          <Select showSearch options={ZONES.map((z) => ({ value: z, label: z }))} />
        </Form.Item>
        <Form.List name="layers">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field) => (
                <Card
                  key={field.key}
                  size="small"
                  style={{ marginBottom: 8 }}
                  extra={<MinusCircleOutlined onClick={() => remove(field.name)} />}
                  title={t('oncall.layer', { n: field.name + 1 })}
                >
                  <div style={{ display: 'grid', gridTemplateColumns: 'repeat(4, 1fr)', gap: 8 }}>
                    <Form.Item
                      name={[field.name, 'name']}
                      label={t('oncall.fields.name')}
                      rules={[{ required: true }]}
                    >
                      <Input />
                    </Form.Item>
                    <Form.Item name={[field.name, 'rotation']} label={t('oncall.fields.rotation')}>
                      <Select
                        options={(['daily', 'weekly', 'custom'] as const).map((r) => ({
                          value: r,
                          label: t(`oncall.rotation.${r}`),
                        }))}
                      />
                    </Form.Item>
                    <Form.Item name={[field.name, 'handoffTime']} label={t('oncall.fields.handoff')}>
                      <Input placeholder="09:00" />
                    </Form.Item>
                    <Form.Item name={[field.name, 'startDate']} label={t('oncall.fields.startDate')}>
                      <Input placeholder="2026-01-05" />
                    </Form.Item>
                    <Form.Item name={[field.name, 'shiftHours']} label={t('oncall.fields.shiftHours')}>
                      <InputNumber min={1} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'handoffWeekday']} label={t('oncall.fields.weekday')}>
                      <InputNumber min={1} max={7} />
                    </Form.Item>
                  </div>
                  <Form.Item name={[field.name, 'participants']} label={t('oncall.fields.participants')}>
                    <Select
                      mode="multiple"
                      options={(users.data ?? []).map((u) => ({ value: u.id, label: u.displayName }))}
                    />
                  </Form.Item>
                </Card>
              ))}
              <Button
                icon={<PlusOutlined />}
                onClick={() =>
                  add({
                    name: `Layer ${fields.length + 1}`,
                    rotation: 'weekly',
                    handoffTime: '09:00',
                    startDate: today,
                    participants: [],
                  })
                }
              >
                {t('oncall.addLayer')}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
