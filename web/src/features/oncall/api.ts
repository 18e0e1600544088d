import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  createPolicyBody,
  createScheduleBody,
  EscalationPolicy,
  Schedule,
  ShiftView,
} from '../../../../src/modules/oncall/oncall.schemas.ts';
import { api } from '../../app/api';
import type { ListReply } from '../../app/types';

export type { EscalationPolicy, Schedule, ShiftView };
export type ScheduleInput = z.input<typeof createScheduleBody>;
export type PolicyInput = z.input<typeof createPolicyBody>;

export interface OnCallNow {
  scheduleId: string;
  scheduleName: string;
  at: number;
  shift: ShiftView | null;
}
export interface ShiftsReply {
  scheduleId: string;
  timeZone: string;
  from: number;
  to: number;
  shifts: ShiftView[];
  gaps: { start: number; end: number }[];
}

export const oncallKeys = {
  all: ['oncall'] as const,
  schedules: ['oncall', 'schedules'] as const,
  policies: ['oncall', 'policies'] as const,
  now: ['oncall', 'now'] as const,
  shifts: (id: string, from: number, to: number) => ['oncall', 'shifts', id, from, to] as const,
};

export const useSchedules = () =>
  useQuery({
    queryKey: oncallKeys.schedules,
    queryFn: async () => (await api.get<ListReply<Schedule>>('/schedules')).items,
  });
export const usePolicies = () =>
  useQuery({
    queryKey: oncallKeys.policies,
    queryFn: async () => (await api.get<ListReply<EscalationPolicy>>('/escalation-policies')).items,
  });
export const useOnCallNow = () =>
  useQuery({
    queryKey: oncallKeys.now,
    queryFn: async () => (await api.get<ListReply<OnCallNow>>('/oncall')).items,
    refetchInterval: 60_000,
  });
export const useShifts = (id: string, from: number, to: number) =>
  useQuery({
    queryKey: oncallKeys.shifts(id, from, to),
    queryFn: () => api.get<ShiftsReply>(`/schedules/${id}/shifts`, { from, to }),
  });

export function useSaveSchedule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: ScheduleInput }) =>
      id ? api.patch<Schedule>(`/schedules/${id}`, input) : api.post<Schedule>('/schedules', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: oncallKeys.all }),
  });
}
export function useSavePolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: PolicyInput }) =>
      id
        ? api.patch<EscalationPolicy>(`/escalation-policies/${id}`, input)
        : api.post<EscalationPolicy>('/escalation-policies', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: oncallKeys.all }),
  });
}
