import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Actor, AuditRepo } from '../../platform/audit/audit.repo.ts';
import type { AuthRepo } from '../../platform/auth/auth.repo.ts';
import type { Clock } from '../../platform/clock.ts';
import { fromJson, toJson } from '../../platform/db/constraint-errors.ts';
import type { DB } from '../../platform/db/schema.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { CatalogRepo, ServiceFilter, ServiceRow, TeamRow } from './catalog.repo.ts';
import type {
  createServiceBody,
  createTeamBody,
  Service,
  Team,
  updateServiceBody,
  updateTeamBody,
} from './catalog.schemas.ts';

export interface CatalogServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  repo: CatalogRepo;
  audit: Pick<AuditRepo, 'append'>;
  users: Pick<AuthRepo, 'findUserById'>;
}

type ServiceWithTeam = ServiceRow & { ownerTeamName: string | null };

const toService = (row: ServiceWithTeam): Service => ({
  ...row,
  tags: fromJson<string[]>(row.tags) ?? [],
  links: fromJson<{ title: string; url: string }[]>(row.links) ?? [],
});

/** Teams and the services they own: the catalog every other module hangs its records on. */
export function createCatalogService(deps: CatalogServiceDeps) {
  const { db, clock, repo, audit } = deps;

  async function teamWithMembers(ex: Kysely<DB>, row: TeamRow): Promise<Team> {
    const members = await repo.listMembers(ex, [row.id]);
    return {
      ...row,
      members: members.map(({ teamId: _, role, ...m }) => ({ ...m, role: role as 'lead' | 'member' })),
    };
  }

  async function mustFindTeam(ex: Kysely<DB>, id: string): Promise<Team> {
    const row = await repo.findTeam(ex, id);
    if (!row) throw notFound('Team', id);
    return teamWithMembers(ex, row);
  }

  async function mustFindService(ex: Kysely<DB>, id: string): Promise<Service> {
    const row = await repo.findService(ex, id);
    if (!row) throw notFound('Service', id);
    return toService(row);
  }

  async function ensureTeam(ex: Kysely<DB>, teamId: string | null | undefined): Promise<void> {
    if (teamId && !(await repo.findTeam(ex, teamId))) {
      throw notFound('Owner team', teamId);
    }
  }

  return {
    async listTeams(): Promise<Team[]> {
      const [teams, members] = await Promise.all([repo.listTeams(db), repo.listMembers(db)]);
      return teams.map((t) => ({
        ...t,
        members: members
          .filter((m) => m.teamId === t.id)
          .map(({ teamId: _, role, ...m }) => ({ ...m, role: role as 'lead' | 'member' })),
      }));
    },

    getTeam: (id: string) => mustFindTeam(db, id),

    async createTeam(actor: Actor, input: z.output<typeof createTeamBody>): Promise<Team> {
      const now = clock.now();
      const row: TeamRow = { id: newId(), ...input, createdAt: now, updatedAt: now };
      return db.transaction().execute(async (trx) => {
        await repo.insertTeam(trx, row);
        const team = await teamWithMembers(trx, row);
        await audit.append(trx, now, actor, {
          action: 'team.create',
          entityType: 'team',
          entityId: row.id,
          after: team,
        });
        return team;
      });
    },

    async updateTeam(actor: Actor, id: string, input: z.output<typeof updateTeamBody>): Promise<Team> {
      return db.transaction().execute(async (trx) => {
        const before = await mustFindTeam(trx, id);
        const now = clock.now();
        await repo.updateTeam(trx, id, { ...input, updatedAt: now });
        const after = await mustFindTeam(trx, id);
        await audit.append(trx, now, actor, {
          action: 'team.update',
          entityType: 'team',
          entityId: id,
          before,
          after,
        });
        return after;
      });
    },

    async deleteTeam(actor: Actor, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const before = await mustFindTeam(trx, id);
        const owned = await repo.countServicesOfTeam(trx, id);
        if (owned > 0)
          throw conflict(`Team "${before.name}" still owns ${owned} service(s); move them first`);
        await repo.deleteTeam(trx, id);
        await audit.append(trx, clock.now(), actor, {
          action: 'team.delete',
          entityType: 'team',
          entityId: id,
          before,
        });
      });
    },

    async setMember(actor: Actor, teamId: string, userId: string, role: 'lead' | 'member'): Promise<Team> {
      return db.transaction().execute(async (trx) => {
        const before = await mustFindTeam(trx, teamId);
        if (!(await deps.users.findUserById(trx, userId))) throw notFound('User', userId);
        const now = clock.now();
        await repo.upsertMember(trx, { teamId, userId, role, createdAt: now });
        const after = await mustFindTeam(trx, teamId);
        await audit.append(trx, now, actor, {
          action: 'team.member_set',
          entityType: 'team',
          entityId: teamId,
          before,
          after,
        });
        return after;
      });
    },

    async removeMember(actor: Actor, teamId: string, userId: string): Promise<Team> {
      return db.transaction().execute(async (trx) => {
        const before = await mustFindTeam(trx, teamId);
        if (!(await repo.deleteMember(trx, teamId, userId))) throw notFound('Team member', userId);
        const after = await mustFindTeam(trx, teamId);
        await audit.append(trx, clock.now(), actor, {
          action: 'team.member_remove',
          entityType: 'team',
          entityId: teamId,
          before,
          after,
        });
        return after;
      });
    },

    listServices: async (filter: ServiceFilter): Promise<Service[]> =>
      (await repo.listServices(db, filter)).map(toService),

    getService: (id: string) => mustFindService(db, id),

    async createService(actor: Actor, input: z.output<typeof createServiceBody>): Promise<Service> {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        await ensureTeam(trx, input.ownerTeamId);
        const id = newId();
        await repo.insertService(trx, {
          ...input,
          id,
          tags: toJson(input.tags),
          links: toJson(input.links),
          createdAt: now,
          updatedAt: now,
        });
        const after = await mustFindService(trx, id);
        await audit.append(trx, now, actor, {
          action: 'service.create',
          entityType: 'service',
          entityId: id,
          after,
        });
        return after;
      });
    },

    async updateService(
      actor: Actor,
      id: string,
      input: z.output<typeof updateServiceBody>,
    ): Promise<Service> {
      return db.transaction().execute(async (trx) => {
        const before = await mustFindService(trx, id);
        await ensureTeam(trx, input.ownerTeamId);
        const now = clock.now();
        const { tags, links, ...rest } = input;
        await repo.updateService(trx, id, {
          ...rest,
          ...(tags ? { tags: toJson(tags) } : {}),
          ...(links ? { links: toJson(links) } : {}),
          updatedAt: now,
        });
        const after = await mustFindService(trx, id);
        await audit.append(trx, now, actor, {
          action: 'service.update',
          entityType: 'service',
          entityId: id,
          before,
          after,
        });
        return after;
      });
    },

    async deleteService(actor: Actor, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const before = await mustFindService(trx, id);
        await repo.deleteService(trx, id);
        await audit.append(trx, clock.now(), actor, {
          action: 'service.delete',
          entityType: 'service',
          entityId: id,
          before,
        });
      });
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
