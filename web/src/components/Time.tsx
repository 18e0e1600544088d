import { Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatAbsolute, formatRelative } from './format';

interface TimeProps {
  value: number | null | undefined;
  /** relative: "5 minutes ago" (absolute in the tooltip); both: absolute, then relative in grey. */
  mode?: 'relative' | 'both';
  /** Shown when there is no time (e.g. "never"). */
  empty?: string;
}

/** A point in time: relative and absolute, so both "how long ago" and "exactly when" are at hand. */
export function Time({ value, mode = 'relative', empty }: TimeProps) {
  useTranslation(); // re-render on language change
  if (value === null || value === undefined)
    return <Typography.Text type="secondary">{empty ?? '—'}</Typography.Text>;
  const absolute = formatAbsolute(value);
  const relative = formatRelative(value);
  if (mode === 'both') {
    return (
      <span className="steady-time" title={new Date(value).toISOString()}>
        <span className="steady-mono">{absolute}</span>{' '}
        <Typography.Text type="secondary">({relative})</Typography.Text>
      </span>
    );
  }
  return (
    <Tooltip title={absolute}>
      <time dateTime={new Date(value).toISOString()}>{relative}</time>
    </Tooltip>
  );
}
