import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../../app/api';
import type { AuditPage } from '../../app/types';

export interface AuditFilter {
  actorId?: string;
  entityType?: string;
  entityId?: string;
  action?: string;
  from?: number;
  to?: number;
}

const PAGE_SIZE = 50;

/** Newest first; "load more" follows the keyset cursor (`nextBefore` → `before`). */
export const useAuditLog = (filter: AuditFilter, enabled = true) =>
  useInfiniteQuery({
    queryKey: ['audit', filter],
    queryFn: ({ pageParam }) =>
      api.get<AuditPage>('/audit', { ...filter, before: pageParam, limit: PAGE_SIZE }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
    enabled,
  });

/** The latest few changes (the overview's "recent changes"). */
export const useRecentAudit = (limit: number, enabled: boolean) =>
  useQuery({
    queryKey: ['audit', 'recent', limit],
    queryFn: () => api.get<AuditPage>('/audit', { limit }),
    enabled,
  });
