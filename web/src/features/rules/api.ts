import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  PreviewReply,
  ReviewReply,
  ruleDetailReply,
  ruleInput,
  rulesReply,
} from '../../../../src/modules/detection/rules/rules.schemas.ts';
import { api } from '../../app/api';

export type RuleListItem = z.output<typeof rulesReply>['items'][number];
export type RuleDetail = z.output<typeof ruleDetailReply>;
export type RuleInputBody = z.input<typeof ruleInput>;
export type { PreviewReply, ReviewReply };

export const ruleKeys = {
  all: ['rules'] as const,
  list: () => ['rules', 'list'] as const,
  one: (id: string) => ['rules', 'one', id] as const,
  review: (from: number, to: number) => ['rules', 'review', from, to] as const,
};

export const useRules = () =>
  useQuery({
    queryKey: ruleKeys.list(),
    queryFn: async () => (await api.get<{ items: RuleListItem[] }>('/rules')).items,
  });

export const useRule = (id: string | undefined) =>
  useQuery({
    queryKey: ruleKeys.one(id ?? ''),
    queryFn: () => api.get<RuleDetail>(`/rules/${id}`),
    enabled: !!id,
  });

export const useReview = (from: number, to: number) =>
  useQuery({
    queryKey: ruleKeys.review(from, to),
    queryFn: () => api.get<ReviewReply>('/rules/review', { from, to }),
    placeholderData: keepPreviousData,
  });

export function useSaveRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: RuleInputBody }) =>
      id ? api.put<RuleDetail>(`/rules/${id}`, input) : api.post<RuleDetail>('/rules', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: ruleKeys.all }),
  });
}

export function useDeleteRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/rules/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ruleKeys.all }),
  });
}

export const usePreview = () =>
  useMutation({ mutationFn: (rule: RuleInputBody) => api.post<PreviewReply>('/rules/preview', { rule }) });
