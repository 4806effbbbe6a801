import type { Message } from '../../../shared/schemas/chat.js';
import type { AgentTicket, TicketCreated, TicketEscalated, VisitorTicket, WaitExceeded } from '../../../shared/schemas/tickets.js';
import type { AgentNamespace } from '../socket/agentNamespace.js';
import { rooms } from '../socket/rooms.js';
import type { VisitorNamespace } from '../socket/visitorNamespace.js';

/**
 * Ticket pushes. Agents: the ticket's department, supervisors, the assignee and the acting
 * substitute. Visitors: their own room, and never an internal note (refused here, whatever the caller).
 */
export function createTicketPushes(agents: AgentNamespace, visitors: VisitorNamespace) {
  const agentRooms = (t: AgentTicket, extra: string[] = []) =>
    [
      rooms.department(t.departmentId),
      rooms.supervisors(),
      ...(t.assigneeId !== null ? [rooms.agent(t.assigneeId)] : []),
      ...(t.substituteId !== null ? [rooms.agent(t.substituteId)] : []),
      ...extra,
    ];
  const toAgents = (t: AgentTicket, except?: string, extra?: string[]) => (except ? agents.to(agentRooms(t, extra)).except(except) : agents.to(agentRooms(t, extra)));
  const toVisitor = (visitorId: string, except?: string) => (except ? visitors.to(rooms.visitor(visitorId)).except(except) : visitors.to(rooms.visitor(visitorId)));

  return {
    created: (t: AgentTicket) => toAgents(t).emit('ticket:created', t),
    /** `previous`: rooms that saw the ticket before a change of department or assignee, so it leaves their inbox. */
    updated: (t: AgentTicket, except?: string, previous: { departmentId?: number; assigneeId?: number | null } = {}) =>
      toAgents(t, except, [
        ...(previous.departmentId !== undefined ? [rooms.department(previous.departmentId)] : []),
        ...(previous.assigneeId ? [rooms.agent(previous.assigneeId)] : []),
      ]).emit('ticket:updated', t),
    message: (t: AgentTicket, message: Message, except?: string) => toAgents(t, except).emit('ticket:message', { ticketId: t.id, message }),
    escalated: (e: TicketEscalated) => toAgents(e.ticket).emit('ticket:escalated', e),

    visitorCreated: (visitorId: string, created: TicketCreated, except?: string) => toVisitor(visitorId, except).emit('ticket:created', created),
    visitorUpdated: (visitorId: string, ticket: VisitorTicket) => toVisitor(visitorId).emit('ticket:updated', ticket),
    visitorWaitExceeded: (visitorId: string, wait: WaitExceeded) => toVisitor(visitorId).emit('conversation:wait-exceeded', wait),
    visitorMessage: (visitorId: string, ticketId: number, message: Message, except?: string) => {
      if (message.internal) throw new Error('an internal note must never reach a visitor');
      toVisitor(visitorId, except).emit('ticket:message', { ticketId, message });
    },
  };
}

export type TicketPushes = ReturnType<typeof createTicketPushes>;
