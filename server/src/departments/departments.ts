import { UniqueConstraintError } from 'sequelize';
import { departmentBodySchema, departmentPatchSchema, type Department, type DepartmentBody, type DepartmentPatch } from '../../../shared/schemas/departments.js';
import type { RoutingConfig } from '../../../shared/schemas/routing.js';
import type { DepartmentModel, Models } from '../db/models/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors/errors.js';
import { parseInput } from '../errors/parseInput.js';
import { isValidTimeZone } from './openingHours.js';

export const toDepartment = (d: DepartmentModel): Department => ({
  id: d.id,
  slug: d.slug,
  name: d.name,
  languages: d.languages,
  openingHours: d.openingHours,
  fallbackDepartmentId: d.fallbackDepartmentId,
  routing: d.routing(),
});

/** Routing settings as stored columns. */
function routingColumns(routing: Partial<RoutingConfig>) {
  const c: Record<string, unknown> = {};
  if (routing.strategy !== undefined) c.routingStrategy = routing.strategy;
  if (routing.maxWaitSeconds !== undefined) c.maxWaitSeconds = routing.maxWaitSeconds;
  if (routing.offerTimeoutSeconds !== undefined) c.offerTimeoutSeconds = routing.offerTimeoutSeconds;
  if (routing.wrapUpSeconds !== undefined) c.wrapUpSeconds = routing.wrapUpSeconds;
  if (routing.widenToL2AfterSeconds !== undefined) c.widenL2AfterSeconds = routing.widenToL2AfterSeconds;
  if (routing.widenToL3AfterSeconds !== undefined) c.widenL3AfterSeconds = routing.widenToL3AfterSeconds;
  if (routing.fallbackLanguage !== undefined) c.fallbackLanguage = routing.fallbackLanguage;
  if (routing.fallbackLanguageAfterSeconds !== undefined) c.fallbackLanguageAfterSeconds = routing.fallbackLanguageAfterSeconds;
  if (routing.softLimitSeconds !== undefined) c.softLimitSeconds = routing.softLimitSeconds;
  if (routing.offlineFallback !== undefined) c.offlineFallback = routing.offlineFallback;
  return c;
}

export function createDepartments(models: Models, onChange: () => Promise<void>) {
  const { Department } = models;

  async function checkReferences(openingHours: Department['openingHours'] | undefined, fallbackId: number | null | undefined, selfId: number | null) {
    if (openingHours && !isValidTimeZone(openingHours.timezone)) {
      throw new ValidationError([{ path: 'openingHours.timezone', message: `unknown time zone "${openingHours.timezone}"` }]);
    }
    if (fallbackId !== undefined && fallbackId !== null) {
      if (fallbackId === selfId) throw new ValidationError([{ path: 'fallbackDepartmentId', message: 'a department cannot fall back to itself' }]);
      if (!(await Department.findByPk(fallbackId, { attributes: ['id'] }))) throw new ValidationError([{ path: 'fallbackDepartmentId', message: 'unknown department' }]);
    }
  }

  const unique = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UniqueConstraintError) throw new ConflictError('A department with this slug exists.');
      throw error;
    }
  };

  return {
    list: async () => (await Department.findAll({ order: [['id', 'ASC']] })).map(toDepartment),
    async create(input: DepartmentBody): Promise<Department> {
      const body = parseInput(departmentBodySchema, input);
      await checkReferences(body.openingHours, body.fallbackDepartmentId, null);
      const { routing, ...rest } = body;
      const row = await unique(() => Department.create({ ...rest, ...routingColumns(routing) }));
      await onChange();
      return toDepartment(row);
    },
    async update(id: number, input: DepartmentPatch): Promise<Department> {
      const row = await Department.findByPk(id);
      if (!row) throw new NotFoundError('No such department.');
      const body = parseInput(departmentPatchSchema, input);
      await checkReferences(body.openingHours, body.fallbackDepartmentId, id);
      const { routing, ...rest } = body;
      await unique(() => row.update({ ...rest, ...routingColumns(routing ?? {}) }));
      await onChange();
      return toDepartment(row);
    },
  };
}

export type Departments = ReturnType<typeof createDepartments>;
