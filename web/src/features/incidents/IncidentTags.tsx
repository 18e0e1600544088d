import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

const SEVERITY_COLOR: Record<string, string> = { P1: 'red', P2: 'orange', P3: 'blue' };
const STATE_COLOR: Record<string, string> = {
  triggered: 'red',
  acknowledged: 'gold',
  resolved: 'green',
  closed: 'default',
};

export function SeverityTag({ severity }: { severity: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={SEVERITY_COLOR[severity]} data-testid="severity">
      {severity} {t(`incidents.severity.${severity as 'P1'}`)}
    </Tag>
  );
}

export function StateTag({ state }: { state: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATE_COLOR[state]} data-testid="incident-state">
      {t(`incidents.state.${state as 'triggered'}`)}
    </Tag>
  );
}

/** "4 min 12 s", "2 h 5 min": durations of response figures. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
