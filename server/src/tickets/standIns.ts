import { Op } from 'sequelize';
import type { TicketDeps } from './deps.js';

const OPEN = ['new', 'open', 'pending'] as const;

/**
 * Tells substitutes when they start or stop standing in: when an assignee becomes absent (away,
 * offline) or comes back, their open tickets are pushed again (`ticket:updated`), now naming the
 * substitute or no longer, to the substitute's consoles as well. Each node remembers what it saw;
 * a repeated push is harmless (it carries the current state).
 */
export function createStandIns(deps: Pick<TicketDeps, 'db' | 'models' | 'views' | 'pushes' | 'substitution' | 'log'>) {
  const seen = new Map<number, boolean>();

  return async function check(): Promise<void> {
    const users = await deps.db.models.User.findAll({ where: { substituteId: { [Op.ne]: null }, active: true }, attributes: ['id', 'substituteId'] });
    for (const user of users) {
      const absent = await deps.substitution.absent(user.id);
      const before = seen.get(user.id);
      seen.set(user.id, absent);
      if (before === undefined || before === absent) continue;
      const tickets = await deps.models.Ticket.findAll({ where: { assigneeId: user.id, status: [...OPEN] }, limit: 500 });
      for (const view of await deps.views.agentViews(tickets)) deps.pushes.updated(view, undefined, { assigneeId: user.substituteId });
      deps.log.info({ userId: user.id, substituteId: user.substituteId, absent, tickets: tickets.length }, absent ? 'substitute stands in' : 'substitute no longer stands in');
    }
  };
}
