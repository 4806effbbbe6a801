import type { ErrorBody, ErrorCode } from '../../shared/errors.js';
import type { Translate } from './i18n.svelte.js';

/**
 * Errors a client sees: everything the server can answer, plus two that only happen on the
 * client side (the request never reached the server, or the answer did not come in time).
 */
export type ClientErrorCode = ErrorCode | 'NETWORK' | 'TIMEOUT';
export type ClientError = Omit<ErrorBody, 'code'> & { code: ClientErrorCode };
export type ClientAck<T> = { ok: true; data: T } | { ok: false; error: ClientError };

export const networkError = (message = 'network error'): ClientError => ({ code: 'NETWORK', message });
export const timeoutError = (): ClientError => ({ code: 'TIMEOUT', message: 'no answer in time' });

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
