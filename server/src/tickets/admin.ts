import type { AssignmentRule, AssignmentRuleBody, SlaPolicy, Substitute } from '../../../shared/schemas/tickets.js';
import { assignmentRuleBodySchema, assignmentRulePatchSchema, slaPolicyBodySchema, substituteBodySchema } from '../../../shared/schemas/tickets.js';
import type { Database } from '../db/database.js';
import { NotFoundError, ValidationError } from '../errors/errors.js';
import { parseInput } from '../errors/parseInput.js';
import { toRule } from './assignment.js';
import type { SlaPolicyModel, TicketModels } from './models.js';

const toPolicy = (p: SlaPolicyModel): SlaPolicy => ({
  id: p.id,
  departmentId: p.departmentId,
  urgency: p.urgency,
  firstResponseMinutes: p.firstResponseMinutes,
  resolutionMinutes: p.resolutionMinutes,
});

/** SLA policies, assignment rules and substitutes: set by supervisors and admins. */
export function createTicketAdmin(db: Database, models: TicketModels) {
  const { Department, User } = db.models;

  async function department(id: number | null | undefined, path: string) {
    if (id !== null && id !== undefined && !(await Department.findByPk(id, { attributes: ['id'] }))) throw new ValidationError([{ path, message: 'unknown department' }]);
  }
  async function agent(id: number | null | undefined, path: string) {
    if (id === null || id === undefined) return;
    const user = await User.findByPk(id, { attributes: ['id', 'active'] });
    if (!user?.active) throw new ValidationError([{ path, message: 'unknown agent' }]);
  }

  return {
    policies: async () => (await models.SlaPolicy.findAll({ order: [['departmentId', 'ASC'], ['urgency', 'ASC']] })).map(toPolicy),
    /** One policy per department and urgency: setting it again replaces it. */
    async setPolicy(input: unknown): Promise<SlaPolicy> {
      const body = parseInput(slaPolicyBodySchema, input);
      await department(body.departmentId, 'departmentId');
      const existing = await models.SlaPolicy.findOne({ where: { departmentId: body.departmentId, urgency: body.urgency } });
      const row = existing ? await existing.update(body) : await models.SlaPolicy.create(body);
      return toPolicy(row);
    },
    async removePolicy(id: number): Promise<void> {
      if ((await models.SlaPolicy.destroy({ where: { id } })) === 0) throw new NotFoundError('No such policy.');
    },

    rules: async (): Promise<AssignmentRule[]> => (await models.AssignmentRule.findAll({ order: [['position', 'ASC'], ['id', 'ASC']] })).map(toRule),
    async createRule(input: AssignmentRuleBody | unknown): Promise<AssignmentRule> {
      const body = parseInput(assignmentRuleBodySchema, input);
      await department(body.departmentId, 'departmentId');
      await department(body.assignToDepartmentId, 'assignToDepartmentId');
      await agent(body.assignToAgentId, 'assignToAgentId');
      return toRule(await models.AssignmentRule.create(body));
    },
    async updateRule(id: number, input: unknown): Promise<AssignmentRule> {
      const row = await models.AssignmentRule.findByPk(id);
      if (!row) throw new NotFoundError('No such rule.');
      const body = parseInput(assignmentRulePatchSchema, input);
      await department(body.departmentId, 'departmentId');
      await department(body.assignToDepartmentId, 'assignToDepartmentId');
      await agent(body.assignToAgentId, 'assignToAgentId');
      const agentAfter = body.assignToAgentId !== undefined ? body.assignToAgentId : row.assignToAgentId;
      const departmentAfter = body.assignToDepartmentId !== undefined ? body.assignToDepartmentId : row.assignToDepartmentId;
      if (agentAfter === null && departmentAfter === null) throw new ValidationError([{ path: 'assignToAgentId', message: 'a rule must assign to an agent or a department' }]);
      return toRule(await row.update(body));
    },
    async removeRule(id: number): Promise<void> {
      if ((await models.AssignmentRule.destroy({ where: { id } })) === 0) throw new NotFoundError('No such rule.');
    },

    substitutes: async (): Promise<Substitute[]> =>
      (await User.findAll({ attributes: ['id', 'substituteId'], order: [['id', 'ASC']] })).map((u) => ({ userId: u.id, substituteId: u.substituteId ?? null })),
    async setSubstitute(userId: number, input: unknown): Promise<Substitute> {
      const { substituteId } = parseInput(substituteBodySchema, input);
      const user = await User.findByPk(userId);
      if (!user) throw new NotFoundError('No such user.');
      if (substituteId === userId) throw new ValidationError([{ path: 'substituteId', message: 'nobody stands in for themselves' }]);
      await agent(substituteId, 'substituteId');
      await user.update({ substituteId });
      return { userId, substituteId };
    },
  };
}

export type TicketAdmin = ReturnType<typeof createTicketAdmin>;
