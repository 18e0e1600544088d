import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../app/api';
import type { CreateTeamInput, ListReply, Team, TeamRole } from '../../app/types';

export const teamKeys = {
  all: ['teams'] as const,
  one: (id: string) => ['teams', id] as const,
};

export const useTeams = () =>
  useQuery({
    queryKey: teamKeys.all,
    queryFn: async () => (await api.get<ListReply<Team>>('/teams')).items,
  });

export const useTeam = (id: string) =>
  useQuery({ queryKey: teamKeys.one(id), queryFn: () => api.get<Team>(`/teams/${id}`) });

/** Every team write answers with the team: refresh the list (and services, which show team names). */
function useTeamWrite<A>(fn: (args: A) => Promise<Team | undefined>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (team) => {
      if (team) qc.setQueryData(teamKeys.one(team.id), team);
      void qc.invalidateQueries({ queryKey: teamKeys.all });
      void qc.invalidateQueries({ queryKey: ['services'] });
    },
  });
}

export const useSaveTeam = () =>
  useTeamWrite(({ id, input }: { id?: string; input: CreateTeamInput }) =>
    id ? api.patch<Team>(`/teams/${id}`, input) : api.post<Team>('/teams', input),
  );

export const useDeleteTeam = () => useTeamWrite((id: string) => api.delete<undefined>(`/teams/${id}`));

export const useSetMember = () =>
  useTeamWrite(({ teamId, userId, role }: { teamId: string; userId: string; role: TeamRole }) =>
    api.put<Team>(`/teams/${teamId}/members/${userId}`, { role }),
  );

export const useRemoveMember = () =>
  useTeamWrite(({ teamId, userId }: { teamId: string; userId: string }) =>
    api.delete<Team>(`/teams/${teamId}/members/${userId}`),
  );
