import { Router } from 'express';
import { ok } from '../../../shared/ack.js';
import { uuidSchema } from '../../../shared/schemas/common.js';
import { hasRole, requireUser } from '../auth/middleware.js';
import type { Sessions } from '../auth/sessions.js';
import type { Database } from '../db/database.js';
import { NotFoundError } from '../errors/errors.js';
import { parseInput } from '../errors/parseInput.js';
import type { Timeline } from './timeline.js';

export interface ConversationRouteDeps {
  db: Database;
  sessions: Sessions;
  timeline: Timeline;
  /** Agents who took part in a transfer of the conversation may read its history too. */
  wasParty(userId: number, conversationId: string): Promise<boolean>;
}

export function conversationRoutes(deps: ConversationRouteDeps): Router {
  const router = Router();
  router.get('/conversations/:id/events', requireUser(deps.sessions), async (req, res) => {
    const user = req.user!;
    const id = parseInput(uuidSchema, req.params.id);
    const conversation = await deps.db.models.Conversation.findByPk(id, { attributes: ['id', 'assignedAgentId'] });
    const may = conversation && (hasRole(user.role, 'supervisor') || conversation.assignedAgentId === user.id || (await deps.wasParty(user.id, id)));
    if (!may) throw new NotFoundError('No such conversation.');
    res.json(ok({ events: await deps.timeline.events(id) }));
  });
  return router;
}
