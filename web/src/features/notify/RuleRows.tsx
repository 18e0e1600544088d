import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, InputNumber, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { type NotifyRule, useChannels } from './api';

const SEVERITIES = ['P1', 'P2', 'P3'] as const;

/** A rule as edited: `k` keeps React's row identity stable while rows are added and removed. */
export type RuleRow = NotifyRule & { k: number };

export const toRows = (rules: readonly NotifyRule[]): RuleRow[] => rules.map((r, k) => ({ ...r, k }));
export const fromRows = (rows: readonly RuleRow[]): NotifyRule[] => rows.map(({ k: _, ...r }) => r);

/** Rows of "severity → channel, after N minutes", shared by personal rules and team defaults. */
export function RuleRows({
  rows,
  onChange,
  disabled,
}: {
  rows: RuleRow[];
  onChange: (rows: RuleRow[]) => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const channels = useChannels();
  const setRule = (i: number, patch: Partial<NotifyRule>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {rows.map((r, i) => (
        <Space key={r.k} wrap data-testid="notify-rule">
          <Select
            value={r.severity}
            disabled={disabled}
            style={{ width: 90 }}
            aria-label={t('rules.severity')}
            onChange={(severity) => setRule(i, { severity })}
            options={SEVERITIES.map((s) => ({ value: s, label: s }))}
          />
          <Select
            value={r.channelId}
            disabled={disabled}
            style={{ width: 240 }}
            aria-label={t('notify.channel')}
            onChange={(channelId) => setRule(i, { channelId })}
            options={(channels.data ?? []).map((c) => ({
              value: c.id,
              label: `${c.name} (${t(`notify.kinds.${c.kind}`)})`,
            }))}
          />
          <InputNumber
            min={0}
            disabled={disabled}
            value={r.delayMinutes}
            aria-label={t('notify.minutesLater')}
            onChange={(v) => setRule(i, { delayMinutes: Number(v ?? 0) })}
            addonAfter={t('notify.minutesLater')}
          />
          {!disabled && (
            <Button
              icon={<DeleteOutlined />}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
              aria-label={t('common.delete')}
            />
          )}
        </Space>
      ))}
      {!disabled && (
        <Button
          icon={<PlusOutlined />}
          disabled={!channels.data?.length}
          onClick={() =>
            onChange([
              ...rows,
              {
                severity: 'P1',
                channelId: channels.data?.[0]?.id ?? '',
                delayMinutes: 0,
                k: Math.max(-1, ...rows.map((x) => x.k)) + 1,
              },
            ])
          }
        >
          {t('notify.addRule')}
        </Button>
      )}
    </Space>
  );
}
