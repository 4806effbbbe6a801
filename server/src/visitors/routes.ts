import { Router } from 'express';
import { ok } from '../../../shared/ack.js';
import { visitorSessionBodySchema } from '../../../shared/schemas/chat.js';
import { parseInput } from '../errors/parseInput.js';
import type { VisitorQuotas } from './quotas.js';
import type { Visitors } from './visitors.js';

export function visitorRoutes(visitors: Visitors, quotas: Pick<VisitorQuotas, 'newVisitor'>): Router {
  const router = Router();
  router.post('/visitor/session', async (req, res) => {
    const body = parseInput(visitorSessionBodySchema, req.body ?? {});
    // Only a new visitor costs budget: a widget resuming with its token is never refused.
    res.json(ok(await visitors.session(body.token, () => quotas.newVisitor(req.ip ?? 'unknown'))));
  });
  return router;
}
