import { Router } from 'express';
import { z } from 'zod';
import { ok } from '../../../shared/ack.js';
import { hasRole, requireUser } from '../auth/middleware.js';
import type { Sessions } from '../auth/sessions.js';
import { parseInput } from '../errors/parseInput.js';
import type { CannedResponses } from './cannedResponses.js';

const idParam = z.coerce.number().int().positive();

export function cannedRoutes(canned: CannedResponses, sessions: Sessions, memberDepartments: (userId: number) => Promise<number[]>): Router {
  const router = Router();
  router.get('/canned-responses', requireUser(sessions), async (req, res) => {
    const user = req.user!;
    res.json(ok({ responses: await canned.list(hasRole(user.role, 'supervisor') ? null : await memberDepartments(user.id)) }));
  });
  router.post('/canned-responses', requireUser(sessions, 'supervisor'), async (req, res) => {
    res.status(201).json(ok({ response: await canned.create(req.body, req.user!.id) }));
  });
  router.patch('/canned-responses/:id', requireUser(sessions, 'supervisor'), async (req, res) => {
    res.json(ok({ response: await canned.update(parseInput(idParam, req.params.id), req.body) }));
  });
  router.delete('/canned-responses/:id', requireUser(sessions, 'supervisor'), async (req, res) => {
    await canned.remove(parseInput(idParam, req.params.id));
    res.json(ok({}));
  });
  return router;
}
