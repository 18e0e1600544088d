import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  Alert,
  alertDetailSchema,
  createIntegrationBody,
  createSilenceBody,
  createWindowBody,
  Integration,
  integrationWithSecret,
  MaintenanceWindow,
  RouteConfig,
  RoutingConfig,
  routingReply,
  routingTestReply,
  Silence,
} from '../../../../src/modules/alerts/alerts.schemas.ts';
import { api } from '../../app/api';

export type { Alert, Integration, MaintenanceWindow, Silence };
export type AlertDetail = z.infer<typeof alertDetailSchema>;
export type IntegrationSecret = z.infer<typeof integrationWithSecret>;
export type SilenceInput = z.input<typeof createSilenceBody>;
export type WindowInput = z.input<typeof createWindowBody>;
export type IntegrationInput = z.input<typeof createIntegrationBody>;

export interface AlertFilter {
  state?: string;
  severity?: string;
  source?: string;
  q?: string;
  before?: string;
}

/** The list refreshes itself every few seconds: a live view of what is firing. */
export const useAlerts = (filter: AlertFilter) =>
  useQuery({
    queryKey: ['alerts', 'list', filter],
    queryFn: () =>
      api.get<{ items: Alert[]; nextBefore: string | null }>('/alerts', { ...filter, limit: 50 }),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
export const useAlert = (id: string | null) =>
  useQuery({
    queryKey: ['alerts', 'one', id],
    queryFn: () => api.get<AlertDetail>(`/alerts/${id}`),
    enabled: !!id,
  });

export const useSilences = () =>
  useQuery({
    queryKey: ['alerts', 'silences'],
    queryFn: async () => (await api.get<{ items: Silence[] }>('/silences')).items,
  });
export function useSaveSilence() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: SilenceInput }) =>
      id ? api.patch<Silence>(`/silences/${id}`, input) : api.post<Silence>('/silences', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alerts'] }),
  });
}
export function useExpireSilence() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/silences/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alerts'] }),
  });
}

export const useWindows = () =>
  useQuery({
    queryKey: ['alerts', 'windows'],
    queryFn: async () => (await api.get<{ items: MaintenanceWindow[] }>('/maintenance-windows')).items,
  });
export function useSaveWindow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: WindowInput }) =>
      id
        ? api.patch<MaintenanceWindow>(`/maintenance-windows/${id}`, input)
        : api.post<MaintenanceWindow>('/maintenance-windows', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alerts', 'windows'] }),
  });
}
export function useDeleteWindow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/maintenance-windows/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alerts', 'windows'] }),
  });
}
export const previewWindow = (input: WindowInput) =>
  api.post<{ items: { start: number; end: number }[] }>('/maintenance-windows/preview', input);

export const useIntegrations = () =>
  useQuery({
    queryKey: ['alerts', 'integrations'],
    queryFn: async () => (await api.get<{ items: Integration[] }>('/integrations')).items,
  });
export function useCreateIntegration() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: IntegrationInput) => api.post<IntegrationSecret>('/integrations', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alerts', 'integrations'] }),
  });
}
export function useRotateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<IntegrationSecret>(`/integrations/${id}/token`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alerts', 'integrations'] }),
  });
}
export function useDeleteIntegration() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/integrations/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alerts', 'integrations'] }),
  });
}
export const silenceTemplate = (alertId: string) =>
  api.get<{ matchers: Silence['matchers']; comment: string }>(`/alerts/${alertId}/silence-template`);

export type { RouteConfig, RoutingConfig };
export type Routing = z.infer<typeof routingReply>;
export type RoutingTest = z.infer<typeof routingTestReply>;

export const useRouting = () =>
  useQuery({ queryKey: ['alerts', 'routing'], queryFn: () => api.get<Routing>('/alert-routing') });
export function useSaveRouting() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: RoutingConfig) => api.put<Routing>('/alert-routing', input),
    onSuccess: (data) => qc.setQueryData(['alerts', 'routing'], data),
  });
}
/** Tests labels against a draft tree (what the editor shows), not only the saved one. */
export const testRouting = (labels: Record<string, string>, route: RouteConfig) =>
  api.post<RoutingTest>('/alert-routing/test', { labels, route });
