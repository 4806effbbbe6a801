import type { AgentConversation, Conversation, Message, MessagesRead, TypingChanged } from '../../../shared/schemas/chat.js';
import type { Presence } from '../../../shared/schemas/presence.js';
import type { AgentState, Offer, OfferRevoked, QueueEntry, QueueStatus } from '../../../shared/schemas/routing.js';
import type { Preferences } from '../../../shared/events/agent.js';
import type { Bus } from '../events/bus.js';

/**
 * The facts of live chat and routing, published on the event bus. Who receives what is decided by
 * the subscribers (server/src/socket/pushes/chat.ts for the sockets; voice re-checks a call on
 * conversation updates). `except` is the connection that caused the fact and has the result in its ack.
 */
export function createNotifier(bus: Bus) {
  return {
    offerReceived: (agentId: number, offer: Offer) => void bus.publish('offer.made', { agentId, offer }),
    offerRevoked: (agentId: number, revoked: OfferRevoked) => void bus.publish('offer.revoked', { agentId, revoked }),
    presenceChanged: (presence: Presence) => void bus.publish('presence.changed', { presence }),
    preferencesChanged: (agentId: number, preferences: Preferences, except?: string) =>
      void bus.publish('preferences.changed', { agentId, preferences, ...(except ? { origin: except } : {}) }),
    agentUpdated: (state: AgentState) => void bus.publish('agent.updated', { state }),
    queueChanged: (departmentId: number, entries: QueueEntry[], total: number) => void bus.publish('queue.changed', { departmentId, entries, total }),
    queueUpdated: (visitorId: string, status: QueueStatus) => void bus.publish('queue.position_changed', { visitorId, status }),

    /** The agent follows the conversation (its messages, typing, reads) from now on. */
    joinConversation: (agentId: number, conversationId: string) => void bus.publish('conversation.followed', { agentId, conversationId }),
    leaveConversation: (agentId: number, conversationId: string) => void bus.publish('conversation.unfollowed', { agentId, conversationId }),
    conversationAssigned: (agentId: number, conversation: AgentConversation, except?: string) =>
      void bus.publish('conversation.assigned', { agentId, conversation, ...(except ? { origin: except } : {}) }),
    conversationUpdatedForAgents: (conversation: AgentConversation, except?: string) =>
      void bus.publish('conversation.updated', { conversation, ...(except ? { origin: except } : {}) }),
    conversationUpdatedForVisitor: (visitorId: string, conversation: Conversation, except?: string) =>
      void bus.publish('conversation.visitor_view_updated', { visitorId, conversation, ...(except ? { origin: except } : {}) }),

    /** A message everyone in the conversation sees. */
    message: (visitorId: string, message: Message, except?: string) => void bus.publish('message.created', { visitorId, message, ...(except ? { origin: except } : {}) }),
    /** An internal note: agents only. */
    note: (message: Message, except?: string) => void bus.publish('note.added', { message, ...(except ? { origin: except } : {}) }),
    typing: (visitorId: string, typing: TypingChanged) => void bus.publish('typing.changed', { visitorId, typing }),
    read: (visitorId: string, read: MessagesRead) => void bus.publish('messages.read', { visitorId, read }),
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
