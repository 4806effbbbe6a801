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

/** Namespace the embeddable widget connects to. Auth: `{ token }` from POST /api/visitor/session. */
export const VISITOR_NAMESPACE = '/visitor';

export const visitorEvents = {
  'conversation:start': defineEvent<{ conversation: Conversation; message: Message; queue: QueueStatus | null }>()(conversationStartSchema),
  'conversation:resume': defineEvent<{ conversation: Conversation | null; messages: Message[]; queue: QueueStatus | null }>()(emptySchema),
  'conversation:sync': defineEvent<{ messages: Message[] }>()(conversationSyncSchema),
  'conversation:end': defineEvent<{ conversation: Conversation }>()(conversationRefSchema),
  'message:send': defineEvent<{ message: Message; duplicate: boolean }>()(messageSendSchema),
  'message:read': defineEvent<{ upToId: number }>()(messageReadSchema),
  /** Volatile: may be sent without an ack callback; never stored. */
  'typing:set': defineEvent<Record<string, never>>()(typingSetSchema),
  'transcript:request': defineEvent<{ requested: true; email: string }>()(transcriptRequestSchema),
};

export type VisitorClientToServer = ClientToServer<typeof visitorEvents>;

export interface VisitorServerToClient {
  /** A new message in the visitor's conversation (never internal notes). */
  'message:sent': (message: Message) => void;
  'conversation:updated': (conversation: Conversation) => void;
  /** Position and estimated wait while queued; sent whenever either changes. */
  'queue:updated': (status: QueueStatus) => void;
  /** Volatile. */
  'typing:changed': (typing: TypingChanged) => void;
  'messages:read': (read: MessagesRead) => void;
  /** Pushes may have been lost (the server's Redis link broke): fetch the state again. */
  'sync:required': () => void;
}
