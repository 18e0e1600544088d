import { Tag, Tooltip } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { ProbeListItem } from './api';

export type ProbeState = ProbeListItem['state'];

export const STATE_COLORS: Record<ProbeState, string> = {
  up: 'green',
  degraded: 'gold',
  'pending-retry': 'orange',
  down: 'red',
  unknown: 'default',
  paused: 'default',
};

/** Worst first: the state a service shows when its probes disagree. */
const SEVERITY: ProbeState[] = ['down', 'pending-retry', 'degraded', 'unknown', 'up', 'paused'];

export const worstState = (states: ProbeState[]): ProbeState | null =>
  states.length === 0 ? null : (SEVERITY.find((s) => states.includes(s)) ?? null);

export function ProbeStateTag({ state, reason }: { state: ProbeState; reason?: string | null }) {
  const { t } = useTranslation();
  const tag = (
    <Tag color={STATE_COLORS[state]} data-testid="probe-state" data-state={state}>
      {t(`signals.states.${state}`)}
    </Tag>
  );
  return reason && state !== 'up' ? <Tooltip title={reason}>{tag}</Tooltip> : tag;
}

/** What a probe checks, in one line: the URL, host:port, DNS name or heartbeat period. */
export function probeTarget(
  p: Pick<ProbeListItem, 'kind' | 'http' | 'tcp' | 'dns' | 'heartbeat'>,
  t: TFunction,
): string {
  switch (p.kind) {
    case 'http': {
      const h = p.http as { url: string; method: string };
      return `${h.method === 'GET' ? '' : `${h.method} `}${h.url}`;
    }
    case 'tcp': {
      const c = p.tcp as { host: string; port: number; tls: boolean };
      return `${c.host}:${c.port}${c.tls ? ' (TLS)' : ''}`;
    }
    case 'dns': {
      const d = p.dns as { name: string; recordType: string; server?: string };
      return `${d.recordType} ${d.name}${d.server ? ` @${d.server}` : ''}`;
    }
    case 'heartbeat': {
      const hb = p.heartbeat as { periodSeconds: number; graceSeconds: number };
      return t('signals.probes.heartbeatTarget', {
        period: Math.round(hb.periodSeconds / 60),
        grace: Math.round(hb.graceSeconds / 60),
      });
    }
  }
}
