import type { ErrorBody, ErrorCode } from '../../shared/errors.js';
import type { CommonKey } from '../../shared/i18n/en.js';

/** lib/i18n.svelte.ts `Translate`, spelled out so this module (and the outbox) load without Svelte in unit tests. */
type Translate = (key: CommonKey, params?: Record<string, string | number>) => string;

/**
 * Errors a client sees: everything the server can answer, plus two that only happen on the
 * client side (the request never reached the server, or the answer did not come in time).
 */
export type ClientErrorCode = ErrorCode | 'NETWORK' | 'TIMEOUT';
export type ClientError = Omit<ErrorBody, 'code'> & { code: ClientErrorCode };
export type ClientAck<T> = { ok: true; data: T } | { ok: false; error: ClientError };

export const networkError = (message = 'network error'): ClientError => ({ code: 'NETWORK', message });
export const notConnected = (): { ok: false; error: ClientError } => ({ ok: false, error: networkError('not connected') });

/**
 * The request was lost on the way (no answer in time, or the connection dropped): sending it again
 * with the same client id is safe, the server keeps it once. Every other error is the server's answer.
 */
export const isTransient = (error: ClientError): boolean => error.code === 'TIMEOUT' || error.code === 'NETWORK';

/** Turns an error into a sentence in the UI language (never shows the server's English text). */
export function errorText(t: Translate, error: ClientError): string {
  switch (error.code) {
    case 'NETWORK':
      return t('error.network');
    case 'TIMEOUT':
      return t('error.timeout');
    case 'RATE_LIMITED':
      return t('error.RATE_LIMITED', { seconds: Math.max(1, Math.ceil(error.retryAfterSeconds ?? 30)) });
    default:
      return t(`error.${error.code}`);
  }
}

/**
 * Groups VALIDATION_FAILED issues by their top-level field so forms can show them next to the
 * input. The server's issue messages are English; forms show them only as a fallback.
 */
export function issuesByField(error: ClientError | null): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const issue of error?.issues ?? []) {
    const field = issue.path.split('.')[0] ?? '';
    byField[field] ??= issue.message;
  }
  return byField;
}
