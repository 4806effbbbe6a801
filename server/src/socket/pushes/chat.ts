import type { Bus } from '../../events/bus.js';
import type { AgentNamespace } from '../agentNamespace.js';
import { rooms } from '../rooms.js';
import type { VisitorNamespace } from '../visitorNamespace.js';

/**
 * Who hears of live chat and routing facts: every push is addressed by room, so it reaches the right
 * sockets on whichever node they are connected to (through the adapter in cluster mode). `origin`,
 * the connection that caused the fact, already has the result in its ack and is skipped.
 */
export function subscribeChatPushes(bus: Bus, agents: AgentNamespace, visitors: VisitorNamespace): void {
  const toAgent = (agentId: number, origin?: string) => (origin ? agents.to(rooms.agent(agentId)).except(origin) : agents.to(rooms.agent(agentId)));
  const toConversationAgents = (conversationId: string, origin?: string) =>
    origin ? agents.to(rooms.conversation(conversationId)).except(origin) : agents.to(rooms.conversation(conversationId));
  const toVisitor = (visitorId: string, origin?: string) => (origin ? visitors.to(rooms.visitor(visitorId)).except(origin) : visitors.to(rooms.visitor(visitorId)));

  bus.on('offer.made', ({ agentId, offer }) => toAgent(agentId).emit('offer:received', offer));
  bus.on('offer.revoked', ({ agentId, revoked }) => toAgent(agentId).emit('offer:revoked', revoked));
  bus.on('presence.changed', ({ presence }) => agents.to([rooms.agent(presence.agentId), rooms.supervisors()]).emit('presence:changed', presence));
  bus.on('preferences.changed', ({ agentId, preferences, origin }) => toAgent(agentId, origin).emit('preferences:changed', preferences));
  bus.on('agent.updated', ({ state }) => agents.to(rooms.supervisors()).emit('agent:updated', state));
  bus.on('queue.changed', ({ departmentId, entries, total }) =>
    agents.to([rooms.department(departmentId), rooms.supervisors()]).emit('queue:changed', { departmentId, entries, total }),
  );
  bus.on('queue.position_changed', ({ visitorId, status }) => toVisitor(visitorId).emit('queue:updated', status));

  // Following a conversation is room membership of all the agent's sockets, on every node.
  bus.on('conversation.followed', ({ agentId, conversationId }) => agents.in(rooms.agent(agentId)).socketsJoin(rooms.conversation(conversationId)));
  bus.on('conversation.unfollowed', ({ agentId, conversationId }) => agents.in(rooms.agent(agentId)).socketsLeave(rooms.conversation(conversationId)));
  bus.on('conversation.assigned', ({ agentId, conversation, origin }) => toAgent(agentId, origin).emit('conversation:assigned', conversation));
  bus.on('conversation.updated', ({ conversation, origin }) => toConversationAgents(conversation.id, origin).emit('conversation:updated', conversation));
  bus.on('conversation.visitor_view_updated', ({ visitorId, conversation, origin }) => toVisitor(visitorId, origin).emit('conversation:updated', conversation));

  bus.on('message.created', ({ visitorId, message, origin }) => {
    toVisitor(visitorId, origin).emit('message:sent', message);
    toConversationAgents(message.conversationId, origin).emit('message:sent', message);
  });
  // An internal note: no visitor socket is ever addressed.
  bus.on('note.added', ({ message, origin }) => toConversationAgents(message.conversationId, origin).emit('message:sent', message));
  // Typing is volatile: a lost indicator is better than a late one. Each side hears the other.
  bus.on('typing.changed', ({ visitorId, typing }) =>
    typing.by === 'visitor'
      ? agents.to(rooms.conversation(typing.conversationId)).volatile.emit('typing:changed', typing)
      : visitors.to(rooms.visitor(visitorId)).volatile.emit('typing:changed', typing),
  );
  // Agents see every read receipt (a colleague's too); the visitor sees the agent's.
  bus.on('messages.read', ({ visitorId, read }) => {
    if (read.by === 'agent') toVisitor(visitorId).emit('messages:read', read);
    agents.to(rooms.conversation(read.conversationId)).emit('messages:read', read);
  });
}
