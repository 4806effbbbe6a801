import { Router } from 'express';
import { z } from 'zod';
import { ok } from '../../../shared/ack.js';
import { communityRoomInputSchema, communityRoomPatchSchema } from '../../../shared/schemas/community.js';
import { requireUser } from '../auth/middleware.js';
import type { Sessions } from '../auth/sessions.js';
import { ConflictError, NotFoundError } from '../errors/errors.js';
import { parseInput } from '../errors/parseInput.js';
import { isUniqueViolation } from '../db/failures.js';
import type { Community } from './community.js';

const idParam = z.coerce.number().int().positive();

/** Admins set up the topic rooms; everyone on the team can list them. */
export function communityRoutes(community: Community, sessions: Sessions): Router {
  const { Room } = community.models;
  const router = Router();
  const unique = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('A room with this slug exists.');
      throw error;
    }
  };
  router.get('/community/rooms', requireUser(sessions), async (_req, res) => {
    const rows = await Room.findAll({ order: [['position', 'ASC'], ['id', 'ASC']] });
    res.json(ok({ rooms: rows.map((r) => r.toPublic()) }));
  });
  router.post('/community/rooms', requireUser(sessions, 'admin'), async (req, res) => {
    const input = parseInput(communityRoomInputSchema, req.body);
    const row = await unique(() => Room.create({ ...input, createdAt: new Date() }));
    res.status(201).json(ok({ room: row.toPublic() }));
  });
  router.patch('/community/rooms/:id', requireUser(sessions, 'admin'), async (req, res) => {
    const row = await Room.findByPk(parseInput(idParam, req.params.id));
    if (!row) throw new NotFoundError('No such room.');
    await unique(() => row.update(parseInput(communityRoomPatchSchema, req.body)));
    res.json(ok({ room: row.toPublic() }));
  });
  return router;
}
