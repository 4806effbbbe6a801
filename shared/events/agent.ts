import { z } from 'zod';
import { defineEvent, type ClientToServer } from '../contract.js';
import type { CannedResponse } from '../schemas/canned.js';
import {
  conversationRefSchema,
  conversationSyncSchema,
  customerVerifySchema,
  emptySchema,
  messageReadSchema,
  messageSendSchema,
  typingSetSchema,
  type AgentConversation,
  type EarlierConversation,
  type Message,
  type MessagesRead,
  type TypingChanged,
} from '../schemas/chat.js';
import { presenceSetSchema, type Presence } from '../schemas/presence.js';
import type { AgentState, Offer, OfferRevoked, QueueEntry } from '../schemas/routing.js';
import {
  consultSendSchema,
  reassignSchema,
  transferDeclineSchema,
  transferListSchema,
  transferRefSchema,
  transferRequestSchema,
  type ConsultMessage,
  type Transfer,
  type TransferCandidate,
  type TransferDepartment,
} from '../schemas/transfer.js';
import {
  calledBackSchema,
  ticketListSchema,
  ticketNoteSchema,
  ticketRefSchema,
  ticketReplySchema,
  ticketUpdateSchema,
  type AgentTicket,
  type TicketDetail,
  type TicketEscalated,
  type TicketAssignee,
  type TicketSummary,
} from '../schemas/tickets.js';

import { voiceEvents, type VoiceServerToClient } from './voice.js';
import { callHoldSchema, type CallState } from '../schemas/voice.js';
import type { SessionEndCode } from '../schemas/auth.js';

/** Namespace the console connects to. Auth: the session cookie set by POST /api/auth/login. */
export const AGENT_NAMESPACE = '/agent';

/** How many waiting chats one `queue:changed` push carries (the head of the queue). */
export const QUEUE_PUSH_LIMIT = 50;

export const preferencesSchema = z.object({
  /** Accept offered chats at once instead of being asked. */
  autoAccept: z.boolean(),
});
export type Preferences = z.infer<typeof preferencesSchema>;

export interface ConversationDetail {
  conversation: AgentConversation;
  /** Up to the last 500 messages, internal notes included, oldest first. */
  messages: Message[];
  /**
   * The visitor's earlier conversations, newest first; those of the same customer number only once
   * it is confirmed for this visitor (`conversation.visitor.customerNumberVerified`).
   */
  earlier: EarlierConversation[];
}

/** Everything the colleague needs to decide on a warm transfer, and the consult thread so far. */
export interface TransferDetail {
  transfer: Transfer;
  /** The conversation with its history (notes included) and the visitor's earlier conversations. */
  conversation: ConversationDetail;
  consult: ConsultMessage[];
}

