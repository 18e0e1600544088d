import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { AutoComplete, Button, Flex, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLabelNames, useLabelValues } from './api';
import { q } from './keyMetrics';

export const OPS = ['=', '!=', '=~', '!~'] as const;
export interface LabelFilter {
  /** Stable React key while rows are added and removed. */
  id: number;
  name: string;
  op: (typeof OPS)[number];
  value: string;
}
export interface Selection {
  metric: string;
  filters: LabelFilter[];
}

/** `metric{a="x", b=~"y.*"}` from the builder's choices; filters without a name are left out. */
export function toSelector(s: Selection, skip?: number): string {
  const parts = s.filters
    .filter((f, i) => i !== skip && f.name !== '')
    .map((f) => `${f.name}${f.op}${q(f.value)}`);
  if (!s.metric) return parts.length ? `{${parts.join(', ')}}` : '';
  return parts.length ? `${s.metric}{${parts.join(', ')}}` : s.metric;
}

let nextId = 1;

/** Metric and label pickers whose options come from the store, narrowed by what is already chosen. */
export function QueryBuilder({ value, onChange }: { value: Selection; onChange(s: Selection): void }) {
  const { t } = useTranslation();
  const metrics = useLabelValues('__name__');
  const names = useLabelNames(value.metric || undefined);
  const set = (i: number, patch: Partial<LabelFilter>) =>
    onChange({ ...value, filters: value.filters.map((f, j) => (j === i ? { ...f, ...patch } : f)) });

  return (
    <Flex gap={8} wrap align="center">
      <Select
        data-testid="metric-select"
        showSearch
        allowClear
        style={{ width: 300 }}
        placeholder={t('signals.explorer.pickMetric')}
        loading={metrics.isPending}
        value={value.metric || undefined}
        options={(metrics.data ?? []).map((m) => ({ value: m, label: m }))}
        onChange={(m) => onChange({ metric: m ?? '', filters: [] })}
        notFoundContent={t('signals.noData')}
        className="steady-mono"
      />
      {value.filters.map((f, i) => (
        <Flex key={f.id} gap={4} align="center" className="steady-label-filter">
          <Select
            showSearch
            style={{ width: 140 }}
            placeholder={t('signals.explorer.label')}
            value={f.name || undefined}
            options={(names.data ?? []).filter((n) => n !== '__name__').map((n) => ({ value: n, label: n }))}
            onChange={(n) => set(i, { name: n, value: '' })}
          />
          <Select
            style={{ width: 64 }}
            value={f.op}
            options={OPS.map((o) => ({ value: o, label: o }))}
            onChange={(op) => set(i, { op })}
          />
          <LabelValueInput
            name={f.name}
            match={toSelector(value, i) || undefined}
            value={f.value}
            onChange={(v) => set(i, { value: v })}
          />
          <Button
            size="small"
            type="text"
            icon={<DeleteOutlined />}
            aria-label={t('common.remove')}
            onClick={() => onChange({ ...value, filters: value.filters.filter((_, j) => j !== i) })}
          />
        </Flex>
      ))}
      <Button
        icon={<PlusOutlined />}
        disabled={!value.metric}
        onClick={() =>
          onChange({ ...value, filters: [...value.filters, { id: nextId++, name: '', op: '=', value: '' }] })
        }
      >
        {t('signals.explorer.addFilter')}
      </Button>
    </Flex>
  );
}

function LabelValueInput({
  name,
  match,
  value,
  onChange,
}: {
  name: string;
  match?: string;
  value: string;
  onChange(v: string): void;
}) {
  const { t } = useTranslation();
  const values = useLabelValues(name, match, name !== '');
  return (
    <AutoComplete
      style={{ width: 180 }}
      placeholder={t('signals.explorer.value')}
      value={value}
      options={(values.data ?? []).map((v) => ({ value: v }))}
      filterOption={(input, option) =>
        String(option?.value ?? '')
          .toLowerCase()
          .includes(input.toLowerCase())
      }
      onChange={onChange}
    />
  );
}
