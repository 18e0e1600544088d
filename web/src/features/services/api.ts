import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../app/api';
import type { CreateServiceInput, ListReply, Service } from '../../app/types';

export interface ServiceFilter {
  q?: string;
  teamId?: string;
  tier?: number;
  tag?: string;
}

export const serviceKeys = {
  all: ['services'] as const,
  list: (filter: ServiceFilter) => ['services', 'list', filter] as const,
};

export const useServices = (filter: ServiceFilter = {}) =>
  useQuery({
    queryKey: serviceKeys.list(filter),
    queryFn: async () => (await api.get<ListReply<Service>>('/services', { ...filter })).items,
    placeholderData: keepPreviousData,
  });

export function useSaveService() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: CreateServiceInput }) =>
      id ? api.patch<Service>(`/services/${id}`, input) : api.post<Service>('/services', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: serviceKeys.all }),
  });
}

export function useDeleteService() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/services/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: serviceKeys.all }),
  });
}
