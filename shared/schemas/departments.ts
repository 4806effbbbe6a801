import { z } from 'zod';
import { languageCodeSchema } from './common.js';
import { routingConfigSchema } from './routing.js';

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM (00:00-24:00)');

export const openingIntervalSchema = z
  .object({ from: clock, to: clock })
  .refine((i) => i.from < i.to, 'an interval must end after it starts');

/** null means open around the clock. */
export const openingHoursSchema = z
  .object({
    timezone: z.string().min(1).max(64),
    weekly: z.partialRecord(z.enum(weekdays), z.array(openingIntervalSchema).max(6)),
  })
  .nullable();
export type OpeningHours = z.infer<typeof openingHoursSchema>;

export const publicDepartmentSchema = z.object({
  id: z.number().int(),
  slug: z.string(),
  name: z.string(),
  languages: z.array(languageCodeSchema),
  openingHours: openingHoursSchema,
  openNow: z.boolean(),
  /** ISO timestamp of the next opening when closed, null when open or never opening. */
  nextOpeningAt: z.string().nullable(),
});
export type PublicDepartment = z.infer<typeof publicDepartmentSchema>;

export const departmentSchema = z.object({
  id: z.number().int(),
  slug: z.string(),
  name: z.string(),
  languages: z.array(languageCodeSchema),
  openingHours: openingHoursSchema,
  fallbackDepartmentId: z.number().int().nullable(),
  routing: routingConfigSchema,
});
export type Department = z.infer<typeof departmentSchema>;

export const departmentBodySchema = z.object({
  slug: z.string().trim().min(1).max(64).regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and -'),
  name: z.string().trim().min(1).max(120),
  languages: z.array(languageCodeSchema).min(1).max(20),
  openingHours: openingHoursSchema.default(null),
  fallbackDepartmentId: z.number().int().positive().nullable().default(null),
  routing: routingConfigSchema.partial().default({}),
});
export const departmentPatchSchema = departmentBodySchema.partial().extend({ routing: routingConfigSchema.partial().optional() });
export type DepartmentBody = z.input<typeof departmentBodySchema>;
export type DepartmentPatch = z.input<typeof departmentPatchSchema>;
