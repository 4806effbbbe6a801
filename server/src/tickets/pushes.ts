import type { Message } from '../../../shared/schemas/chat.js';
import type { AgentTicket, TicketCreated, TicketEscalated, VisitorTicket, WaitExceeded } from '../../../shared/schemas/tickets.js';
import type { Bus } from '../events/bus.js';

const from = (origin?: string) => (origin ? { origin } : {});

/**
 * Ticket facts, published on the event bus; server/src/socket/pushes/tickets.ts decides who hears
 * of them. `except` is the connection that caused the fact.
 */
export function createTicketPushes(bus: Bus) {
  return {
    created: (ticket: AgentTicket) => void bus.publish('ticket.created', { ticket }),
    /** `previous`: where the ticket was seen before a change of department or assignee. */
    updated: (ticket: AgentTicket, except?: string, previous: { departmentId?: number; assigneeId?: number | null } = {}) =>
      void bus.publish('ticket.updated', { ticket, previous, ...from(except) }),
    message: (ticket: AgentTicket, message: Message, except?: string) => void bus.publish('ticket.message_added', { ticket, message, ...from(except) }),
    escalated: (escalation: TicketEscalated) => void bus.publish('ticket.escalated', { escalation }),

    visitorCreated: (visitorId: string, created: TicketCreated, except?: string) => void bus.publish('ticket.created_for_visitor', { visitorId, created, ...from(except) }),
    visitorUpdated: (visitorId: string, ticket: VisitorTicket) => void bus.publish('ticket.visitor_view_updated', { visitorId, ticket }),
    visitorWaitExceeded: (visitorId: string, wait: WaitExceeded) => void bus.publish('wait.exceeded', { visitorId, wait }),
    visitorMessage: (visitorId: string, ticketId: number, message: Message, except?: string) => {
      // Refused here, whatever the caller: an internal note has no way to a visitor.
      if (message.internal) throw new Error('an internal note must never reach a visitor');
      void bus.publish('ticket.visitor_message_added', { visitorId, ticketId, message, ...from(except) });
    },
  };
}

export type TicketPushes = ReturnType<typeof createTicketPushes>;
