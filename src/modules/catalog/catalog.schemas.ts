import { z } from 'zod';

export const TEAM_ROLES = ['lead', 'member'] as const;

export const teamMemberSchema = z.object({
  userId: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(TEAM_ROLES),
});
export const teamSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  members: z.array(teamMemberSchema),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Team = z.infer<typeof teamSchema>;

export const createTeamBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2000).default(''),
});
export const updateTeamBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(2000),
  })
  .partial();
export const memberParams = z.strictObject({ id: z.uuid(), userId: z.uuid() });
export const memberBody = z.strictObject({ role: z.enum(TEAM_ROLES).default('member') });

const linkSchema = z.strictObject({
  title: z.string().trim().min(1).max(100),
  url: z.url({ protocol: /^https?$/ }),
});
export const serviceSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  ownerTeamId: z.string().nullable(),
  ownerTeamName: z.string().nullable(),
  tier: z.number().int(),
  tags: z.array(z.string()),
  links: z.array(z.object({ title: z.string(), url: z.string() })),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Service = z.infer<typeof serviceSchema>;

const serviceFields = {
  name: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,62}$/,
      'must be 1-63 characters of lower-case letters, digits and "-" (like a DNS label)',
    ),
  description: z.string().max(2000),
  ownerTeamId: z.uuid().nullable(),
  tier: z.number().int().min(1, 'tier is 1 (most critical) to 3').max(3, 'tier is 1 (most critical) to 3'),
  tags: z.array(z.string().trim().min(1).max(50)).max(20),
  links: z.array(linkSchema).max(20),
};
export const createServiceBody = z.strictObject({
  ...serviceFields,
  description: serviceFields.description.default(''),
  ownerTeamId: serviceFields.ownerTeamId.default(null),
  tier: serviceFields.tier.default(2),
  tags: serviceFields.tags.default([]),
  links: serviceFields.links.default([]),
});
export const updateServiceBody = z.strictObject(serviceFields).partial();
export const servicesQuery = z.strictObject({
  q: z.string().max(100).optional(),
  teamId: z.uuid().optional(),
  tier: z.coerce.number().int().min(1).max(3).optional(),
  tag: z.string().max(50).optional(),
});

export const teamsReply = z.object({ items: z.array(teamSchema) });
export const servicesReply = z.object({ items: z.array(serviceSchema) });
