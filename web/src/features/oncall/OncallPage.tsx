import { LeftOutlined, PlusOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Card, List, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../app/auth';
import { PageHeader } from '../../components/PageHeader';
import { type EscalationPolicy, type Schedule, useOnCallNow, usePolicies, useSchedules } from './api';
import { PolicyEditor } from './PolicyEditor';
import { ScheduleEditor } from './ScheduleEditor';
import { WeekCalendar } from './WeekCalendar';

const DAY = 86_400_000;
const startOfWeek = (ms: number) => {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return d.getTime();
};

/** Who is on call now, a week of shifts per schedule, and the escalation policies that use them. */
export default function OncallPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const editable = can('editCatalog');
  const now = useOnCallNow();
  const schedules = useSchedules();
  const policies = usePolicies();
  const [weekStart, setWeekStart] = useState(() => startOfWeek(Date.now()));
  const [schedule, setSchedule] = useState<Schedule | 'new' | null>(null);
  const [policy, setPolicy] = useState<EscalationPolicy | 'new' | null>(null);

  return (
    <>
      <PageHeader
        title={t('nav.oncall')}
        subtitle={t('oncall.subtitle')}
        extra={
          editable && (
            <>
              <Button icon={<PlusOutlined />} onClick={() => setSchedule('new')} data-testid="schedule-new">
                {t('oncall.newSchedule')}
              </Button>
              <Button icon={<PlusOutlined />} onClick={() => setPolicy('new')} data-testid="policy-new">
                {t('oncall.newPolicy')}
              </Button>
            </>
          )
        }
      />
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Card size="small" title={t('oncall.now')} data-testid="oncall-now">
          <List
            dataSource={now.data ?? []}
            renderItem={(item) => (
              <List.Item>
                <Typography.Text strong>{item.scheduleName}</Typography.Text>
                {item.shift ? (
                  <Tag color="blue">{item.shift.userName}</Tag>
                ) : (
                  <Tag color="red">{t('oncall.nobody')}</Tag>
                )}
              </List.Item>
            )}
          />
        </Card>
        <Space>
          <Button icon={<LeftOutlined />} onClick={() => setWeekStart(weekStart - 7 * DAY)} />
          <Typography.Text className="steady-mono">
            {new Date(weekStart).toLocaleDateString()} – {new Date(weekStart + 6 * DAY).toLocaleDateString()}
          </Typography.Text>
          <Button icon={<RightOutlined />} onClick={() => setWeekStart(weekStart + 7 * DAY)} />
          <Button onClick={() => setWeekStart(startOfWeek(Date.now()))}>{t('oncall.thisWeek')}</Button>
        </Space>
        {(schedules.data ?? []).map((s) => (
          <div key={s.id}>
            <WeekCalendar schedule={s} weekStart={weekStart} />
            <Space style={{ marginTop: 4 }}>
              {editable && (
                <Button size="small" onClick={() => setSchedule(s)}>
                  {t('common.edit')}
                </Button>
              )}
              <Typography.Link href={`/api/v1/schedules/${s.id}/calendar.ics`}>
                {t('oncall.ical')}
              </Typography.Link>
            </Space>
          </div>
        ))}
        <Card size="small" title={t('oncall.policies')}>
          <Table<EscalationPolicy>
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={policies.data ?? []}
            columns={[
              { title: t('oncall.fields.name'), dataIndex: 'name' },
              {
                title: t('oncall.fields.steps'),
                render: (_, p) =>
                  p.steps
                    .map((s, i) =>
                      t('oncall.stepSummary', { n: i + 1, targets: s.targets.length, wait: s.waitMinutes }),
                    )
                    .join(' → '),
              },
              { title: t('oncall.fields.repeat'), dataIndex: 'repeat' },
              {
                title: '',
                width: 80,
                render: (_, p) =>
                  editable && (
                    <Button size="small" onClick={() => setPolicy(p)}>
                      {t('common.edit')}
                    </Button>
                  ),
              },
            ]}
          />
        </Card>
      </Space>
      {schedule && (
        <ScheduleEditor schedule={schedule === 'new' ? null : schedule} onClose={() => setSchedule(null)} />
      )}
      {policy && <PolicyEditor policy={policy === 'new' ? null : policy} onClose={() => setPolicy(null)} />}
    </>
  );
}
