/**
 * Error codes every client can rely on. Clients translate by code (see i18n), servers attach a
 * human-readable English message for logs and third-party clients.
 */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNKNOWN_EVENT: 'UNKNOWN_EVENT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One field problem, as reported inside VALIDATION_FAILED errors. */
export interface FieldIssue {
  /** Dotted path into the payload, '' for the payload itself. */
  path: string;
  message: string;
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Present on VALIDATION_FAILED. */
  issues?: FieldIssue[];
  /** Present on RATE_LIMITED (and on some UNAVAILABLE): seconds until a retry can succeed. */
  retryAfterSeconds?: number;
  /** Present on some CONFLICT errors: why, machine-readable (e.g. a transfer refusal such as `at_capacity`). */
  reason?: string;
}
