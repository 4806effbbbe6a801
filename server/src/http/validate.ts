import type { z } from 'zod';
import { ValidationError } from '../errors/errors.js';

/** Parses untrusted input against a shared schema, throwing the one validation error type. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(result.error);
  return result.data;
}
