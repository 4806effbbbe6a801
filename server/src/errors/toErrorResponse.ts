import { ErrorCode, type ErrorBody } from '../../../shared/errors.js';
import { isDatabaseUnavailable } from '../db/failures.js';
import { isRedisUnavailable } from '../cluster/redisFailures.js';
import type { Logger } from '../log/logger.js';
import { AppError, ForbiddenError, NotFoundError, PayloadTooLargeError, UnauthenticatedError, ValidationError } from './errors.js';

/**
 * Express and its middleware (router, serve-static, body-parser) report a bad request as an
 * error with a 4xx `status` (or `statusCode`): a path that does not decode (400), a file that is
 * not there (404), a path that climbs out of the served folder (403), a range that cannot be
 * served (416). Those are the client's mistakes, answered with our codes; their own messages are
 * not echoed (they may quote server paths).
 */
function fromHttpError(error: unknown): AppError | null {
  if (!error || typeof error !== 'object') return null;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const code = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : NaN;
  if (!(code >= 400 && code < 500)) return null;
  switch (code) {
    case 400:
      return new ValidationError([{ path: '', message: 'malformed request' }], 'Malformed request.');
    case 401:
      return new UnauthenticatedError();
    case 403:
      return new ForbiddenError();
    case 404:
      return new NotFoundError();
    case 413:
      return new PayloadTooLargeError();
    default:
      return new AppError(ErrorCode.VALIDATION_FAILED, 'The request cannot be served as asked.', code);
  }
}

/**
 * The one place where any thrown value becomes what a client sees. App errors pass through with
 * their code; HTTP-level client errors of Express get theirs; a database that cannot be reached
 * (or stays locked) is UNAVAILABLE; everything else is logged in full and reported as INTERNAL
 * without details.
 */
export function toErrorResponse(
  error: unknown,
  log: Logger,
  context: Record<string, unknown>,
): { status: number; body: { ok: false; error: ErrorBody } } {
  const known = error instanceof AppError ? error : fromHttpError(error);
  if (known) {
    const level = known.httpStatus >= 500 ? 'error' : 'info';
    log[level]({ ...context, code: known.code, msg: known.message }, 'request refused');
    return { status: known.httpStatus, body: { ok: false, error: known.toBody() } };
  }
  if (isDatabaseUnavailable(error)) {
    // An outage, not a bug: logged in full for operators, answered so clients retry later.
    log.error({ ...context, err: error }, 'database unavailable');
    return {
      status: 503,
      body: { ok: false, error: { code: ErrorCode.UNAVAILABLE, message: 'The database is unavailable; try again later.' } },
    };
  }
  if (isRedisUnavailable(error)) {
    // Cluster state in Redis out of reach or stalled: the command failed fast (redisCluster.ts).
    log.error({ ...context, err: error }, 'redis unavailable');
    return {
      status: 503,
      body: { ok: false, error: { code: ErrorCode.UNAVAILABLE, message: 'Shared state is unavailable; try again shortly.' } },
    };
  }
  log.error({ ...context, err: error }, 'unexpected error');
  return {
    status: 500,
    body: { ok: false, error: { code: ErrorCode.INTERNAL, message: 'Internal error.' } },
  };
}
