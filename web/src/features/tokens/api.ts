import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../app/api';
import type { ApiToken, CreateTokenInput, ListReply } from '../../app/types';

export const tokenKeys = {
  all: ['tokens'] as const,
  list: (all: boolean) => ['tokens', { all }] as const,
};

export const useTokens = (all: boolean) =>
  useQuery({
    queryKey: tokenKeys.list(all),
    queryFn: async () =>
      (await api.get<ListReply<ApiToken>>('/tokens', { all: all ? 'true' : undefined })).items,
  });

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateTokenInput) => api.post<{ token: ApiToken; secret: string }>('/tokens', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/tokens/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}
