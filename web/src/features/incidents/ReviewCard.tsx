import { Button, Card, Checkbox, DatePicker, Form, Input, Select, Space, Table, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShowError } from '../../app/errors';
import { useUsers } from '../users/api';
import { type Review, type ReviewInput, useIncidentAction, useReview } from './api';

const FIELDS = [
  'summary',
  'customerImpact',
  'timeline',
  'rootCause',
  'contributingFactors',
  'wentWell',
  'wentBadly',
] as const;
type ActionItem = Review['actionItems'][number];

/** The post-incident review template and its action items (owner, due date, state to done). */
export function ReviewCard({ id, editable }: { id: string; editable: boolean }) {
  const { t } = useTranslation();
  const review = useReview(id);
  const users = useUsers();
  const action = useIncidentAction();
  const showError = useShowError();
  const [form] = Form.useForm<ReviewInput>();
  const [item, setItem] = useState<{ title: string; ownerId?: string; dueAt?: number }>({ title: '' });
  useEffect(() => {
    if (review.data) form.setFieldsValue({ ...review.data, completed: !!review.data.completedAt });
  }, [review.data, form]);
  const save = async (body: unknown, path = '/review', method: 'put' | 'post' | 'patch' = 'put') => {
    try {
      await action.mutateAsync({ method, path: `/incidents/${id}${path}`, body });
      await review.refetch();
      return true;
    } catch (err) {
      showError(err, { form });
      return false;
    }
  };
  const r = review.data;
  return (
    <Card
      size="small"
      title={t('incidents.review.title')}
      data-testid="incident-review"
      extra={
        r &&
        (r.completedAt ? (
          <Tag color="green">{t('incidents.review.complete')}</Tag>
        ) : r.required ? (
          <Tag color="orange">{t('incidents.review.required')}</Tag>
        ) : null)
      }
    >
      <Form form={form} layout="vertical" disabled={!editable} onFinish={(v) => save(v)}>
        {FIELDS.map((f) => (
          <Form.Item key={f} name={f} label={t(`incidents.review.fields.${f}`)}>
            <Input.TextArea autoSize={{ minRows: 1, maxRows: 6 }} />
          </Form.Item>
        ))}
        <Form.Item name="completed" valuePropName="checked">
          <Checkbox>{t('incidents.review.markComplete')}</Checkbox>
        </Form.Item>
        <Button htmlType="submit" type="primary" data-testid="review-save">
          {t('common.save')}
        </Button>
      </Form>
      <Table<ActionItem>
        style={{ marginTop: 16 }}
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={r?.actionItems ?? []}
        columns={[
          { title: t('incidents.review.item'), dataIndex: 'title' },
          { title: t('incidents.review.owner'), dataIndex: 'ownerName', render: (v) => v ?? '—' },
          {
            title: t('incidents.review.due'),
            dataIndex: 'dueAt',
            render: (v: number | null) => (v ? new Date(v).toLocaleDateString() : '—'),
          },
          {
            title: t('incidents.review.state'),
            dataIndex: 'state',
            render: (v: string, row) => (
              <Select
                size="small"
                disabled={!editable}
                value={v}
                style={{ width: 130 }}
                onChange={(state) => save({ state }, `/review/action-items/${row.id}`, 'patch')}
                options={(['open', 'in_progress', 'done'] as const).map((s) => ({
                  value: s,
                  label: t(`incidents.review.states.${s}`),
                }))}
              />
            ),
          },
        ]}
      />
      {editable && (
        <Space.Compact style={{ width: '100%', marginTop: 8 }}>
          <Input
            placeholder={t('incidents.review.item')}
            value={item.title}
            onChange={(e) => setItem({ ...item, title: e.target.value })}
          />
          <Select
            allowClear
            placeholder={t('incidents.review.owner')}
            style={{ width: 180 }}
            value={item.ownerId}
            onChange={(ownerId) => setItem({ ...item, ownerId })}
            options={(users.data ?? []).map((u) => ({ value: u.id, label: u.displayName }))}
          />
          <DatePicker onChange={(d) => setItem({ ...item, dueAt: d ? d.valueOf() : undefined })} />
          <Button
            disabled={!item.title.trim()}
            onClick={async () => {
              if (
                await save(
                  { title: item.title, ownerId: item.ownerId ?? null, dueAt: item.dueAt ?? null },
                  '/review/action-items',
                  'post',
                )
              )
                setItem({ title: '' });
            }}
          >
            {t('incidents.review.addItem')}
          </Button>
        </Space.Compact>
      )}
    </Card>
  );
}
