import { z } from 'zod';
import { LOCALES, ROLES, SCOPES } from './roles.ts';

export const roleSchema = z.enum(ROLES);
export const localeSchema = z.enum(LOCALES);
export const scopeSchema = z.enum(SCOPES);
export const idParams = z.strictObject({ id: z.uuid() });

const username = z
  .string()
  .regex(/^[a-z0-9._-]{2,64}$/, 'must be 2-64 characters of lower-case letters, digits, ".", "_" or "-"');
const password = z.string().min(8, 'must be at least 8 characters').max(256);
const email = z.email().max(254).nullable();

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  role: roleSchema,
  locale: localeSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
  disabledAt: z.number().nullable(),
});
export type User = z.infer<typeof userSchema>;

export const loginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
export const sessionReply = z.object({ user: userSchema, csrfToken: z.string() });

export const createUserBody = z.strictObject({
  username,
  displayName: z.string().trim().min(1).max(128),
  email: email.optional(),
  role: roleSchema,
  locale: localeSchema.default('en'),
  password,
});
export const updateUserBody = z
  .strictObject({
    displayName: z.string().trim().min(1).max(128),
    email,
    role: roleSchema,
    locale: localeSchema,
  })
  .partial();
export const updateMeBody = updateUserBody.omit({ role: true });
export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: password,
});
export const resetPasswordBody = z.strictObject({ newPassword: password });
export const usersReply = z.object({ items: z.array(userSchema) });

export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(scopeSchema),
  userId: z.string(),
  username: z.string(),
  createdAt: z.number(),
  expiresAt: z.number().nullable(),
  lastUsedAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
});
export type ApiToken = z.infer<typeof tokenSchema>;
export const createTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(128),
  scopes: z.array(scopeSchema).min(1, 'choose at least one scope').max(SCOPES.length),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export const createdTokenReply = z.object({
  token: tokenSchema,
  secret: z.string().describe('Shown once; send as "Authorization: Bearer <secret>"'),
});
export const tokensQuery = z.strictObject({ all: z.enum(['true', 'false']).optional() });
export const tokensReply = z.object({ items: z.array(tokenSchema) });
