import { parse as parseCookie } from 'cookie';
import type { RequestHandler } from 'express';
import type { Role } from '../../../shared/schemas/common.js';
import type { UserModel } from '../db/models/index.js';
import { ForbiddenError, UnauthenticatedError } from '../errors/errors.js';
import { SESSION_COOKIE, type Sessions } from './sessions.js';

declare module 'express-serve-static-core' {
  interface Request {
    user?: UserModel;
    /** The id of the session behind the request's cookie (set with `user`). */
    sessionId?: string;
  }
}

const rank: Record<Role, number> = { agent: 1, supervisor: 2, admin: 3 };

/** Admins may do what supervisors may, supervisors what agents may. */
export const hasRole = (actual: Role, required: Role): boolean => rank[actual] >= rank[required];

export const sessionCookieFrom = (cookieHeader: string | undefined): string | undefined =>
  cookieHeader ? parseCookie(cookieHeader)[SESSION_COOKIE] : undefined;

/** Resolves the session cookie and insists on at least `role`. */
export function requireUser(sessions: Sessions, role: Role = 'agent'): RequestHandler {
  return async (req, _res, next) => {
    const resolved = await sessions.resolve(sessionCookieFrom(req.headers.cookie));
    if (!resolved) throw new UnauthenticatedError();
    if (!hasRole(resolved.user.role, role)) throw new ForbiddenError(`Requires role ${role}.`);
    req.user = resolved.user;
    req.sessionId = resolved.sessionId;
    next();
  };
}
