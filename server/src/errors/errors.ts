import type { ZodError } from 'zod';
import { ErrorCode, type ErrorBody, type FieldIssue } from '../../../shared/errors.js';

/** Base of every error a client may see. Anything else becomes INTERNAL. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
    this.name = new.target.name;
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}

export class ValidationError extends AppError {
  constructor(
    readonly issues: FieldIssue[],
    message = 'The input is not valid.',
  ) {
    super(ErrorCode.VALIDATION_FAILED, message, 400);
  }

  static fromZod(error: ZodError): ValidationError {
    const issues = error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    return new ValidationError(issues, `Invalid input: ${summary}`);
  }

  override toBody(): ErrorBody {
    return { ...super.toBody(), issues: this.issues };
  }
}

export class UnknownEventError extends AppError {
  constructor(event: string) {
    super(ErrorCode.UNKNOWN_EVENT, `Unknown event "${event.slice(0, 80)}".`, 400);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Authentication required.') {
    super(ErrorCode.UNAUTHENTICATED, message, 401);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Not allowed.') {
    super(ErrorCode.FORBIDDEN, message, 403);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found.') {
    super(ErrorCode.NOT_FOUND, message, 404);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(ErrorCode.CONFLICT, message, 409);
  }
}

/**
 * A CONFLICT clients can act on: `reason` says why, machine-readable (`error.reason`, docs/protocol.md).
 * Each feature names its reasons (TransferRefusal and CallRefusal in shared/schemas, CommunityRefusal,
 * TicketConflict…) and throws `new RefusedError<ItsReasons>(reason, message)`, so a reason from
 * another feature, or a typo, does not compile.
 */
export class RefusedError<Reason extends string = string> extends ConflictError {
  constructor(
    readonly reason: Reason,
    message: string,
  ) {
    super(message);
  }

  override toBody(): ErrorBody {
    return { ...super.toBody(), reason: this.reason };
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message = 'Payload too large.') {
    super(ErrorCode.PAYLOAD_TOO_LARGE, message, 413);
  }
}

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, `Too many attempts; retry in ${retryAfterSeconds} s.`, 429);
  }

  override toBody(): ErrorBody {
    return { ...super.toBody(), retryAfterSeconds: this.retryAfterSeconds };
  }
}

export class UnavailableError extends AppError {
  constructor(
    message = 'Temporarily unavailable.',
    /** When known, how soon a retry may succeed (sent as retryAfterSeconds and Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(ErrorCode.UNAVAILABLE, message, 503);
  }

  override toBody(): ErrorBody {
    return this.retryAfterSeconds === undefined ? super.toBody() : { ...super.toBody(), retryAfterSeconds: this.retryAfterSeconds };
  }
}
