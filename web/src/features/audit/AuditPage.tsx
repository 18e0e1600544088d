import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type React from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { errorMessage } from '../../app/errors';
import type { AuditEntry } from '../../app/types';
import { shortId } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { Time } from '../../components/Time';
import { AuditDiff } from './AuditDiff';
import { AuditFilters } from './AuditFilters';
import { type AuditFilter, useAuditLog } from './api';
import { entityLabel } from './entity';

const PARAMS: Record<keyof AuditFilter, string> = {
  actorId: 'actor',
  entityType: 'type',
  entityId: 'entity',
  action: 'action',
  from: 'from',
  to: 'to',
};

function readFilter(params: URLSearchParams): AuditFilter {
  const num = (key: string) => (params.get(key) ? Number(params.get(key)) : undefined);
  const str = (key: string) => params.get(key) ?? undefined;
  return {
    actorId: str(PARAMS.actorId),
    entityType: str(PARAMS.entityType),
    entityId: str(PARAMS.entityId),
    action: str(PARAMS.action),
    from: num(PARAMS.from),
    to: num(PARAMS.to),
  };
}

/** The append-only audit log: who changed what and when, newest first, filters in the URL. */
export default function AuditPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const filter = readFilter(params);
  const log = useAuditLog(filter);
  const items = log.data?.pages.flatMap((p) => p.items) ?? [];

  const change = (patch: Partial<AuditFilter>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(patch)) {
      const name = PARAMS[key as keyof AuditFilter];
      if (value === undefined || value === '') next.delete(name);
      else next.set(name, String(value));
    }
    setParams(next, { replace: true });
  };

  // Links inside a row filter by their value; they must not also expand the row.
  const filterBy = (patch: Partial<AuditFilter>) => (ev: React.MouseEvent) => {
    ev.stopPropagation();
    change(patch);
  };

  const columns: ColumnsType<AuditEntry> = [
    {
      title: t('audit.time'),
      dataIndex: 'at',
      width: 250,
      render: (at: number) => <Time value={at} mode="both" />,
    },
    {
      title: t('audit.actor'),
      dataIndex: 'actorName',
      width: 170,
      render: (name: string, e) => (
        <Flex gap={4} align="center">
          {e.actorId ? (
            <Typography.Link onClick={filterBy({ actorId: e.actorId ?? undefined })}>{name}</Typography.Link>
          ) : (
            name
          )}
          {e.actorKind !== 'user' && (
            <Tag>{t(e.actorKind === 'token' ? 'audit.kindToken' : 'audit.kindSystem')}</Tag>
          )}
        </Flex>
      ),
    },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      width: 170,
      render: (action: string) => (
        <Tag
          color={
            action.endsWith('.delete') || action.endsWith('.revoke')
              ? 'red'
              : action.endsWith('.create')
                ? 'green'
                : 'blue'
          }
        >
          <span className="steady-mono">{action}</span>
        </Tag>
      ),
    },
    {
      title: t('audit.entity'),
      key: 'entity',
      render: (_, e) => (
        <Flex gap={6} align="center" wrap>
          <Typography.Link onClick={filterBy({ entityType: e.entityType })}>
            <Tag>{e.entityType}</Tag>
          </Typography.Link>
          {entityLabel(e) && <Typography.Text strong>{entityLabel(e)}</Typography.Text>}
          {e.entityId && (
            <Typography.Link
              className="steady-mono"
              type="secondary"
              title={e.entityId}
              onClick={filterBy({ entityType: e.entityType, entityId: e.entityId ?? undefined })}
            >
              {shortId(e.entityId)}
            </Typography.Link>
          )}
        </Flex>
      ),
    },
    {
      title: 'IP',
      dataIndex: 'ip',
      width: 120,
      render: (ip: string | null) => <span className="steady-mono">{ip ?? '—'}</span>,
    },
  ];

  return (
    <>
      <PageHeader
        title={t('nav.audit')}
        subtitle={t('audit.subtitle')}
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => log.refetch()} loading={log.isRefetching}>
            {t('common.refresh')}
          </Button>
        }
      />
      <Card size="small">
        <AuditFilters
          filter={filter}
          onChange={change}
          onClear={() => setParams(new URLSearchParams(), { replace: true })}
        />
        <Table<AuditEntry>
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={items}
          loading={log.isPending}
          pagination={false}
          expandable={{ expandedRowRender: (e) => <AuditDiff entry={e} />, expandRowByClick: true }}
          locale={{
            emptyText: (
              <TableEmpty
                loading={log.isPending}
                description={log.isError ? errorMessage(log.error, t) : t('audit.empty')}
              />
            ),
          }}
          data-testid="audit-table"
        />
        <Flex justify="center" gap={12} align="center" style={{ marginTop: 12 }}>
          <Typography.Text type="secondary">{t('audit.shown', { count: items.length })}</Typography.Text>
          {log.hasNextPage && (
            <Button
              onClick={() => log.fetchNextPage()}
              loading={log.isFetchingNextPage}
              data-testid="audit-more"
            >
              {t('audit.loadMore')}
            </Button>
          )}
        </Flex>
      </Card>
    </>
  );
}
