import type { ConsultMessage, Transfer } from '../../../shared/schemas/transfer.js';
import type { Bus } from '../events/bus.js';

const from = (origin?: string) => (origin ? { origin } : {});

/**
 * Transfer facts, published on the event bus; server/src/socket/pushes/transfers.ts decides who hears
 * of them. `except` is the connection that caused the fact.
 */
export function createTransferPushes(bus: Bus) {
  return {
    transferUpdated: (transfer: Transfer, except?: string) => void bus.publish('transfer.updated', { transfer, ...from(except) }),
    consultSent: (message: ConsultMessage, transfer: { fromAgentId: number | null; toAgentId: number | null }, except?: string) =>
      void bus.publish('consult.sent', { message, transfer: { fromAgentId: transfer.fromAgentId, toAgentId: transfer.toAgentId }, ...from(except) }),
    /** The colleague's consoles follow the conversation live while deciding. */
    follow: (agentId: number, conversationId: string) => void bus.publish('conversation.followed', { agentId, conversationId }),
    unfollow: (agentId: number, conversationId: string) => void bus.publish('conversation.unfollowed', { agentId, conversationId }),
  };
}

export type TransferPushes = ReturnType<typeof createTransferPushes>;
