import type { z } from 'zod';
import { findUnsafeText } from '../../../shared/schemas/safeText.js';
import { ValidationError } from './errors.js';

/**
 * Parses untrusted input against a shared schema, throwing the one validation error type. Input
 * with characters no text may hold (shared/schemas/safeText.ts) is refused before the schema.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const unsafe = findUnsafeText(input);
  if (unsafe) throw new ValidationError([unsafe], `Invalid input: ${unsafe.path ? `${unsafe.path}: ` : ''}${unsafe.message}`);
  const result = schema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(result.error);
  return result.data;
}
