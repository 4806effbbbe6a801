import { defineEvent, type ClientToServer } from '../contract.js';
import {
  conversationRefSchema,
  conversationStartSchema,
  conversationSyncSchema,
  emptySchema,
  messageReadSchema,
  messageSendSchema,
  transcriptRequestSchema,
  typingSetSchema,
  type Conversation,
  type Message,
  type MessagesRead,
  type TypingChanged,
} from '../schemas/chat.js';
import type { QueueStatus } from '../schemas/routing.js';
import { voiceEvents, type VoiceServerToClient } from './voice.js';
import {
  callbackRequestSchema,
  leaveMessageSchema,
  ticketCommentSchema,
  ticketCreateSchema,
  ticketRefSchema,
  type TicketCreated,
  type VisitorTicket,
  type WaitExceeded,
} from '../schemas/tickets.js';

/** Namespace the embeddable widget connects to. Auth: `{ token }` from POST /api/visitor/session. */
export const VISITOR_NAMESPACE = '/visitor';

export const visitorEvents = {
  /** `ticket` is set when the chat became a ticket at once (department closed, nobody online); `conversation` is then closed. */
  'conversation:start': defineEvent<{ conversation: Conversation; message: Message; queue: QueueStatus | null; ticket: TicketCreated | null }>()(conversationStartSchema),
  'conversation:resume': defineEvent<{ conversation: Conversation | null; messages: Message[]; queue: QueueStatus | null }>()(emptySchema),
  'conversation:sync': defineEvent<{ messages: Message[] }>()(conversationSyncSchema),
  'conversation:end': defineEvent<{ conversation: Conversation }>()(conversationRefSchema),
  'message:send': defineEvent<{ message: Message; duplicate: boolean }>()(messageSendSchema),
  'message:read': defineEvent<{ upToId: number }>()(messageReadSchema),
  /** Volatile: may be sent without an ack callback; never stored. */
  'typing:set': defineEvent<Record<string, never>>()(typingSetSchema),
  /** `mailQueued`: false when no mail will come (mail not configured, or a mail budget is used up: docs/limits.md). */
  'transcript:request': defineEvent<{ requested: true; email: string; mailQueued: boolean }>()(transcriptRequestSchema),

  /** Leave a message without a chat: a new thread that is a ticket from the start. */
  'ticket:create': defineEvent<TicketCreated>()(ticketCreateSchema),
  /** The waiting chat becomes a ticket; its messages stay in the thread. */
  'conversation:leave-message': defineEvent<TicketCreated>()(leaveMessageSchema),
  /** After the maximum wait: stay in the queue; the choice is offered again after another maximum wait. */
  'conversation:keep-waiting': defineEvent<{ conversationId: string; nextChoiceAt: string }>()(conversationRefSchema),
  /** Phone number and preferred time: a callback ticket (from the waiting chat or on its own). */
  'callback:request': defineEvent<TicketCreated>()(callbackRequestSchema),
  /** The visitor's tickets (this visitor token's), newest first. */
  'ticket:list': defineEvent<{ tickets: VisitorTicket[] }>()(emptySchema),
  /** One of the visitor's tickets with its public thread (never internal notes). */
  'ticket:get': defineEvent<{ ticket: VisitorTicket; messages: Message[]; trackingUrl: string }>()(ticketRefSchema),
  /** A comment on one of the visitor's tickets; idempotent by clientId. */
  'ticket:comment': defineEvent<{ message: Message; duplicate: boolean; ticket: VisitorTicket }>()(ticketCommentSchema),

  /** Voice: the visitor's own conversation's room only. */
  ...voiceEvents,
};

export type VisitorClientToServer = ClientToServer<typeof visitorEvents>;

export interface VisitorServerToClient extends VoiceServerToClient {
  /**
   * A new message in the visitor's conversation, including system lines about a transfer ("… is
   * connecting you with a colleague"). Never internal notes, handover notes or consult messages.
   */
  'message:sent': (message: Message) => void;
  /** Status, serving agent or department changed (accepted, taken over by a colleague, transferred, closed). */
  'conversation:updated': (conversation: Conversation) => void;
  /** Position and estimated wait while queued; sent whenever either changes. */
  'queue:updated': (status: QueueStatus) => void;
  /** Volatile. */
  'typing:changed': (typing: TypingChanged) => void;
  'messages:read': (read: MessagesRead) => void;
  /** Pushes may have been lost (the server's Redis link broke): fetch the state again. */
  'sync:required': () => void;
  /** A ticket was made for the visitor (by the server: department closed, nobody online; or in another tab). */
  'ticket:created': (created: TicketCreated) => void;
  /** A ticket's status changed. */
  'ticket:updated': (ticket: VisitorTicket) => void;
  /** A public reply from an agent, or the visitor's own comment from another tab or the tracking page. */
  'ticket:message': (update: { ticketId: number; message: Message }) => void;
  /** The department's maximum wait has passed: offer keep waiting, leave a message or a callback. */
  'conversation:wait-exceeded': (wait: WaitExceeded) => void;
}
