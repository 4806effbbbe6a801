import { Router } from 'express';
import { ok } from '../../../shared/ack.js';
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
  return router;
}
