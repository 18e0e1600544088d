import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Input, Select } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import type { Service } from '../../app/types';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { useTeams } from '../teams/api';
import { type ServiceFilter, useDeleteService, useServices } from './api';
import { ServiceForm } from './ServiceForm';
import { ServicesTable } from './ServicesTable';
import { TIER_KEYS, TIERS } from './TierTag';

/** The service catalog: what runs, who owns it and how critical it is. Filters live in the URL. */
export default function ServicesPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useAuth();
  const editable = can('editCatalog');
  const showError = useShowError();
  const [params, setParams] = useSearchParams();
  const filter: ServiceFilter = {
    q: params.get('q') ?? undefined,
    teamId: params.get('team') ?? undefined,
    tier: params.get('tier') ? Number(params.get('tier')) : undefined,
    tag: params.get('tag') ?? undefined,
  };
  const [search, setSearch] = useState(filter.q ?? '');
  const services = useServices(filter);
  const allServices = useServices();
  const teams = useTeams();
  const remove = useDeleteService();
  const [target, setTarget] = useState<Service | 'new' | null>(null);

  const tagOptions = useMemo(() => {
    const tags = new Set((allServices.data ?? []).flatMap((s) => s.tags));
    return [...tags].sort().map((tag) => ({ value: tag, label: tag }));
  }, [allServices.data]);

  const setParam = (key: string, value: string | number | undefined | null) => {
    const next = new URLSearchParams(params);
    if (value === undefined || value === null || value === '') next.delete(key);
    else next.set(key, String(value));
    setParams(next, { replace: true });
  };
  const filtered = Object.values(filter).some((v) => v !== undefined);

  const onDelete = async (s: Service) => {
    try {
      await remove.mutateAsync(s.id);
      void message.success(t('services.deleted', { name: s.name }));
    } catch (err) {
      showError(err);
    }
  };

  const createButton = editable && (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => setTarget('new')} data-testid="service-new">
      {t('services.new')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('nav.services')} subtitle={t('services.subtitle')} extra={createButton} />
      <Card size="small">
        <div className="steady-toolbar">
          <Input.Search
            allowClear
            placeholder={t('services.searchPlaceholder')}
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              if (!e.target.value) setParam('q', undefined);
            }}
            onSearch={(value) => setParam('q', value.trim())}
            style={{ width: 260 }}
            data-testid="service-search"
          />
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('services.filterTeam')}
            value={filter.teamId}
            onChange={(v?: string) => setParam('team', v)}
            options={(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))}
            style={{ width: 200 }}
          />
          <Select
            allowClear
            placeholder={t('services.filterTier')}
            value={filter.tier}
            onChange={(v?: number) => setParam('tier', v)}
            options={TIERS.map((tier) => ({ value: tier, label: `T${tier} · ${t(TIER_KEYS[tier])}` }))}
            style={{ width: 220 }}
          />
          <Select
            allowClear
            showSearch
            placeholder={t('services.filterTag')}
            value={filter.tag}
            onChange={(v?: string) => setParam('tag', v)}
            options={tagOptions}
            style={{ width: 160 }}
          />
          {filtered && (
            <Button
              type="link"
              onClick={() => {
                setSearch('');
                setParams(new URLSearchParams(), { replace: true });
              }}
            >
              {t('common.clearFilters')}
            </Button>
          )}
        </div>
        <ServicesTable
          services={services.data ?? []}
          loading={services.isFetching && !services.data}
          editable={editable}
          onEdit={setTarget}
          onDelete={onDelete}
          onTag={(tag) => setParam('tag', tag)}
          empty={
            <TableEmpty
              loading={services.isPending}
              description={filtered ? t('services.emptyFiltered') : t('services.empty')}
              action={!filtered && createButton}
            />
          }
        />
      </Card>
      <ServiceForm target={target} onClose={() => setTarget(null)} />
    </>
  );
}