export const agentEvents = {
  'presence:set': defineEvent<Presence>()(presenceSetSchema),
  'presence:get': defineEvent<Presence>()(emptySchema),
  'preferences:set': defineEvent<Preferences>()(preferencesSchema),
  'offer:accept': defineEvent<ConversationDetail>()(conversationRefSchema),
  'offer:decline': defineEvent<Record<string, never>>()(conversationRefSchema),
  /** The agent's open conversations (active, and closed ones still in wrap-up are not included). */
  'conversation:list': defineEvent<{ conversations: AgentConversation[]; offer: Offer | null }>()(emptySchema),
  'conversation:get': defineEvent<ConversationDetail>()(conversationRefSchema),
  'conversation:sync': defineEvent<{ messages: Message[] }>()(conversationSyncSchema),
  'conversation:close': defineEvent<{ conversation: AgentConversation }>()(conversationRefSchema),
  /**
   * The agent serving the chat confirms the visitor's customer number: from then on it is the
   * visitor's (also in their later chats) and their conversations are linked by it. CONFLICT when
   * the chat is not yours and active, has no customer number, or another one than `customerNumber`.
   */
  'customer:verify': defineEvent<{ conversation: AgentConversation; earlier: EarlierConversation[] }>()(customerVerifySchema),
  'message:send': defineEvent<{ message: Message; duplicate: boolean }>()(messageSendSchema),
  /** Internal note: stored in the conversation, shown to agents only. */
  'note:add': defineEvent<{ message: Message; duplicate: boolean }>()(messageSendSchema),
  'message:read': defineEvent<{ upToId: number }>()(messageReadSchema),
  /** Volatile: may be sent without an ack callback; never stored. */
  'typing:set': defineEvent<Record<string, never>>()(typingSetSchema),
  /** Waiting chats of the agent's departments (supervisors: all departments). */
  'queue:list': defineEvent<{ entries: QueueEntry[] }>()(emptySchema),
  'canned:list': defineEvent<{ responses: CannedResponse[] }>()(emptySchema),
  /** Supervisors and admins: every agent's live state and the whole queue. */
  'supervisor:snapshot': defineEvent<{ agents: AgentState[]; queue: QueueEntry[] }>()(emptySchema),
  /** Supervisors and admins: put any conversation with another agent or department at once. */
  'supervisor:reassign': defineEvent<{ transfer: Transfer; conversation: AgentConversation }>()(reassignSchema),

  /** Colleagues and departments the conversation could be handed to (its agent, or a supervisor). */
  'transfer:candidates': defineEvent<{ agents: TransferCandidate[]; departments: TransferDepartment[] }>()(conversationRefSchema),
  /** Warm (to an agent: pending until answered) or cold (to a department: done at once). */
  'transfer:request': defineEvent<{ transfer: Transfer; conversation: AgentConversation }>()(transferRequestSchema),
  /** The colleague takes over; the result is the conversation as `offer:accept` gives it. */
  'transfer:accept': defineEvent<ConversationDetail>()(transferRefSchema),
  'transfer:decline': defineEvent<{ transfer: Transfer }>()(transferDeclineSchema),
  /** The requester (or a supervisor) withdraws a pending transfer. */
  'transfer:cancel': defineEvent<{ transfer: Transfer }>()(transferRefSchema),
  'transfer:get': defineEvent<TransferDetail>()(transferRefSchema),
  /** Pending transfers that concern you (supervisors: all), or every transfer of one conversation. */
  'transfer:list': defineEvent<{ transfers: Transfer[] }>()(transferListSchema),
  /** A line in the private consult thread between requester and colleague. */
  'consult:send': defineEvent<{ message: ConsultMessage; duplicate: boolean }>()(consultSendSchema),

  /** The ticket inbox: filters, unanswered first, then the longest waiting. */
  'ticket:list': defineEvent<{ tickets: AgentTicket[]; total: number }>()(ticketListSchema),
  /** A ticket with its thread (notes included), history, related and similar tickets. */
  'ticket:get': defineEvent<TicketDetail>()(ticketRefSchema),
  /** A public reply: the visitor gets it in the widget and by e-mail. Idempotent by clientId. */
  'ticket:reply': defineEvent<{ message: Message; duplicate: boolean; ticket: AgentTicket }>()(ticketReplySchema),
  /** An internal note: agents only, never in the visitor's view, the tracking page or an e-mail. */
  'ticket:note': defineEvent<{ message: Message; duplicate: boolean }>()(ticketNoteSchema),
  /** Status, urgency, assignee or department. */
  'ticket:update': defineEvent<{ ticket: AgentTicket }>()(ticketUpdateSchema),
  /** A callback ticket: the visitor was called back. */
  'ticket:called-back': defineEvent<{ ticket: AgentTicket }>()(calledBackSchema),
  /** Earlier tickets with similar text. */
  'ticket:similar': defineEvent<{ tickets: TicketSummary[] }>()(ticketRefSchema),
  /** Who the ticket can be assigned to: the active members of its department, by name. */
  'ticket:assignees': defineEvent<{ assignees: TicketAssignee[] }>()(ticketRefSchema),

  /** Voice: the rooms of your conversations and of your pending warm transfers' consults. */
  ...voiceEvents,
  /** Put the visitor of your call on hold (no audio either way, the visitor is told) or take them back. */
  'call:hold': defineEvent<{ call: CallState }>()(callHoldSchema),
};

export type AgentClientToServer = ClientToServer<typeof agentEvents>;

export interface AgentServerToClient extends VoiceServerToClient {
  /** Own status changed (from any of the agent's tabs or by the server, e.g. auto-away). */
  'presence:changed': (presence: Presence) => void;
  'preferences:changed': (preferences: Preferences) => void;
  /**
   * The server ended this connection (signed out elsewhere, account deactivated, password or role
   * changed, session expired). On `ROLE_CHANGED` the sign-in still stands: reload the console; on
   * any other code sign in again. The connection is closed right after this event.
   */
  'session:ended': (reason: { code: SessionEndCode }) => void;
  /** A chat is offered to this agent: accept before `expiresAt`. */
  'offer:received': (offer: Offer) => void;
  'offer:revoked': (revoked: OfferRevoked) => void;
  /** A conversation became this agent's (accepted in any tab, or assigned by a supervisor). */
  'conversation:assigned': (conversation: AgentConversation) => void;
  'conversation:updated': (conversation: AgentConversation) => void;
  /** A message or internal note in one of the agent's conversations. */
  'message:sent': (message: Message) => void;
  /** Volatile. */
  'typing:changed': (typing: TypingChanged) => void;
  'messages:read': (read: MessagesRead) => void;
  /**
   * The waiting chats of one department changed (coalesced, at most about four times a second).
   * `entries` is the head of the queue (at most QUEUE_PUSH_LIMIT); `total` counts all of them.
   */
  'queue:changed': (queue: { departmentId: number; entries: QueueEntry[]; total: number }) => void;
  /** Supervisors: an agent's status, load or chats changed. */
  'agent:updated': (state: AgentState) => void;
  /** A transfer that concerns you (as requester or colleague; supervisors: every one) changed. */
  'transfer:updated': (transfer: Transfer) => void;
  /** A line in the consult thread of a transfer you are part of. */
  'consult:sent': (message: ConsultMessage) => void;
  /** Pushes may have been lost (the server's Redis link broke): fetch the state again. */
  'sync:required': () => void;
  /** A new ticket in one of your departments, assigned to you or to someone you stand in for (supervisors: all). */
  'ticket:created': (ticket: AgentTicket) => void;
  /** A ticket you can see changed (status, urgency, assignee, department, SLA, a new message). */
  'ticket:updated': (ticket: AgentTicket) => void;
  /** A new message in a ticket's thread: a visitor comment, a public reply or an internal note. */
  'ticket:message': (update: { ticketId: number; message: Message }) => void;
  /** An SLA target is approaching or breached (supervisors, the department and the assignee). */
  'ticket:escalated': (escalated: TicketEscalated) => void;
}
