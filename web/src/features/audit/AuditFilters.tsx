import { AutoComplete, Button, DatePicker, Input, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useUsers } from '../users/api';
import type { AuditFilter } from './api';
import { KNOWN_ENTITY_TYPES } from './entity';

interface AuditFiltersProps {
  filter: AuditFilter;
  onChange(patch: Partial<AuditFilter>): void;
  onClear(): void;
}

export function AuditFilters({ filter, onChange, onClear }: AuditFiltersProps) {
  const { t } = useTranslation();
  const users = useUsers();
  const range: [Dayjs, Dayjs] | null =
    filter.from !== undefined && filter.to !== undefined ? [dayjs(filter.from), dayjs(filter.to)] : null;
  const any = Object.values(filter).some((v) => v !== undefined);

  return (
    <div className="steady-toolbar">
      <Select
        allowClear
        showSearch={{ optionFilterProp: 'label' }}
        placeholder={t('audit.filterActor')}
        value={filter.actorId}
        onChange={(actorId?: string) => onChange({ actorId })}
        options={(users.data ?? []).map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` }))}
        style={{ width: 200 }}
        data-testid="audit-actor"
      />
      <AutoComplete
        allowClear
        placeholder={t('audit.filterEntityType')}
        value={filter.entityType}
        options={KNOWN_ENTITY_TYPES.map((v) => ({ value: v, label: v }))}
        onChange={(v?: string) => onChange({ entityType: v?.trim() || undefined })}
        style={{ width: 140 }}
        data-testid="audit-entity-type"
      />
      <Input
        allowClear
        placeholder={t('audit.filterEntityId')}
        value={filter.entityId ?? ''}
        onChange={(e) => onChange({ entityId: e.target.value.trim() || undefined })}
        style={{ width: 220 }}
        className="steady-mono"
      />
      <Input
        allowClear
        placeholder={t('audit.filterAction')}
        value={filter.action ?? ''}
        onChange={(e) => onChange({ action: e.target.value.trim() || undefined })}
        style={{ width: 160 }}
      />
      <DatePicker.RangePicker
        showTime={{ format: 'HH:mm' }}
        format="YYYY-MM-DD HH:mm"
        value={range}
        onChange={(v) =>
          onChange(
            v?.[0] && v[1]
              ? { from: v[0].valueOf(), to: v[1].valueOf() }
              : { from: undefined, to: undefined },
          )
        }
        presets={[
          { label: t('audit.lastHour'), value: [dayjs().subtract(1, 'hour'), dayjs()] },
          { label: t('audit.last24h'), value: [dayjs().subtract(1, 'day'), dayjs()] },
          { label: t('audit.last7d'), value: [dayjs().subtract(7, 'day'), dayjs()] },
        ]}
      />
      {any && (
        <Button type="link" onClick={onClear}>
          {t('common.clearFilters')}
        </Button>
      )}
    </div>
  );
}
