import { Router } from 'express';
import { ok } from '../../../shared/ack.js';
import { visitorSessionBodySchema } from '../../../shared/schemas/chat.js';
import { parseInput } from '../http/validate.js';
import type { Visitors } from './visitors.js';

export function visitorRoutes(visitors: Visitors): Router {
  const router = Router();
  router.post('/visitor/session', async (req, res) => {
    const body = parseInput(visitorSessionBodySchema, req.body ?? {});
    res.json(ok(await visitors.session(body.token)));
  });
  return router;
}
