import { Col, Row, Segmented, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditEntry } from '../../app/types';
import { type DiffRow, diffSnapshots, showValue } from './entity';

const json = (value: unknown) => (value === null ? '—' : JSON.stringify(value, null, 2));

/** What an audited change did: the changed fields (default), or both snapshots side by side. */
export function AuditDiff({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const [view, setView] = useState<'changes' | 'json'>('changes');
  const [showSame, setShowSame] = useState(false);
  const rows = diffSnapshots(entry.before, entry.after);
  const visible = showSame ? rows : rows.filter((r) => r.change !== 'same');
  const cell = (v: unknown, r: DiffRow, side: 'before' | 'after') => {
    const marked = r.change !== 'same' && (side === 'before' ? r.change !== 'added' : r.change !== 'removed');
    const cls = marked ? (side === 'before' ? 'steady-diff-removed' : 'steady-diff-added') : '';
    return <span className={`steady-mono ${cls}`}>{showValue(v, r.field)}</span>;
  };

  const columns: ColumnsType<DiffRow> = [
    {
      title: t('audit.field'),
      dataIndex: 'field',
      width: 180,
      render: (f: string) => <span className="steady-mono">{f}</span>,
    },
  ];
  // A creation has no "before" and a deletion no "after": show only the sides that exist.
  if (entry.before !== null) {
    columns.push({ title: t('audit.before'), dataIndex: 'before', render: (v, r) => cell(v, r, 'before') });
  }
  if (entry.after !== null) {
    columns.push({ title: t('audit.after'), dataIndex: 'after', render: (v, r) => cell(v, r, 'after') });
  }

  return (
    <div data-testid="audit-diff">
      <div className="steady-toolbar">
        <Segmented
          size="small"
          value={view}
          onChange={(v) => setView(v as 'changes' | 'json')}
          options={[
            { value: 'changes', label: t('audit.viewChanges') },
            { value: 'json', label: t('audit.viewSideBySide') },
          ]}
        />
        {view === 'changes' && rows.some((r) => r.change === 'same') && (
          <Typography.Link onClick={() => setShowSame(!showSame)}>
            {showSame ? t('audit.hideUnchanged') : t('audit.showUnchanged')}
          </Typography.Link>
        )}
        <Typography.Text type="secondary" className="steady-mono">
          {t('audit.requestId')}: {entry.requestId ?? '—'} · IP: {entry.ip ?? '—'}
        </Typography.Text>
      </div>
      {view === 'changes' ? (
        <Table<DiffRow>
          size="small"
          rowKey="field"
          pagination={false}
          dataSource={visible}
          columns={columns}
          locale={{ emptyText: t('audit.noFieldChanges') }}
        />
      ) : (
        <Row gutter={12}>
          <Col span={12}>
            <Typography.Text strong>{t('audit.before')}</Typography.Text>
            <pre className="steady-json">{json(entry.before)}</pre>
          </Col>
          <Col span={12}>
            <Typography.Text strong>{t('audit.after')}</Typography.Text>
            <pre className="steady-json">{json(entry.after)}</pre>
          </Col>
        </Row>
      )}
    </div>
  );
}
