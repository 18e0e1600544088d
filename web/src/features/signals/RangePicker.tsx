import { Button, Flex, Input, Popover, Segmented, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatAbsolute } from '../../components/format';
import { RANGE_PRESETS, type RangePreset, resolveRange, type TimeRange } from './range';

// <input type="datetime-local"> speaks local wall time without a zone: "2025-06-01T14:03".
const toLocalInput = (ms: number): string => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};
const fromLocalInput = (s: string): number => new Date(s).getTime();

/** Presets (15m … 7d) or a custom from–to; a zoomed chart shows up here as a custom range. */
export function RangePicker({ value, onChange }: { value: TimeRange; onChange(r: TimeRange): void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const current = resolveRange(value);
  const [from, setFrom] = useState(toLocalInput(current.from));
  const [to, setTo] = useState(toLocalInput(current.to));
  const valid = from !== '' && to !== '' && fromLocalInput(from) < fromLocalInput(to);

  return (
    <Flex gap={8} align="center" wrap>
      <Segmented<string>
        data-testid="range-presets"
        value={'preset' in value ? value.preset : 'custom'}
        options={[
          ...RANGE_PRESETS.map((p) => ({ value: p, label: t(`signals.range.${p}`) })),
          { value: 'custom', label: t('signals.range.custom') },
        ]}
        onChange={(v) => {
          if (v === 'custom') {
            setFrom(toLocalInput(current.from));
            setTo(toLocalInput(current.to));
            setOpen(true);
          } else onChange({ preset: v as RangePreset });
        }}
      />
      <Popover
        open={open}
        onOpenChange={setOpen}
        trigger="click"
        content={
          <Space direction="vertical">
            <Typography.Text type="secondary">{t('signals.range.from')}</Typography.Text>
            <Input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
            <Typography.Text type="secondary">{t('signals.range.to')}</Typography.Text>
            <Input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
            <Button
              type="primary"
              block
              disabled={!valid}
              onClick={() => {
                onChange({ from: fromLocalInput(from), to: fromLocalInput(to) });
                setOpen(false);
              }}
            >
              {t('signals.range.apply')}
            </Button>
          </Space>
        }
      >
        {'from' in value ? (
          <Typography.Text className="steady-mono" style={{ fontSize: 12, cursor: 'pointer' }}>
            {formatAbsolute(value.from)} → {formatAbsolute(value.to)}
          </Typography.Text>
        ) : (
          <span />
        )}
      </Popover>
    </Flex>
  );
}
