import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { ok } from '../../../shared/ack.js';
import { trackingCommentSchema, trackingTokenSchema } from '../../../shared/schemas/tickets.js';
import { requireUser } from '../auth/middleware.js';
import type { Sessions } from '../auth/sessions.js';
import { NotFoundError } from '../errors/errors.js';
import type { Limit } from '../limits/limits.js';
import { parseInput } from '../errors/parseInput.js';
import type { TicketAdmin } from './admin.js';
import type { Comments } from './comments.js';
import type { TicketDeps } from './deps.js';

const idParam = z.coerce.number().int().positive();

/**
 * The tracking page's API. The token is the only credential; a wrong, malformed or expired one is
 * the same plain 404 as an unknown route, with nothing to tell them apart. Every address has a
 * budget of requests per minute.
 */
export function publicTicketRoutes(
  deps: Pick<TicketDeps, 'models' | 'views' | 'tracking' | 'now' | 'log'>,
  comments: Comments,
  perAddress: Limit,
): Router {
  const router = Router();

  const limited: RequestHandler = async (req, _res, next) => {
    await perAddress.consume(req.ip ?? 'unknown');
    next();
  };

  async function byToken(raw: unknown) {
    const token = trackingTokenSchema.safeParse(raw);
    const t = token.success ? await deps.models.Ticket.findOne({ where: { trackingHash: deps.tracking.hash(token.data) } }) : null;
    if (!t || t.trackingExpiresAt.getTime() <= deps.now().getTime()) throw new NotFoundError('Not found.');
    return t;
  }

  router.get('/public/tickets/:token', limited, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(ok({ ticket: await deps.views.tracked(await byToken(req.params.token)) }));
  });

  router.post('/public/tickets/:token/comments', limited, async (req, res) => {
    const t = await byToken(req.params.token);
    const body = parseInput(trackingCommentSchema, req.body ?? {});
    const { deliver, ...result } = await comments.comment(t, body.clientId, body.text);
    res.status(result.duplicate ? 200 : 201).json(ok({ message: result.message, duplicate: result.duplicate }));
    // Persist, answer, then tell the others.
    deliver().catch((error: unknown) => deps.log.error({ err: error, ticketId: t.id }, 'delivering a tracking-page comment failed'));
  });
  return router;
}

/** SLA policies, assignment rules and substitutes (supervisors and admins). */
export function ticketAdminRoutes(admin: TicketAdmin, sessions: Sessions): Router {
  const router = Router();
  const supervisor = requireUser(sessions, 'supervisor');
  router.get('/sla-policies', supervisor, async (_req, res) => res.json(ok({ policies: await admin.policies() })));
  router.put('/sla-policies', supervisor, async (req, res) => res.json(ok({ policy: await admin.setPolicy(req.body) })));
  router.delete('/sla-policies/:id', supervisor, async (req, res) => {
    await admin.removePolicy(parseInput(idParam, req.params.id));
    res.json(ok({}));
  });
  router.get('/assignment-rules', supervisor, async (_req, res) => res.json(ok({ rules: await admin.rules() })));
  router.post('/assignment-rules', supervisor, async (req, res) => res.status(201).json(ok({ rule: await admin.createRule(req.body) })));
  router.patch('/assignment-rules/:id', supervisor, async (req, res) => res.json(ok({ rule: await admin.updateRule(parseInput(idParam, req.params.id), req.body) })));
  router.delete('/assignment-rules/:id', supervisor, async (req, res) => {
    await admin.removeRule(parseInput(idParam, req.params.id));
    res.json(ok({}));
  });
  router.get('/substitutes', supervisor, async (_req, res) => res.json(ok({ substitutes: await admin.substitutes() })));
  router.put('/users/:id/substitute', supervisor, async (req, res) => res.json(ok(await admin.setSubstitute(parseInput(idParam, req.params.id), req.body))));
  return router;
}
