import * as echarts from 'echarts';
import { useEffect, useRef } from 'react';
import type { PromSeries } from './api';
import { formatUnit, seriesName, type Unit } from './units';

interface TimeSeriesChartProps {
  series: PromSeries[];
  from: number;
  to: number;
  unit?: Unit;
  height?: number;
  /** Called with the range a person selected by dragging over the chart (or with the slider). */
  onZoom?: (from: number, to: number) => void;
  testId?: string;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * Line chart of query_range series: one line per label set, legend by labels, dataZoom (slider and
 * wheel) and drag-to-select zoom that hands the selected range back so the page can re-query it.
 */
export function TimeSeriesChart({
  series,
  from,
  to,
  unit = 'none',
  height = 360,
  onZoom,
  testId,
}: TimeSeriesChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);
  const onZoomRef = useRef(onZoom);
  onZoomRef.current = onZoom;

  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    chartRef.current = chart;
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    const observer = new ResizeObserver(onResize);
    observer.observe(ref.current);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', onResize);
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    const many = series.length > 1;
    chart.setOption(
      {
        animation: false,
        tooltip: {
          trigger: 'axis',
          confine: true,
          valueFormatter: (v: unknown) => formatUnit(typeof v === 'number' ? v : null, unit),
        },
        legend: many
          ? { type: 'scroll', bottom: 0, textStyle: { fontFamily: 'monospace', fontSize: 11 } }
          : { show: false },
        grid: { left: 64, right: 24, top: 32, bottom: many ? 72 : 48 },
        toolbox: {
          right: 16,
          top: 0,
          feature: { dataZoom: { yAxisIndex: 'none' }, restore: {} },
        },
        xAxis: { type: 'time', min: from, max: to },
        yAxis: {
          type: 'value',
          scale: unit !== 'ratio',
          axisLabel: { formatter: (v: number) => formatUnit(v, unit) },
        },
        dataZoom: [
          { type: 'inside', zoomOnMouseWheel: 'shift' },
          { type: 'slider', height: 16, bottom: many ? 36 : 8 },
        ],
        series: series.map((s) => ({
          type: 'line',
          name: seriesName(s.labels),
          showSymbol: s.points.length < 3,
          connectNulls: false,
          data: s.points.map(([ts, v]) => [ts, finite(v)]),
        })),
      },
      { notMerge: true },
    );
    // Drag-to-select is the zoom people expect on a time chart: switch it on without a toolbox click.
    chart.dispatchAction({ type: 'takeGlobalCursor', key: 'dataZoomSelect', dataZoomSelectActive: true });
    const onDataZoom = () => {
      const dz = (
        chart.getOption().dataZoom as { startValue?: number; endValue?: number }[] | undefined
      )?.[0];
      if (dz?.startValue === undefined || dz.endValue === undefined) return;
      const a = Number(dz.startValue);
      const b = Number(dz.endValue);
      if (b - a >= 1000 && (Math.abs(a - from) > 1000 || Math.abs(b - to) > 1000)) onZoomRef.current?.(a, b);
    };
    const zoomHandler = debounce(onDataZoom, 400);
    chart.on('datazoom', zoomHandler);
    return () => {
      chart.off('datazoom', zoomHandler);
    };
  }, [series, from, to, unit]);

  return <div ref={ref} style={{ width: '100%', height }} data-testid={testId} />;
}

function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}
