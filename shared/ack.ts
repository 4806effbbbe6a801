import type { ErrorBody } from './errors.js';

/** The one response shape of every socket ack and every REST response body. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export type AckCallback<T> = (response: Ack<T>) => void;

export const ok = <T>(data: T): Ack<T> => ({ ok: true, data });
