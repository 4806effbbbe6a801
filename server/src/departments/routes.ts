import { Router } from 'express';
import { ok } from '../../../shared/ack.js';
import type { PublicDepartment } from '../../../shared/schemas/departments.js';
import type { VoiceStatus } from '../../../shared/schemas/voice.js';
import { z } from 'zod';
import { requireUser } from '../auth/middleware.js';
import type { Sessions } from '../auth/sessions.js';
import type { Models } from '../db/models/index.js';
import { parseInput } from '../errors/parseInput.js';
import type { Departments } from './departments.js';
import { isOpen, nextOpening } from './openingHours.js';

/** `voice`: whether this server takes calls (the widget shows its call button only then). */
export function publicDepartmentRoutes(models: Models, now: () => Date = () => new Date(), voice: () => VoiceStatus = () => ({ available: false, reason: null })): Router {
  const router = Router();
  router.get('/public/departments', async (_req, res) => {
    const at = now();
    const departments: PublicDepartment[] = (await models.Department.findAll({ order: [['id', 'ASC']] })).map((d) => {
      const open = isOpen(d.openingHours, at);
      return {
        id: d.id,
        slug: d.slug,
        name: d.name,
        languages: d.languages,
        openingHours: d.openingHours,
        openNow: open,
        nextOpeningAt: open ? null : (nextOpening(d.openingHours, at)?.toISOString() ?? null),
      };
    });
    res.json(ok({ departments, voice: { available: voice().available } }));
  });
  return router;
}

/** Departments with their routing settings: agents read them, admins change them. */
export function departmentRoutes(departments: Departments, sessions: Sessions): Router {
  const router = Router();
  router.get('/departments', requireUser(sessions), async (_req, res) => {
    res.json(ok({ departments: await departments.list() }));
  });
  router.post('/departments', requireUser(sessions, 'admin'), async (req, res) => {
    res.status(201).json(ok({ department: await departments.create(req.body) }));
  });
  router.patch('/departments/:id', requireUser(sessions, 'admin'), async (req, res) => {
    res.json(ok({ department: await departments.update(parseInput(z.coerce.number().int().positive(), req.params.id), req.body) }));
  });
  return router;
}
