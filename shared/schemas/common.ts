import { z } from 'zod';
import { EMAIL_MAX_LENGTH } from '../limits.js';

export const languages = ['de', 'en'] as const;
/** Languages the UI speaks. Conversations may be in any ISO 639-1 language agents list. */
export const uiLanguageSchema = z.enum(languages);
export type UiLanguage = z.infer<typeof uiLanguageSchema>;

export const languageCodeSchema = z
  .string()
  .regex(/^[a-z]{2}$/, 'expected a two-letter ISO 639-1 language code such as "de"');

export const uuidSchema = z.uuid();

/** Ids made by clients to make retries idempotent. Opaque to the server. */
export const clientIdSchema = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'expected 8-64 characters of A-Z, a-z, 0-9, _ or -');

export const positiveIdSchema = z.number().int().positive().max(2 ** 31 - 1);

/** Trimmed free text: strings are stored as sent (after trim) and never rendered as HTML. */
export const text = (max: number) => z.string().trim().min(1).max(max);

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email()).pipe(z.string().max(EMAIL_MAX_LENGTH));

export const levels = ['L1', 'L2', 'L3'] as const;
export const levelSchema = z.enum(levels);
export type Level = z.infer<typeof levelSchema>;

export const roles = ['agent', 'supervisor', 'admin'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;
