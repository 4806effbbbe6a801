import type { AgentConversation, Conversation, Message, MessagesRead, TypingChanged } from '../../../shared/schemas/chat.js';
import type { Presence } from '../../../shared/schemas/presence.js';
import type { AgentState, Offer, OfferRevoked, QueueEntry, QueueStatus } from '../../../shared/schemas/routing.js';
import type { Preferences } from '../../../shared/events/agent.js';
import type { AgentNamespace } from '../socket/agentNamespace.js';
import { rooms } from '../socket/rooms.js';
import type { VisitorNamespace } from '../socket/visitorNamespace.js';

/**
 * Every server→client push of live chat goes through here, addressed by room, so it reaches the
 * right sockets on whichever node they are connected to (through the adapter in cluster mode).
 * `except` is the socket that caused the push and already has the result in its ack.
 */
export function createNotifier(agents: AgentNamespace, visitors: VisitorNamespace) {
  const toAgent = (agentId: number, except?: string) => (except ? agents.to(rooms.agent(agentId)).except(except) : agents.to(rooms.agent(agentId)));
  const toConversationAgents = (conversationId: string, except?: string) =>
    except ? agents.to(rooms.conversation(conversationId)).except(except) : agents.to(rooms.conversation(conversationId));
  const toVisitor = (visitorId: string, except?: string) => (except ? visitors.to(rooms.visitor(visitorId)).except(except) : visitors.to(rooms.visitor(visitorId)));

  return {
    offerReceived: (agentId: number, offer: Offer) => toAgent(agentId).emit('offer:received', offer),
    offerRevoked: (agentId: number, revoked: OfferRevoked) => toAgent(agentId).emit('offer:revoked', revoked),
    presenceChanged: (presence: Presence) => agents.to([rooms.agent(presence.agentId), rooms.supervisors()]).emit('presence:changed', presence),
    preferencesChanged: (agentId: number, preferences: Preferences, except?: string) => toAgent(agentId, except).emit('preferences:changed', preferences),
    agentUpdated: (state: AgentState) => agents.to(rooms.supervisors()).emit('agent:updated', state),
    queueChanged: (departmentId: number, entries: QueueEntry[], total: number) =>
      agents.to([rooms.department(departmentId), rooms.supervisors()]).emit('queue:changed', { departmentId, entries, total }),
    queueUpdated: (visitorId: string, status: QueueStatus) => toVisitor(visitorId).emit('queue:updated', status),

    /** Agents' sockets for this agent follow the conversation (its messages, typing, reads). */
    joinConversation: (agentId: number, conversationId: string) => agents.in(rooms.agent(agentId)).socketsJoin(rooms.conversation(conversationId)),
    leaveConversation: (agentId: number, conversationId: string) => agents.in(rooms.agent(agentId)).socketsLeave(rooms.conversation(conversationId)),
    conversationAssigned: (agentId: number, conversation: AgentConversation, except?: string) => toAgent(agentId, except).emit('conversation:assigned', conversation),
    conversationUpdatedForAgents: (conversation: AgentConversation, except?: string) =>
      toConversationAgents(conversation.id, except).emit('conversation:updated', conversation),
    conversationUpdatedForVisitor: (visitorId: string, conversation: Conversation, except?: string) =>
      toVisitor(visitorId, except).emit('conversation:updated', conversation),

    /** A message everyone in the conversation sees. */
    message: (visitorId: string, message: Message, except?: string) => {
      toVisitor(visitorId, except).emit('message:sent', message);
      toConversationAgents(message.conversationId, except).emit('message:sent', message);
    },
    /** An internal note: agents only — no visitor socket is ever addressed. */
    note: (message: Message, except?: string) => toConversationAgents(message.conversationId, except).emit('message:sent', message),
    typingToAgents: (typing: TypingChanged) => agents.to(rooms.conversation(typing.conversationId)).volatile.emit('typing:changed', typing),
    typingToVisitor: (visitorId: string, typing: TypingChanged) => visitors.to(rooms.visitor(visitorId)).volatile.emit('typing:changed', typing),
    readToAgents: (read: MessagesRead) => agents.to(rooms.conversation(read.conversationId)).emit('messages:read', read),
    readToVisitor: (visitorId: string, read: MessagesRead) => toVisitor(visitorId).emit('messages:read', read),
  };
}

export type Notifier = ReturnType<typeof createNotifier>;

/** Calls `changed` after every conversation update pushed to agents (status, serving agent, department). */
export function withConversationHook(notifier: Notifier, changed: (conversationId: string) => void): Notifier {
  return {
    ...notifier,
    conversationUpdatedForAgents: (conversation, except) => {
      const sent = notifier.conversationUpdatedForAgents(conversation, except);
      changed(conversation.id);
      return sent;
    },
  };
}
