import { Router } from 'express';
import { z } from 'zod';
import { ok } from '../../../shared/ack.js';
import { parseInput } from '../errors/parseInput.js';
import { requireUser } from '../auth/middleware.js';
import type { Sessions } from '../auth/sessions.js';
import type { Users } from './users.js';

export function userRoutes(users: Users, sessions: Sessions): Router {
  const router = Router();
  router.get('/users', requireUser(sessions, 'supervisor'), async (_req, res) => {
    res.json(ok({ users: (await users.list()).map((u) => u.toPublic()) }));
  });
  router.post('/users', requireUser(sessions, 'admin'), async (req, res) => {
    res.status(201).json(ok({ user: (await users.create(req.body)).toPublic() }));
  });
  router.patch('/users/:id', requireUser(sessions, 'admin'), async (req, res) => {
    const id = parseInput(z.coerce.number().int().positive(), req.params.id);
    // Sign-ins that lose their rights end with the change (users.update tells the session guard).
    const user = await users.update(id, req.body, { userId: req.user!.id, sessionId: req.sessionId! });
    res.json(ok({ user: user.toPublic() }));
  });
  router.get('/users/:id/memberships', requireUser(sessions, 'supervisor'), async (req, res) => {
    const id = parseInput(z.coerce.number().int().positive(), req.params.id);
    res.json(ok({ memberships: await users.memberships(id) }));
  });
  return router;
}
