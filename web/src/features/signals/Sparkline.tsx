import { Typography } from 'antd';
import * as echarts from 'echarts';
import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { formatUnit, type Unit } from './units';

/** A small trend line with its latest value beside it; "no data" when the series is missing. */
export function Sparkline({
  points,
  unit,
  color = '#1677ff',
  testId,
}: {
  points: [number, number][] | undefined;
  unit: Unit;
  color?: string;
  testId?: string;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const data = useMemo(() => (points ?? []).filter(([, v]) => Number.isFinite(v)), [points]);
  const has = data.length > 0;

  useEffect(() => {
    if (!ref.current || !has) return;
    const chart = echarts.init(ref.current);
    chart.setOption({
      animation: false,
      grid: { left: 0, right: 0, top: 2, bottom: 2 },
      xAxis: { type: 'time', show: false },
      yAxis: { type: 'value', show: false, scale: true },
      tooltip: {
        trigger: 'axis',
        confine: true,
        valueFormatter: (v: unknown) => formatUnit(typeof v === 'number' ? v : null, unit),
      },
      series: [
        {
          type: 'line',
          data,
          showSymbol: false,
          lineStyle: { width: 1.5, color },
          areaStyle: { color, opacity: 0.12 },
        },
      ],
    });
    return () => chart.dispose();
  }, [data, has, unit, color]);

  if (!has)
    return (
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={testId} data-empty="true">
        {t('signals.noData')}
      </Typography.Text>
    );
  const last = data.at(-1)?.[1];
  return (
    <div style={{ display: 'flex', alignItems: 'center', gap: 8 }} data-testid={testId}>
      <div ref={ref} style={{ width: 72, height: 28 }} />
      <span className="steady-mono" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
        {formatUnit(last, unit)}
      </span>
    </div>
  );
}
