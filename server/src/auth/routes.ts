import { Router, type Response } from 'express';
import { loginBodySchema, setupBodySchema } from '../../../shared/schemas/auth.js';
import { ok } from '../../../shared/ack.js';
import type { Models } from '../db/models/index.js';
import { UnauthenticatedError } from '../errors/errors.js';
import { parseInput } from '../errors/parseInput.js';
import type { Logger } from '../log/logger.js';
import type { LoginLimiter } from './loginLimiter.js';
import type { HashGate } from './hashGate.js';
import { requireUser, sessionCookieFrom } from './middleware.js';
import { dummyPasswordHash, verifyPassword } from './passwords.js';
import { SESSION_COOKIE, type Sessions } from './sessions.js';
import type { Setup } from './setup.js';

export interface AuthRouteDeps {
  models: Models;
  sessions: Sessions;
  setup: Setup;
  limiter: LoginLimiter;
  /** Bounds how many password hashes run and wait at once. */
  hashGate: HashGate;
  log: Logger;
  cookie: { secure: boolean; ttlHours: number };
  /** Called with the id of a session that signed out, to close its live connections. */
  onSignedOut(sessionId: string): void;
}

export function authRoutes({ models, sessions, setup, limiter, hashGate, log, cookie, onSignedOut }: AuthRouteDeps): Router {
  const router = Router();

  const setSessionCookie = (res: Response, token: string) =>
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: cookie.secure,
      path: '/',
      maxAge: cookie.ttlHours * 3600_000,
    });

  router.post('/auth/login', async (req, res) => {
    const body = parseInput(loginBodySchema, req.body);
    const ip = req.ip ?? 'unknown';
    // The attempt counts before the password is checked: a burst cannot outrun the counter.
    await limiter.reserve(ip, body.email);
    const user = await models.User.findOne({ where: { email: body.email } });
    // Verify against a dummy hash for unknown accounts so timing does not reveal which exist.
    const stored = user?.passwordHash ?? (await dummyPasswordHash());
    const valid = await hashGate.run(() => verifyPassword(stored, body.password));
    if (!user || !valid || !user.active) {
      log.info({ ip, email: body.email }, 'login failed');
      throw new UnauthenticatedError('E-mail or password is wrong.');
    }
    await limiter.succeed(ip, body.email);
    setSessionCookie(res, await sessions.create(user.id, req.headers['user-agent']));
    log.info({ userId: user.id }, 'login');
    res.json(ok({ user: user.toPublic() }));
  });

  router.post('/auth/logout', async (req, res) => {
    const token = sessionCookieFrom(req.headers.cookie);
    if (token) onSignedOut(await sessions.destroy(token));
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.json(ok({}));
  });

  router.get('/auth/me', requireUser(sessions), (req, res) => {
    res.json(ok({ user: req.user!.toPublic() }));
  });

  router.get('/setup/status', async (_req, res) => {
    res.json(ok({ needsSetup: await setup.needsSetup() }));
  });

  router.post('/setup', async (req, res) => {
    const body = parseInput(setupBodySchema, req.body);
    const user = await setup.complete(body);
    log.info({ userId: user.id }, 'first admin created through setup');
    setSessionCookie(res, await sessions.create(user.id, req.headers['user-agent']));
    res.status(201).json(ok({ user: user.toPublic() }));
  });

  return router;
}
