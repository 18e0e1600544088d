import { InputNumber, Select, Space } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

const UNITS = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
] as const;
type Unit = (typeof UNITS)[number][0];

const unitSeconds = (u: Unit) => UNITS.find(([k]) => k === u)?.[1] ?? 1;
/** The largest unit the value is a whole number of (300 → 5 min), so stored seconds read naturally. */
const pickUnit = (seconds: number | null | undefined): Unit =>
  !seconds ? 'm' : (UNITS.find(([, s]) => seconds % s === 0)?.[0] ?? 's');

interface Props {
  id?: string;
  value?: number | null;
  onChange?: (seconds: number | null) => void;
  disabled?: boolean;
  /** Smallest unit offered (e.g. minutes where seconds make no sense). */
  minUnit?: Unit;
}

/** A duration edited as number + unit; the form value stays in whole seconds, as the API wants it. */
export function DurationInput({ id, value, onChange, disabled, minUnit = 's' }: Props) {
  const { t } = useTranslation();
  const [unit, setUnit] = useState<Unit>(() => pickUnit(value));
  const size = unitSeconds(unit);
  useEffect(() => {
    if (value != null && value % size !== 0) setUnit(pickUnit(value));
  }, [value, size]);
  const cut = UNITS.findIndex(([k]) => k === minUnit);
  return (
    <Space.Compact>
      <InputNumber
        id={id}
        min={0}
        disabled={disabled}
        style={{ width: 110 }}
        value={value == null ? null : value / size}
        onChange={(n) => onChange?.(n == null ? null : Math.round(Number(n) * size))}
      />
      <Select<Unit>
        value={unit}
        disabled={disabled}
        style={{ width: 90 }}
        aria-label={t('rules.form.unit')}
        onChange={(u) => {
          setUnit(u);
          if (value != null) onChange?.(Math.round((value / size) * unitSeconds(u)));
        }}
        options={UNITS.slice(0, cut + 1).map(([k]) => ({ value: k, label: t(`rules.form.units.${k}`) }))}
      />
    </Space.Compact>
  );
}
