import { CaretRightOutlined, LinkOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Flex, Input, Space, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { PageHeader } from '../../components/PageHeader';
import { PromQueryError, useRangeQuery } from './api';
import { QueryBuilder, type Selection, toSelector } from './QueryBuilder';
import { RangePicker } from './RangePicker';
import { formatStep, rangeFromParams, rangeToParams, resolveRange, stepFor, type TimeRange } from './range';
import { TimeSeriesChart } from './TimeSeriesChart';

/**
 * Pick a metric and labels, or type PromQL; chart it over a range. The query and the range live in the
 * URL (`?q=…&range=1h` or `&from=…&to=…`), so the address bar is the link to share.
 */
export default function ExplorerPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const query = params.get('q') ?? '';
  const range = rangeFromParams(params);
  const [text, setText] = useState(query);
  const [selection, setSelection] = useState<Selection>({ metric: '', filters: [] });
  // A preset range moves with the clock: take "now" when the range or query changes, or on refresh.
  const [tick, setTick] = useState(0);
  const rangeKey = 'preset' in range ? range.preset : `${range.from}-${range.to}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-resolved only when the range or a refresh asks
  const { from, to } = useMemo(() => resolveRange(range), [rangeKey, tick, query]);
  const step = stepFor(to - from);
  const result = useRangeQuery(query, from, to, step);

  useEffect(() => setText(query), [query]);

  const update = (q: string, r: TimeRange) => {
    const next = new URLSearchParams(params);
    if (q) next.set('q', q);
    else next.delete('q');
    rangeToParams(r, next);
    setParams(next);
  };
  const run = () => {
    if (text.trim() === query) setTick((n) => n + 1);
    update(text.trim(), range);
  };
  const error = result.error;
  const series = result.data ?? [];

  return (
    <>
      <PageHeader
        title={t('signals.nav.explorer')}
        subtitle={t('signals.explorer.subtitle')}
        extra={
          <Button
            icon={<LinkOutlined />}
            disabled={!query}
            onClick={() => {
              void navigator.clipboard?.writeText(window.location.href);
              void message.success(t('signals.explorer.linkCopied'));
            }}
          >
            {t('signals.explorer.copyLink')}
          </Button>
        }
      />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Space direction="vertical" style={{ width: '100%' }} size={10}>
          <QueryBuilder
            value={selection}
            onChange={(s) => {
              setSelection(s);
              const sel = toSelector(s);
              setText(sel);
              if (s.metric && s.filters.every((f) => f.name === '' || f.value !== '')) update(sel, range);
            }}
          />
          <Flex gap={8} align="flex-start">
            <Input.TextArea
              data-testid="promql-input"
              className="steady-mono"
              autoSize={{ minRows: 1, maxRows: 6 }}
              placeholder={t('signals.explorer.placeholder')}
              value={text}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  run();
                }
              }}
            />
            <Button type="primary" icon={<CaretRightOutlined />} onClick={run} data-testid="promql-run">
              {t('signals.explorer.run')}
            </Button>
          </Flex>
          <Flex gap={12} align="center" justify="space-between" wrap>
            <RangePicker value={range} onChange={(r) => update(query, r)} />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('signals.explorer.stepInfo', { step: formatStep(step), count: series.length })}
            </Typography.Text>
          </Flex>
        </Space>
      </Card>
      <Card size="small">
        {error ? (
          <Alert
            type="error"
            showIcon
            data-testid="query-error"
            message={
              error instanceof PromQueryError ? t('signals.explorer.badQuery') : t('signals.explorer.failed')
            }
            description={<span className="steady-mono">{error.message}</span>}
          />
        ) : !query ? (
          <Typography.Paragraph type="secondary" style={{ margin: 24, textAlign: 'center' }}>
            {t('signals.explorer.empty')}
          </Typography.Paragraph>
        ) : result.isSuccess && series.length === 0 ? (
          <Typography.Paragraph
            type="secondary"
            style={{ margin: 24, textAlign: 'center' }}
            data-testid="query-nodata"
          >
            {t('signals.explorer.noSeries')}
          </Typography.Paragraph>
        ) : null}
        {query && !error && (series.length > 0 || result.isPending) && (
          <TimeSeriesChart
            testId="explorer-chart"
            series={series}
            from={from}
            to={to}
            height={420}
            unit={/_seconds\b/.test(query) ? 'seconds' : 'none'}
            onZoom={(a, b) => update(query, { from: a, to: b })}
          />
        )}
        {query && !error && series.length > 0 && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('signals.explorer.zoomHint')}
          </Typography.Text>
        )}
      </Card>
    </>
  );
}
