import type { Bus } from '../../events/bus.js';
import type { AgentNamespace } from '../agentNamespace.js';
import { rooms } from '../rooms.js';

/**
 * Who hears of transfer facts: agents only. The consult thread and handover notes have no path to
 * a visitor socket; visitors hear of a transfer through the system messages and conversation updates.
 */
export function subscribeTransferPushes(bus: Bus, agents: AgentNamespace): void {
  const to = (roomNames: string[], origin?: string) => (origin ? agents.to(roomNames).except(origin) : agents.to(roomNames));
  const parties = (t: { fromAgentId: number | null; toAgentId: number | null }) =>
    [t.fromAgentId, t.toAgentId].filter((id): id is number => id !== null).map(rooms.agent);

  // The requester's and the colleague's tabs, and supervisors (who watch transfers in progress).
  bus.on('transfer.updated', ({ transfer, origin }) => to([...parties(transfer), rooms.supervisors()], origin).emit('transfer:updated', transfer));
  bus.on('consult.sent', ({ message, transfer, origin }) => to(parties(transfer), origin).emit('consult:sent', message));
}
