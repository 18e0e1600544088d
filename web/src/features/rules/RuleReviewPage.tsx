import { Card, Segmented, Table, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { type ReviewReply, useReview } from './api';
import { SEVERITY_COLORS } from './RulesPage';

const DAY = 86_400_000;
type Row = ReviewReply['items'][number];

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);
const duration = (s: number | null) =>
  s === null ? '—' : s < 3600 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;

/** The weekly rule review: the noisiest rules first, with what their alerts led to. */
export default function RuleReviewPage() {
  const { t } = useTranslation();
  const [period, setPeriod] = useState<'this' | 'last'>('this');
  // Rounded to the hour so the query key stays stable between renders.
  const { from, to } = useMemo(() => {
    const now = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
    const end = period === 'this' ? now : now - 7 * DAY;
    return { from: end - 7 * DAY, to: end };
  }, [period]);
  const review = useReview(from, to);

  return (
    <>
      <PageHeader
        title={t('nav.ruleReview')}
        subtitle={t('rules.review.subtitle')}
        extra={
          <Segmented
            value={period}
            onChange={(v) => setPeriod(v as 'this' | 'last')}
            options={[
              { value: 'this', label: t('rules.review.last7') },
              { value: 'last', label: t('rules.review.previous7') },
            ]}
          />
        }
      />
      <Card>
        <Table<Row>
          rowKey="ruleId"
          loading={review.isLoading}
          dataSource={review.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: <TableEmpty description={t('rules.review.empty')} /> }}
          columns={[
            {
              title: t('rules.name'),
              dataIndex: 'name',
              render: (n: string, r) => <Link to={`/rules/${r.ruleId}`}>{n}</Link>,
            },
            {
              title: t('rules.severity'),
              dataIndex: 'severity',
              render: (s: string) => <Tag color={SEVERITY_COLORS[s]}>{s}</Tag>,
            },
            { title: t('rules.review.fired'), dataIndex: 'fired', align: 'right' },
            {
              title: t('rules.review.incidentShare'),
              dataIndex: 'incidentShare',
              align: 'right',
              render: pct,
            },
            {
              title: t('rules.review.autoResolved'),
              dataIndex: 'autoResolvedShare',
              align: 'right',
              render: pct,
            },
            { title: t('rules.review.flapping'), dataIndex: 'flapping', align: 'right' },
            {
              title: t('rules.review.medianFiring'),
              dataIndex: 'medianFiringSeconds',
              align: 'right',
              render: duration,
            },
          ]}
        />
      </Card>
    </>
  );
}
