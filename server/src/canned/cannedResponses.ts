import { Op } from 'sequelize';
import { cannedResponseBodySchema, type CannedResponse, type CannedResponseBody } from '../../../shared/schemas/canned.js';
import type { Models } from '../db/models/index.js';
import { NotFoundError, ValidationError } from '../errors/errors.js';
import { parseInput } from '../errors/parseInput.js';

/** Canned responses: kept by supervisors, per department or for all, used by agents with "/". */
export function createCannedResponses(models: Models) {
  const { CannedResponse: Canned, Department } = models;

  async function checkDepartment(departmentId: number | null) {
    if (departmentId !== null && !(await Department.findByPk(departmentId, { attributes: ['id'] }))) {
      throw new ValidationError([{ path: 'departmentId', message: 'unknown department' }]);
    }
  }

  return {
    /** For these departments plus the ones meant for everyone; null: all. */
    async list(departmentIds: number[] | null): Promise<CannedResponse[]> {
      const where = departmentIds === null ? {} : { [Op.or]: [{ departmentId: null }, { departmentId: departmentIds }] };
      return (await Canned.findAll({ where, order: [['shortcut', 'ASC']] })).map((c) => c.toPublic());
    },
    async create(input: CannedResponseBody, createdBy: number): Promise<CannedResponse> {
      const body = parseInput(cannedResponseBodySchema, input);
      await checkDepartment(body.departmentId);
      return (await Canned.create({ ...body, createdBy })).toPublic();
    },
    async update(id: number, input: CannedResponseBody): Promise<CannedResponse> {
      const row = await Canned.findByPk(id);
      if (!row) throw new NotFoundError('No such canned response.');
      const body = parseInput(cannedResponseBodySchema, input);
      await checkDepartment(body.departmentId);
      return (await row.update(body)).toPublic();
    },
    async remove(id: number): Promise<void> {
      if ((await Canned.destroy({ where: { id } })) === 0) throw new NotFoundError('No such canned response.');
    },
  };
}

export type CannedResponses = ReturnType<typeof createCannedResponses>;
