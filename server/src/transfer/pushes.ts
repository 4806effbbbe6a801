import type { ConsultMessage, Transfer } from '../../../shared/schemas/transfer.js';
import type { AgentNamespace } from '../socket/agentNamespace.js';
import { rooms } from '../socket/rooms.js';

/**
 * Transfer pushes. Built on the agent namespace alone: the consult thread and handover notes
 * have no path to a visitor socket. Visitors hear of a transfer only through the system
 * messages and conversation updates the routing notifier sends.
 */
export function createTransferPushes(agents: AgentNamespace) {
  const to = (roomNames: string[], except?: string) => (except ? agents.to(roomNames).except(except) : agents.to(roomNames));
  const parties = (t: { fromAgentId: number | null; toAgentId: number | null }) =>
    [t.fromAgentId, t.toAgentId].filter((id): id is number => id !== null).map(rooms.agent);

  return {
    /** The requester's and the colleague's tabs, and supervisors (who watch transfers in progress). */
    transferUpdated: (transfer: Transfer, except?: string) => to([...parties(transfer), rooms.supervisors()], except).emit('transfer:updated', transfer),
    consultSent: (message: ConsultMessage, transfer: { fromAgentId: number | null; toAgentId: number | null }, except?: string) =>
      to(parties(transfer), except).emit('consult:sent', message),
    /** The colleague's consoles follow the conversation live while deciding. */
    follow: (agentId: number, conversationId: string) => agents.in(rooms.agent(agentId)).socketsJoin(rooms.conversation(conversationId)),
    unfollow: (agentId: number, conversationId: string) => agents.in(rooms.agent(agentId)).socketsLeave(rooms.conversation(conversationId)),
  };
}

export type TransferPushes = ReturnType<typeof createTransferPushes>;
