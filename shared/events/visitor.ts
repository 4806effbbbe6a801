import { defineEvent, type ClientToServer } from '../contract.js';
import {
  conversationStartSchema,
  conversationSyncSchema,
  emptySchema,
  messageSendSchema,
  type Conversation,
  type Message,
} from '../schemas/chat.js';

/** Namespace the embeddable widget connects to. Auth: `{ token }` from POST /api/visitor/session. */
export const VISITOR_NAMESPACE = '/visitor';

export const visitorEvents = {
  'conversation:start': defineEvent<{ conversation: Conversation; message: Message }>()(conversationStartSchema),
  'conversation:resume': defineEvent<{ conversation: Conversation | null; messages: Message[] }>()(emptySchema),
  'conversation:sync': defineEvent<{ messages: Message[] }>()(conversationSyncSchema),
  'message:send': defineEvent<{ message: Message; duplicate: boolean }>()(messageSendSchema),
};

export type VisitorClientToServer = ClientToServer<typeof visitorEvents>;

export interface VisitorServerToClient {
  'message:sent': (message: Message) => void;
  'conversation:updated': (conversation: Conversation) => void;
}
