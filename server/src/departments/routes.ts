import { Router } from 'express';
import { ok } from '../../../shared/ack.js';
import type { PublicDepartment } from '../../../shared/schemas/departments.js';
import type { Models } from '../db/models/index.js';
import { isOpen, nextOpening } from './openingHours.js';

export function publicDepartmentRoutes(models: Models, now: () => Date = () => new Date()): Router {
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
    res.json(ok({ departments }));
  });
  return router;
}
