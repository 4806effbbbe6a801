import type { RequestHandler } from 'express';
import { ForbiddenError } from '../errors/errors.js';

/**
 * Cookie-authenticated requests that change state must come from the console's own origin.
 * SameSite cookies already stop most cross-site requests; this closes the rest (old browsers,
 * same-site subdomains). Requests without Origin (curl, server-to-server) carry no ambient cookie risk.
 */
export function sameOriginWrites(ownOrigins: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const origin = req.headers.origin;
    if (origin !== undefined && !ownOrigins.includes(origin)) {
      return next(new ForbiddenError('Cross-origin request refused.'));
    }
    next();
  };
}
