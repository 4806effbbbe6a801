import type { AgentTicket } from '../../../../shared/schemas/tickets.js';
import type { Bus } from '../../events/bus.js';
import type { AgentNamespace } from '../agentNamespace.js';
import { rooms } from '../rooms.js';
import type { VisitorNamespace } from '../visitorNamespace.js';

/**
 * Who hears of ticket facts. Agents: the ticket's department, supervisors, the assignee and the
 * acting substitute. Visitors: their own room, and never an internal note.
 */
export function subscribeTicketPushes(bus: Bus, agents: AgentNamespace, visitors: VisitorNamespace): void {
  const agentRooms = (t: AgentTicket, extra: string[] = []) => [
    rooms.department(t.departmentId),
    rooms.supervisors(),
    ...(t.assigneeId !== null ? [rooms.agent(t.assigneeId)] : []),
    ...(t.substituteId !== null ? [rooms.agent(t.substituteId)] : []),
    ...extra,
  ];
  const toAgents = (t: AgentTicket, origin?: string, extra?: string[]) => (origin ? agents.to(agentRooms(t, extra)).except(origin) : agents.to(agentRooms(t, extra)));
  const toVisitor = (visitorId: string, origin?: string) => (origin ? visitors.to(rooms.visitor(visitorId)).except(origin) : visitors.to(rooms.visitor(visitorId)));

  bus.on('ticket.created', ({ ticket }) => toAgents(ticket).emit('ticket:created', ticket));
  // Rooms that saw the ticket before a change of department or assignee hear of it too, so it leaves their inbox.
  bus.on('ticket.updated', ({ ticket, origin, previous = {} }) =>
    toAgents(ticket, origin, [
      ...(previous.departmentId !== undefined ? [rooms.department(previous.departmentId)] : []),
      ...(previous.assigneeId ? [rooms.agent(previous.assigneeId)] : []),
    ]).emit('ticket:updated', ticket),
  );
  bus.on('ticket.message_added', ({ ticket, message, origin }) => toAgents(ticket, origin).emit('ticket:message', { ticketId: ticket.id, message }));
  bus.on('ticket.escalated', ({ escalation }) => toAgents(escalation.ticket).emit('ticket:escalated', escalation));

  bus.on('ticket.created_for_visitor', ({ visitorId, created, origin }) => toVisitor(visitorId, origin).emit('ticket:created', created));
  bus.on('ticket.visitor_view_updated', ({ visitorId, ticket }) => toVisitor(visitorId).emit('ticket:updated', ticket));
  bus.on('wait.exceeded', ({ visitorId, wait }) => toVisitor(visitorId).emit('conversation:wait-exceeded', wait));
  bus.on('ticket.visitor_message_added', ({ visitorId, ticketId, message, origin }) => {
    // The publisher refuses internal notes already; this is the last line before a visitor's socket.
    if (message.internal) throw new Error('an internal note must never reach a visitor');
    toVisitor(visitorId, origin).emit('ticket:message', { ticketId, message });
  });
}
