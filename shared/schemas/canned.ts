import { z } from 'zod';
import { CANNED_BODY_MAX_LENGTH, CANNED_SHORTCUT_MAX_LENGTH, CANNED_SHORTCUT_PATTERN, CANNED_TITLE_MAX_LENGTH } from '../limits.js';

export const cannedResponseSchema = z.object({
  id: z.number().int(),
  /** null: for every department. */
  departmentId: z.number().int().nullable(),
  /** Typed after "/" in the composer, e.g. "gruss". */
  shortcut: z.string(),
  title: z.string(),
  /** May contain {visitor.name}, {visitor.firstName}, {agent.name}, {agent.firstName}, {department.name}. */
  body: z.string(),
});
export type CannedResponse = z.infer<typeof cannedResponseSchema>;

export const cannedResponseBodySchema = z.object({
  departmentId: z.number().int().positive().nullable().default(null),
  shortcut: z.string().trim().min(1).max(CANNED_SHORTCUT_MAX_LENGTH).regex(CANNED_SHORTCUT_PATTERN, 'letters, digits, _ and - only'),
  title: z.string().trim().min(1).max(CANNED_TITLE_MAX_LENGTH),
  body: z.string().trim().min(1).max(CANNED_BODY_MAX_LENGTH),
});
export type CannedResponseBody = z.input<typeof cannedResponseBodySchema>;

export const cannedVariables = ['visitor.name', 'visitor.firstName', 'agent.name', 'agent.firstName', 'department.name'] as const;
export type CannedVariables = Partial<Record<(typeof cannedVariables)[number], string>>;

/** Fills {variables} in a canned response; unknown or empty ones are left visible for the agent to fix. */
export function renderCanned(body: string, vars: CannedVariables): string {
  return body.replace(/\{([a-zA-Z]+\.[a-zA-Z]+)\}/g, (whole, name: string) => {
    const value = vars[name as keyof CannedVariables];
    return value ? value : whole;
  });
}

/** First name for greetings: the first word of a display name. */
export const firstName = (name: string | null | undefined): string => (name ?? '').trim().split(/\s+/)[0] ?? '';
