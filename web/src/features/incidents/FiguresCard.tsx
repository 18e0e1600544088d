import { Card, Col, Row, Segmented, Statistic, Table } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type FigureRow, useFigures } from './api';
import { formatDuration } from './IncidentTags';

const DAY = 86_400_000;
const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);

/** MTTA, MTTR and acknowledge-SLA compliance over a period, in total and per severity, service or team. */
export function FiguresCard() {
  const { t } = useTranslation();
  const [days, setDays] = useState(7);
  const [groupBy, setGroupBy] = useState<'severity' | 'service' | 'team'>('severity');
  // The period ends a minute ahead, so an incident acknowledged just now is inside it.
  const range = useMemo(() => {
    const to = Math.ceil((Date.now() + 60_000) / 60_000) * 60_000;
    return { from: to - days * DAY, to };
  }, [days]);
  const figures = useFigures({ ...range, groupBy });
  const total = figures.data?.total;
  return (
    <Card
      size="small"
      title={t('incidents.figures.title')}
      data-testid="incident-figures"
      extra={
        <Segmented
          size="small"
          value={days}
          onChange={(v) => setDays(Number(v))}
          options={[1, 7, 30, 90].map((d) => ({
            value: d,
            label: t('incidents.figures.days', { count: d }),
          }))}
        />
      }
    >
      <Row gutter={16}>
        <Col span={6}>
          <Statistic title={t('incidents.figures.incidents')} value={total?.incidents ?? 0} />
        </Col>
        <Col span={6} data-testid="figure-mtta">
          <Statistic title={t('incidents.figures.mtta')} value={formatDuration(total?.mttaMs)} />
        </Col>
        <Col span={6}>
          <Statistic title={t('incidents.figures.mttr')} value={formatDuration(total?.mttrMs)} />
        </Col>
        <Col span={6}>
          <Statistic title={t('incidents.figures.ackCompliance')} value={pct(total?.ackCompliance ?? null)} />
        </Col>
      </Row>
      <Segmented
        style={{ margin: '12px 0 8px' }}
        size="small"
        value={groupBy}
        onChange={(v) => setGroupBy(v as typeof groupBy)}
        options={(['severity', 'service', 'team'] as const).map((g) => ({
          value: g,
          label: t(`incidents.figures.by.${g}`),
        }))}
      />
      <Table<FigureRow>
        size="small"
        pagination={false}
        rowKey={(r) => r.key ?? 'none'}
        dataSource={figures.data?.rows ?? []}
        columns={[
          {
            title: t(`incidents.figures.by.${groupBy}`),
            render: (_, r) => r.label ?? t('incidents.figures.none'),
          },
          { title: t('incidents.figures.incidents'), dataIndex: 'incidents' },
          { title: t('incidents.figures.mtta'), render: (_, r) => formatDuration(r.mttaMs) },
          { title: t('incidents.figures.mttr'), render: (_, r) => formatDuration(r.mttrMs) },
          { title: t('incidents.figures.ackCompliance'), render: (_, r) => pct(r.ackCompliance) },
        ]}
      />
    </Card>
  );
}
