import type { Preferences } from './events/agent.js';
import type { AgentConversation, Conversation, Message, MessagesRead, TypingChanged } from './schemas/chat.js';
import type { Presence } from './schemas/presence.js';
import type { AgentState, Offer, OfferRevoked, QueueEntry, QueueStatus } from './schemas/routing.js';
import type { AgentTicket, TicketCreated, TicketEscalated, VisitorTicket, WaitExceeded } from './schemas/tickets.js';
import type { ConsultMessage, Transfer } from './schemas/transfer.js';

/**
 * What happened, as the domain says it: every fact a service publishes, one shape each.
 *
 * Services publish facts on the server's event bus (server/src/events/bus.ts) and never address a
 * socket. Subscribers decide what follows: the socket pushes (server/src/socket/pushes/, one module
 * per audience, the only code that knows who receives what), voice's re-checks, and, as they are
 * built, the event log, audit, webhooks and reports.
 *
 * `origin` is the connection that caused the fact: it already has the result in its ack, so pushes
 * skip it. Facts are per process; cluster-wide delivery is the pushes' business (through the adapter).
 */
export interface DomainFacts {
  // Routing and presence
  'offer.made': { agentId: number; offer: Offer };
  'offer.revoked': { agentId: number; revoked: OfferRevoked };
  'presence.changed': { presence: Presence };
  'preferences.changed': { agentId: number; preferences: Preferences; origin?: string };
  'agent.updated': { state: AgentState };
  'queue.changed': { departmentId: number; entries: QueueEntry[]; total: number };
  /** A waiting visitor's place in the queue, estimated wait and who is there to help. */
  'queue.position_changed': { visitorId: string; status: QueueStatus };

  // Conversations
  /** The agent now follows the conversation (its messages, typing, reads) on every console tab. */
  'conversation.followed': { agentId: number; conversationId: string };
  'conversation.unfollowed': { agentId: number; conversationId: string };
  'conversation.assigned': { agentId: number; conversation: AgentConversation; origin?: string };
  /** Status, serving agent or department changed: the agents' view of it. */
  'conversation.updated': { conversation: AgentConversation; origin?: string };
  /** The same change as the visitor sees it. */
  'conversation.visitor_view_updated': { visitorId: string; conversation: Conversation; origin?: string };

  // Messages
  /** A message everyone in the conversation sees (visitor, agent or system). */
  'message.created': { visitorId: string; message: Message; origin?: string };
  /** An internal note: agents only. */
  'note.added': { message: Message; origin?: string };
  /** Someone in the conversation started or stopped typing (`typing.by` says who). */
  'typing.changed': { visitorId: string; typing: TypingChanged };
  /** Read receipts (`read.by` says who read). */
  'messages.read': { visitorId: string; read: MessagesRead };

  // Transfers
  'transfer.updated': { transfer: Transfer; origin?: string };
  'consult.sent': { message: ConsultMessage; transfer: { fromAgentId: number | null; toAgentId: number | null }; origin?: string };

  // Tickets
  'ticket.created': { ticket: AgentTicket };
  /** `previous`: where the ticket was seen before a change of department or assignee. */
  'ticket.updated': { ticket: AgentTicket; origin?: string; previous?: { departmentId?: number; assigneeId?: number | null } };
  'ticket.message_added': { ticket: AgentTicket; message: Message; origin?: string };
  'ticket.escalated': { escalation: TicketEscalated };
  'ticket.created_for_visitor': { visitorId: string; created: TicketCreated; origin?: string };
  'ticket.visitor_view_updated': { visitorId: string; ticket: VisitorTicket };
  'ticket.visitor_message_added': { visitorId: string; ticketId: number; message: Message; origin?: string };
  'wait.exceeded': { visitorId: string; wait: WaitExceeded };

  // Mail
  /** The outbox gave up on a mail after its retries. */
  'mail.given_up': { ticketId: number | null; kind: string; error: string };

  // Cluster
  /** Shared state was rebuilt (Redis came back empty): clients must fetch their state afresh. */
  'cluster.resync_required': Record<string, never>;
}

export type FactType = keyof DomainFacts;
