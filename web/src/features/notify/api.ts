import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  Channel,
  Contact,
  contactBody,
  createChannelBody,
  DeliveryMessage,
  NotifyRule,
  updateChannelBody,
} from '../../../../src/modules/notify/notify.schemas.ts';
import { api } from '../../app/api';
import type { ListReply } from '../../app/types';

export type { Channel, Contact, DeliveryMessage, NotifyRule };
export type ChannelKind = Channel['kind'];
export type CreateChannelInput = z.input<typeof createChannelBody>;
export type UpdateChannelInput = z.input<typeof updateChannelBody>;
export type ContactInput = z.input<typeof contactBody>;
export interface MyNotify {
  contacts: Contact[];
  rules: NotifyRule[];
  rulesFromTeam: string | null;
}

export const notifyKeys = {
  channels: ['notify', 'channels'] as const,
  messages: (q: object) => ['notify', 'messages', q] as const,
  me: ['notify', 'me'] as const,
};

export const useChannels = () =>
  useQuery({
    queryKey: notifyKeys.channels,
    queryFn: async () => (await api.get<ListReply<Channel>>('/notify/channels')).items,
  });

export const useMessages = (q: { channelId?: string | undefined; state?: string | undefined }) =>
  useQuery({
    queryKey: notifyKeys.messages(q),
    queryFn: async () =>
      (await api.get<ListReply<DeliveryMessage>>('/notify/messages', { ...q, limit: '100' })).items,
    refetchInterval: 2000,
  });

export function useSaveChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string | null; input: CreateChannelInput | UpdateChannelInput }) =>
      id ? api.patch<Channel>(`/notify/channels/${id}`, input) : api.post<Channel>('/notify/channels', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: notifyKeys.channels }),
  });
}

export function useDeleteChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/notify/channels/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: notifyKeys.channels }),
  });
}

export function useSendTest() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, to }: { id: string; to?: string | undefined }) =>
      api.post<{ messageId: string }>(`/notify/channels/${id}/test`, to ? { to } : {}),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['notify', 'messages'] }),
  });
}

export const useMyNotify = () =>
  useQuery({ queryKey: notifyKeys.me, queryFn: () => api.get<MyNotify>('/notify/me') });

export function useAddContact() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: ContactInput) => api.post<Contact>('/notify/me/contacts', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: notifyKeys.me }),
  });
}
export function useRemoveContact() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/notify/me/contacts/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: notifyKeys.me }),
  });
}
export function useSaveMyRules() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (rules: NotifyRule[]) => api.put('/notify/me/rules', { rules }),
    onSuccess: () => qc.invalidateQueries({ queryKey: notifyKeys.me }),
  });
}

export interface RuleSet {
  rules: NotifyRule[];
  updatedAt: number | null;
}
export const useTeamRules = (teamId: string | undefined) =>
  useQuery({
    queryKey: ['notify', 'team-rules', teamId],
    queryFn: () => api.get<RuleSet>(`/notify/teams/${teamId}/rules`),
    enabled: !!teamId,
  });
export function useSaveTeamRules() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ teamId, rules }: { teamId: string; rules: NotifyRule[] }) =>
      api.put<RuleSet>(`/notify/teams/${teamId}/rules`, { rules }),
    onSuccess: (data, { teamId }) => {
      qc.setQueryData(['notify', 'team-rules', teamId], data);
      void qc.invalidateQueries({ queryKey: notifyKeys.me });
    },
  });
}
