import type { z } from 'zod';
import type { AckCallback } from './ack.js';

/**
 * A client→server event: the schema its payload must satisfy and, as a phantom type, what the
 * ack carries on success. The schema is the single source of the payload type.
 */
export interface EventSpec<P extends z.ZodType = z.ZodType, R = unknown> {
  readonly payload: P;
  readonly __result?: R;
}

export const defineEvent = <R>() => <P extends z.ZodType>(payload: P): EventSpec<P, R> => ({ payload });

export type EventContract = Record<string, EventSpec>;

export type PayloadIn<S> = S extends EventSpec<infer P, unknown> ? z.input<P> : never;
export type PayloadOut<S> = S extends EventSpec<infer P, unknown> ? z.output<P> : never;
export type ResultOf<S> = S extends EventSpec<z.ZodType, infer R> ? R : never;

/** Socket.IO ClientToServer map derived from a contract: every event takes a payload and an ack. */
export type ClientToServer<C extends EventContract> = {
  [K in keyof C]: (payload: PayloadIn<C[K]>, ack: AckCallback<ResultOf<C[K]>>) => void;
};
