import { Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';

export const TIERS = [1, 2, 3] as const;
export type Tier = (typeof TIERS)[number];

const COLORS: Record<Tier, string> = { 1: 'red', 2: 'orange', 3: 'blue' };
export const TIER_KEYS = { 1: 'services.tier1', 2: 'services.tier2', 3: 'services.tier3' } as const;

export const isTier = (n: number): n is Tier => n === 1 || n === 2 || n === 3;

/** "T1" with the meaning of the tier in the tooltip (1 is the most critical). */
export function TierTag({ tier }: { tier: number }) {
  const { t } = useTranslation();
  return (
    <Tooltip title={isTier(tier) ? t(TIER_KEYS[tier]) : undefined}>
      <Tag color={isTier(tier) ? COLORS[tier] : 'default'} className="steady-mono">
        T{tier}
      </Tag>
    </Tooltip>
  );
}
