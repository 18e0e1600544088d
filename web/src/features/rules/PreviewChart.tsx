import * as echarts from 'echarts';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { seriesName } from '../signals/units';
import type { PreviewReply } from './api';

/** The backtest drawn: each series, threshold lines or the anomaly band, and shaded firing intervals. */
export function PreviewChart({ data }: { data: PreviewReply }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    const series: echarts.SeriesOption[] = [];
    // The server names the lines `threshold` and `recovery` (burn-rate lines by their windows, e.g. 1h/5m).
    const lineName = (name: string) =>
      name === 'threshold' || name === 'recovery' ? t(`rules.preview.lines.${name}`) : name;
    data.series.forEach((s, i) => {
      const name = seriesName(s.labels);
      series.push({
        type: 'line',
        name,
        showSymbol: false,
        data: s.points,
        markArea:
          s.intervals.length > 0
            ? {
                silent: true,
                itemStyle: { color: 'rgba(255, 77, 79, 0.15)' },
                data: s.intervals.map((iv) => [{ xAxis: iv.start }, { xAxis: iv.end ?? data.to }]),
              }
            : undefined,
        markLine:
          i === 0 && data.thresholds.length > 0
            ? {
                silent: true,
                symbol: 'none',
                // Inside the plot, above the line's right end: at the end (the default) the label runs
                // past the chart's edge and is cut to "thre…".
                label: { position: 'insideEndTop', color: '#595959' },
                data: data.thresholds.map((th) => ({
                  yAxis: th.value,
                  name: th.name,
                  label: { formatter: `${lineName(th.name)} ${th.value}` },
                })),
              }
            : undefined,
      });
      if (s.lower && s.upper) {
        // The band as a stacked area: the lower line (invisible) plus the band's height on top of it.
        const upper = new Map(s.upper.map(([ts, v]) => [ts, v]));
        series.push({
          type: 'line',
          name: `${name} ${t('rules.preview.band')}`,
          stack: `band${i}`,
          showSymbol: false,
          lineStyle: { opacity: 0 },
          data: s.lower,
        });
        series.push({
          type: 'line',
          name: `${name} ${t('rules.preview.band')}`,
          stack: `band${i}`,
          showSymbol: false,
          lineStyle: { opacity: 0 },
          areaStyle: { color: 'rgba(22, 119, 255, 0.15)' },
          data: s.lower.map(([ts, lo]) => [
            ts,
            lo === null || upper.get(ts) == null ? null : (upper.get(ts) as number) - lo,
          ]),
        });
      }
    });
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 24, top: 24, bottom: 48 },
      xAxis: { type: 'time', min: data.from, max: data.to },
      yAxis: { type: 'value', scale: true },
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 8 }],
      series,
    });
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [data, t]);

  return <div ref={ref} style={{ width: '100%', height: 320 }} data-testid="rule-preview-chart" />;
}
