import { ErrorCode, type ErrorBody } from '../../../shared/errors.js';
import type { Logger } from '../log/logger.js';
import { AppError } from './errors.js';

/**
 * The one place where any thrown value becomes what a client sees. App errors pass through with
 * their code; everything else is logged in full and reported as INTERNAL without details.
 */
export function toErrorResponse(
  error: unknown,
  log: Logger,
  context: Record<string, unknown>,
): { status: number; body: { ok: false; error: ErrorBody } } {
  if (error instanceof AppError) {
    const level = error.httpStatus >= 500 ? 'error' : 'info';
    log[level]({ ...context, code: error.code, msg: error.message }, 'request refused');
    return { status: error.httpStatus, body: { ok: false, error: error.toBody() } };
  }
  log.error({ ...context, err: error }, 'unexpected error');
  return {
    status: 500,
    body: { ok: false, error: { code: ErrorCode.INTERNAL, message: 'Internal error.' } },
  };
}
