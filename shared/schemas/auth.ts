import { z } from 'zod';
import { emailSchema, languageCodeSchema, levelSchema, roleSchema, uiLanguageSchema } from './common.js';

export const passwordSchema = z.string().min(10, 'at least 10 characters').max(200);

export const loginBodySchema = z.object({
  email: emailSchema,
  password: z.string().min(1).max(200),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const setupBodySchema = z.object({
  setupToken: z.string().min(16).max(128),
  name: z.string().trim().min(1).max(120),
  email: emailSchema,
  password: passwordSchema,
});
export type SetupBody = z.input<typeof setupBodySchema>;

export const userSchema = z.object({
  id: z.number().int(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  languages: z.array(languageCodeSchema),
  uiLanguage: uiLanguageSchema,
  maxChats: z.number().int(),
  /** Offered chats are accepted without asking. */
  autoAccept: z.boolean(),
});
export type User = z.infer<typeof userSchema>;

export const createUserBodySchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1).max(120),
  password: passwordSchema,
  role: roleSchema.default('agent'),
  languages: z.array(languageCodeSchema).min(1).max(20).default(['de']),
  uiLanguage: uiLanguageSchema.default('de'),
  maxChats: z.number().int().min(1).max(50).default(3),
});
export type CreateUserBody = z.input<typeof createUserBodySchema>;

export const setupStatusSchema = z.object({ needsSetup: z.boolean() });
export type SetupStatus = z.infer<typeof setupStatusSchema>;

export const membershipBodySchema = z.object({
  departmentId: z.number().int().positive(),
  level: levelSchema,
  /** Overrides the user's maximum for chats of this department. */
  maxChats: z.number().int().min(1).max(50).nullable().default(null),
});

export const userPatchSchema = z.object({
  name: z.string().trim().min(1).max(120).optional(),
  role: roleSchema.optional(),
  languages: z.array(languageCodeSchema).min(1).max(20).optional(),
  uiLanguage: uiLanguageSchema.optional(),
  maxChats: z.number().int().min(1).max(50).optional(),
  active: z.boolean().optional(),
  password: passwordSchema.optional(),
  /** Replaces all memberships when given. */
  memberships: z.array(membershipBodySchema).max(100).optional(),
});
export type UserPatch = z.input<typeof userPatchSchema>;

/**
 * Why the server ended a console connection (`session:ended`): signed out, the account was
 * deactivated, the password was changed (every other session ends), the role changed (sign-in
 * stands; reload to get the new role's console), the session expired, or it no longer stands for
 * another reason (removed).
 */
export const sessionEndCodes = ['SIGNED_OUT', 'DEACTIVATED', 'PASSWORD_CHANGED', 'ROLE_CHANGED', 'EXPIRED', 'REVOKED'] as const;
export type SessionEndCode = (typeof sessionEndCodes)[number];
