import { Form, Input, Modal, Select } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useShowError } from '../../app/errors';
import { type Silence, useSaveSilence } from './api';
import { formatMatchers, parseMatchers } from './matchers';

const HOURS = [1, 2, 4, 8, 24, 72, 168];

/** Create or edit a silence; `initial` may come from "silence like this alert". */
export function SilenceForm({
  open,
  initial,
  onClose,
}: {
  open: boolean;
  initial: { id?: string; matchers: Silence['matchers']; comment: string } | null;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ matchers: string; hours: number; comment: string }>();
  const save = useSaveSilence();
  const showError = useShowError();
  useEffect(() => {
    if (open)
      form.setFieldsValue({
        matchers: formatMatchers(initial?.matchers ?? []),
        hours: 2,
        comment: initial?.comment ?? '',
      });
  }, [open, initial, form]);

  const submit = async () => {
    const v = await form.validateFields();
    const matchers = parseMatchers(v.matchers) ?? [];
    try {
      await save.mutateAsync({
        ...(initial?.id ? { id: initial.id } : {}),
        input: { matchers, endsAt: Date.now() + v.hours * 3_600_000, comment: v.comment },
      });
      onClose();
    } catch (err) {
      showError(err, { form });
    }
  };
  return (
    <Modal
      open={open}
      title={initial?.id ? t('alerts.silences.edit') : t('alerts.silences.create')}
      onOk={submit}
      onCancel={onClose}
      confirmLoading={save.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical">
        <Form.Item
          name="matchers"
          label={t('alerts.silences.matchers')}
          extra={t('alerts.silences.matchersHelp')}
          rules={[
            {
              validator: async (_, v: string) => {
                if (!parseMatchers(v ?? '')?.length) throw new Error(t('alerts.silences.matchersInvalid'));
              },
            },
          ]}
        >
          <Input placeholder='service="checkout", instance=~"web-.*"' />
        </Form.Item>
        <Form.Item name="hours" label={t('alerts.silences.duration')}>
          <Select
            options={HOURS.map((h) => ({ value: h, label: t('alerts.silences.hours', { count: h }) }))}
          />
        </Form.Item>
        <Form.Item
          name="comment"
          label={t('alerts.silences.comment')}
          rules={[{ required: true, message: t('alerts.silences.commentRequired') }]}
        >
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
