import { Op } from 'sequelize';
import type { Database } from '../db/database.js';
import type { RoutingEngine } from '../routing/routingEngine.js';

/**
 * Substitutes: while an agent is away or offline (no console beyond the reconnect grace), their
 * substitute sees, is told about and may work their tickets. Presence comes from routing's state.
 */
export function createSubstitution(deps: { db: Database; engine: RoutingEngine; now: () => Date }) {
  const { User } = deps.db.models;

  async function absent(agentId: number): Promise<boolean> {
    const a = await deps.engine.store.agent(agentId);
    const present = a.connections.length > 0 || (a.graceUntil ?? 0) > deps.now().getTime();
    return !(a.status === 'available' && present);
  }

  return {
    absent,
    /** The substitute acting for this assignee right now, or null. */
    async acting(assigneeId: number): Promise<{ id: number; name: string } | null> {
      const user = await User.findByPk(assigneeId, { attributes: ['id', 'substituteId'] });
      if (!user?.substituteId || !(await absent(assigneeId))) return null;
      const substitute = await User.findByPk(user.substituteId, { attributes: ['id', 'name', 'active'] });
      return substitute?.active ? { id: substitute.id, name: substitute.name } : null;
    },
    /** The colleagues this user stands in for right now. */
    async standingInFor(userId: number): Promise<number[]> {
      const colleagues = await User.findAll({ where: { substituteId: userId, active: true, id: { [Op.ne]: userId } }, attributes: ['id'] });
      const out: number[] = [];
      for (const c of colleagues) if (await absent(c.id)) out.push(c.id);
      return out;
    },
  };
}

export type Substitution = ReturnType<typeof createSubstitution>;
