import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, InputNumber, List, Modal, Popconfirm, Select, Table, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { formatAbsolute } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import {
  type MaintenanceWindow,
  previewWindow,
  useDeleteWindow,
  useSaveWindow,
  useWindows,
  type WindowInput,
} from './api';
import { formatMatchers, parseMatchers } from './matchers';

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
const DAYS = [1, 2, 3, 4, 5, 6, 7];

interface Values {
  name: string;
  matchers: string;
  timeZone: string;
  start: string;
  durationMinutes: number;
  recurrence: WindowInput['recurrence'];
  weekdays: number[];
  comment: string;
}

function WindowForm({ target, onClose }: { target: MaintenanceWindow | 'new' | null; onClose(): void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const save = useSaveWindow();
  const showError = useShowError();
  const [preview, setPreview] = useState<{ start: number; end: number }[]>([]);
  const recurrence = Form.useWatch('recurrence', form);
  useEffect(() => {
    if (!target) return;
    const w = target === 'new' ? null : target;
    form.setFieldsValue({
      name: w?.name ?? '',
      matchers: formatMatchers(w?.matchers ?? []),
      timeZone: w?.timeZone ?? 'Asia/Shanghai',
      start: w?.start ?? '',
      durationMinutes: w?.durationMinutes ?? 120,
      recurrence: w?.recurrence ?? 'weekly',
      weekdays: w?.weekdays ?? [2],
      comment: w?.comment ?? '',
    });
    setPreview(w?.nextOccurrences ?? []);
  }, [target, form]);
  const toInput = (v: Values): WindowInput => ({
    ...v,
    matchers: parseMatchers(v.matchers) ?? [],
    weekdays: v.recurrence === 'weekly' ? v.weekdays : [],
  });
  const onPreview = async () => {
    try {
      setPreview((await previewWindow(toInput(await form.validateFields()))).items);
    } catch (err) {
      if (err instanceof Error) showError(err, { form });
    }
  };
  const submit = async () => {
    const v = await form.validateFields();
    try {
      await save.mutateAsync({ ...(target && target !== 'new' ? { id: target.id } : {}), input: toInput(v) });
      onClose();
    } catch (err) {
      showError(err, { form });
    }
  };
  return (
    <Modal
      open={!!target}
      title={t(target === 'new' ? 'alerts.windows.create' : 'alerts.windows.edit')}
      onOk={submit}
      onCancel={onClose}
      confirmLoading={save.isPending}
      width={640}
      destroyOnHidden
    >
      <Form form={form} layout="vertical">
        <Form.Item name="name" label={t('alerts.windows.name')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item
          name="matchers"
          label={t('alerts.silences.matchers')}
          extra={t('alerts.silences.matchersHelp')}
          rules={[
            {
              validator: async (_, v: string) => {
                if (parseMatchers(v ?? '') === null) throw new Error(t('alerts.silences.matchersInvalid'));
              },
            },
          ]}
        >
          <Input placeholder='service="orders-db"' />
        </Form.Item>
        <Form.Item name="timeZone" label={t('alerts.windows.timeZone')}>
          <Select showSearch options={ZONES.map((z) => ({ value: z, label: z }))} />
        </Form.Item>
        <Form.Item
          name="start"
          label={t('alerts.windows.start')}
          extra={t('alerts.windows.startHelp')}
          rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/ }]}
        >
          <Input placeholder="2026-01-06T02:00" />
        </Form.Item>
        <Form.Item name="durationMinutes" label={t('alerts.windows.duration')}>
          <InputNumber min={1} max={44640} addonAfter={t('alerts.windows.minutes')} />
        </Form.Item>
        <Form.Item name="recurrence" label={t('alerts.windows.recurrence')}>
          <Select
            options={(['once', 'daily', 'weekly', 'monthly'] as const).map((r) => ({
              value: r,
              label: t(`alerts.windows.recurrences.${r}`),
            }))}
          />
        </Form.Item>
        {recurrence === 'weekly' && (
          <Form.Item name="weekdays" label={t('alerts.windows.weekdays')}>
            <Select
              mode="multiple"
              options={DAYS.map((d) => ({
                value: d,
                label: t(`alerts.windows.days.${d}` as 'alerts.windows.days.1'),
              }))}
            />
          </Form.Item>
        )}
        <Form.Item name="comment" label={t('alerts.silences.comment')}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
      <Button onClick={onPreview}>{t('alerts.windows.preview')}</Button>
      <List
        size="small"
        header={t('alerts.windows.next')}
        dataSource={preview}
        renderItem={(o) => <List.Item>{`${formatAbsolute(o.start)} → ${formatAbsolute(o.end)}`}</List.Item>}
      />
    </Modal>
  );
}

export default function MaintenancePage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const windows = useWindows();
  const remove = useDeleteWindow();
  const showError = useShowError();
  const [target, setTarget] = useState<MaintenanceWindow | 'new' | null>(null);
  const editable = can('editCatalog');
  return (
    <>
      <PageHeader
        title={t('alerts.nav.maintenance')}
        subtitle={t('alerts.windows.subtitle')}
        extra={
          editable && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setTarget('new')}>
              {t('alerts.windows.create')}
            </Button>
          )
        }
      />
      <Card>
        <Table<MaintenanceWindow>
          rowKey="id"
          loading={windows.isLoading}
          dataSource={windows.data ?? []}
          locale={{ emptyText: <TableEmpty description={t('alerts.windows.empty')} /> }}
          columns={[
            {
              title: t('alerts.windows.name'),
              dataIndex: 'name',
              render: (v: string, w) => (
                <>
                  {v} {w.activeNow && <Tag color="gold">{t('alerts.windows.activeNow')}</Tag>}
                </>
              ),
            },
            {
              title: t('alerts.silences.matchers'),
              render: (_, w) => <code>{`{${formatMatchers(w.matchers)}}`}</code>,
            },
            {
              title: t('alerts.windows.recurrence'),
              render: (_, w) =>
                `${t(`alerts.windows.recurrences.${w.recurrence}`)} ${w.start.slice(11)} (${w.timeZone}), ${w.durationMinutes} ${t('alerts.windows.minutes')}`,
            },
            {
              title: t('alerts.windows.next'),
              render: (_, w) => (w.nextOccurrences[0] ? formatAbsolute(w.nextOccurrences[0].start) : '—'),
            },
            {
              width: 160,
              render: (_, w) =>
                editable && (
                  <>
                    <Button type="link" onClick={() => setTarget(w)}>
                      {t('common.edit')}
                    </Button>
                    <Popconfirm
                      title={t('alerts.windows.deleteConfirm')}
                      onConfirm={() => remove.mutateAsync(w.id).catch(showError)}
                    >
                      <Button type="link" danger>
                        {t('common.delete')}
                      </Button>
                    </Popconfirm>
                  </>
                ),
            },
          ]}
        />
      </Card>
      <WindowForm target={target} onClose={() => setTarget(null)} />
    </>
  );
}
