import { z } from 'zod';
import { emailSchema, languageCodeSchema, roleSchema, uiLanguageSchema } from './common.js';

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
