import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  FigureRow,
  Incident,
  IncidentAlert,
  Review,
  reviewBody,
  SeveritySetting,
  TimelineEvent,
} from '../../../../src/modules/incidents/incidents.schemas.ts';
import { api } from '../../app/api';
import type { ListReply } from '../../app/types';

export type { FigureRow, Incident, IncidentAlert, Review, SeveritySetting, TimelineEvent };
export type ReviewInput = z.input<typeof reviewBody>;
export const SEVERITIES = ['P1', 'P2', 'P3'] as const;
export const STATES = ['triggered', 'acknowledged', 'resolved', 'closed'] as const;

export interface IncidentFilter {
  state?: string;
  severity?: string;
  serviceId?: string;
  teamId?: string;
  from?: number;
  to?: number;
  q?: string;
}

export interface Figures {
  from: number;
  to: number;
  groupBy: string;
  total: FigureRow;
  rows: FigureRow[];
}

export const incidentKeys = {
  all: ['incidents'] as const,
  list: (f: IncidentFilter) => ['incidents', 'list', f] as const,
  one: (id: string) => ['incidents', 'one', id] as const,
  timeline: (id: string) => ['incidents', 'timeline', id] as const,
  review: (id: string) => ['incidents', 'review', id] as const,
  figures: (q: object) => ['incidents', 'figures', q] as const,
};

export const useIncidents = (filter: IncidentFilter) =>
  useQuery({
    queryKey: incidentKeys.list(filter),
    queryFn: () =>
      api.get<{ items: Incident[]; nextBefore: string | null }>('/incidents', { ...filter, limit: 100 }),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });

export const useIncident = (id: string) =>
  useQuery({
    queryKey: incidentKeys.one(id),
    queryFn: () => api.get<Incident>(`/incidents/${id}`),
    refetchInterval: 10_000,
  });

/** The alerts attached to an incident, newest state first (refreshes with the incident). */
export const useIncidentAlerts = (id: string) =>
  useQuery({
    queryKey: [...incidentKeys.one(id), 'alerts'],
    queryFn: async () => (await api.get<{ items: IncidentAlert[] }>(`/incidents/${id}/alerts`)).items,
    refetchInterval: 10_000,
  });

export const useTimeline = (id: string) =>
  useQuery({
    queryKey: incidentKeys.timeline(id),
    queryFn: async () => (await api.get<ListReply<TimelineEvent>>(`/incidents/${id}/timeline`)).items,
    refetchInterval: 10_000,
  });

export const useReview = (id: string) =>
  useQuery({ queryKey: incidentKeys.review(id), queryFn: () => api.get<Review>(`/incidents/${id}/review`) });

export const useFigures = (q: {
  from: number;
  to: number;
  groupBy: string;
  serviceId?: string;
  teamId?: string;
}) =>
  useQuery({
    queryKey: incidentKeys.figures(q),
    queryFn: () => api.get<Figures>('/incident-figures', { ...q }),
    placeholderData: keepPreviousData,
  });

/** Every incident write: invalidates the incident queries (list, detail, timeline, figures). */
export function useIncidentAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({
      method,
      path,
      body,
    }: {
      method: 'post' | 'put' | 'patch';
      path: string;
      body?: unknown;
    }) => api[method]<unknown>(path, body ?? {}),
    onSuccess: () => qc.invalidateQueries({ queryKey: incidentKeys.all }),
  });
}
