import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../app/api';
import type { CreateUserInput, ListReply, UpdateUserInput, User } from '../../app/types';

export const userKeys = { all: ['users'] as const };

export const useUsers = () =>
  useQuery({
    queryKey: userKeys.all,
    queryFn: async () => (await api.get<ListReply<User>>('/users')).items,
  });

function useUserWrite<A>(fn: (args: A) => Promise<unknown>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: userKeys.all }) });
}

export const useCreateUser = () => useUserWrite((input: CreateUserInput) => api.post<User>('/users', input));

export const useUpdateUser = () =>
  useUserWrite(({ id, input }: { id: string; input: UpdateUserInput }) =>
    api.patch<User>(`/users/${id}`, input),
  );

export const useSetUserDisabled = () =>
  useUserWrite(({ id, disabled }: { id: string; disabled: boolean }) =>
    api.post<User>(`/users/${id}/${disabled ? 'disable' : 'enable'}`),
  );

export const useResetPassword = () =>
  useUserWrite(({ id, newPassword }: { id: string; newPassword: string }) =>
    api.post(`/users/${id}/password`, { newPassword }),
  );
