import { Card, Empty, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatAbsolute } from '../../components/format';
import { type Schedule, useShifts } from './api';

const DAY = 86_400_000;
const PALETTE = ['#1677ff', '#13a8a8', '#722ed1', '#fa8c16', '#52c41a', '#eb2f96', '#2f54eb', '#a0d911'];

/** A week of final shifts for one schedule: one row per day, bars per person, gaps in red. */
export function WeekCalendar({ schedule, weekStart }: { schedule: Schedule; weekStart: number }) {
  const { t } = useTranslation();
  const shifts = useShifts(schedule.id, weekStart, weekStart + 7 * DAY);
  const people = [...new Set((shifts.data?.shifts ?? []).flatMap((s) => (s.userId ? [s.userId] : [])))];
  const colour = (id: string | null) => (id ? PALETTE[people.indexOf(id) % PALETTE.length] : '#ff4d4f');
  const days = Array.from({ length: 7 }, (_, i) => weekStart + i * DAY);
  return (
    <Card
      size="small"
      title={schedule.name}
      data-testid={`calendar-${schedule.name}`}
      extra={
        <Typography.Text type="secondary">
          {schedule.timeZone}
          {shifts.data && shifts.data.gaps.length > 0 && (
            <Tag color="red" style={{ marginLeft: 8 }} data-testid="coverage-gap">
              {t('oncall.gaps', { count: shifts.data.gaps.length })}
            </Tag>
          )}
        </Typography.Text>
      }
    >
      {!shifts.data?.shifts.length ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <div className="steady-oncall-week">
          {days.map((day) => (
            <div key={day} style={{ display: 'flex', alignItems: 'center', marginBottom: 4 }}>
              <div style={{ width: 110, flex: 'none' }} className="steady-mono">
                {new Date(day).toLocaleDateString(undefined, {
                  weekday: 'short',
                  month: '2-digit',
                  day: '2-digit',
                })}
              </div>
              <div
                style={{ position: 'relative', flex: 1, height: 22, background: '#f5f5f5', borderRadius: 4 }}
              >
                {(shifts.data?.shifts ?? [])
                  .filter((s) => s.end > day && s.start < day + DAY)
                  .map((s) => {
                    const left = ((Math.max(s.start, day) - day) / DAY) * 100;
                    const width = ((Math.min(s.end, day + DAY) - Math.max(s.start, day)) / DAY) * 100;
                    return (
                      <Tooltip
                        key={`${s.start}-${day}`}
                        title={`${s.userName ?? t('oncall.nobody')} · ${formatAbsolute(s.start)} – ${formatAbsolute(s.end)}${s.source?.kind && s.source.kind !== 'layer' ? ` (${t(`oncall.source.${s.source.kind as 'override'}`)})` : ''}`}
                      >
                        <div
                          style={{
                            position: 'absolute',
                            left: `${left}%`,
                            width: `${width}%`,
                            top: 0,
                            bottom: 0,
                            background: colour(s.userId),
                            opacity: s.userId ? 0.85 : 0.35,
                            borderRadius: 3,
                            color: '#fff',
                            fontSize: 12,
                            overflow: 'hidden',
                            whiteSpace: 'nowrap',
                            padding: '2px 4px',
                          }}
                        >
                          {s.userName ?? t('oncall.gap')}
                        </div>
                      </Tooltip>
                    );
                  })}
              </div>
            </div>
          ))}
        </div>
      )}
    </Card>
  );
}
