import type { ErrorRequestHandler, RequestHandler } from 'express';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../errors/errors.js';
import { toErrorResponse } from '../errors/toErrorResponse.js';
import type { Logger } from '../log/logger.js';

/** body-parser reports its failures as errors with a `type`; turn them into our error classes. */
function fromBodyParser(error: unknown): unknown {
  const type = (error as { type?: string } | null)?.type;
  if (type === 'entity.too.large') return new PayloadTooLargeError('Request body too large.');
  if (type === 'entity.parse.failed') return new ValidationError([{ path: '', message: 'malformed JSON' }], 'Malformed JSON body.');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new ValidationError([{ path: '', message: 'unsupported encoding' }], 'Unsupported body encoding.');
  }
  return error;
}

/** A tracking token in a path is a credential: logs get the path without it. */
export const redactPath = (path: string): string => path.replace(/(\/api\/public\/tickets\/)[^/?]+/, '$1[redacted]').replace(/^(\/public\/tickets\/)[^/?]+/, '$1[redacted]');

export function apiNotFound(): RequestHandler {
  return (req, _res, next) => next(new NotFoundError(`No API route ${req.method} ${req.path}.`));
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const { status, body } = toErrorResponse(fromBodyParser(error), log, {
      method: req.method,
      path: redactPath(req.originalUrl.split('?')[0] ?? req.path),
      ip: req.ip,
    });
    // A failure halfway through a response (a file stream breaking): nothing more can be said; cut it.
    if (res.headersSent) return void req.socket.destroy();
    if (body.error.retryAfterSeconds) res.setHeader('Retry-After', String(body.error.retryAfterSeconds));
    res.status(status).json(body);
  };
}
