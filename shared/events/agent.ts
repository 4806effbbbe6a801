import { z } from 'zod';
import { defineEvent, type ClientToServer } from '../contract.js';
import type { CannedResponse } from '../schemas/canned.js';
import {
  conversationRefSchema,
  conversationSyncSchema,
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
  /** The visitor's (or the same customer number's) earlier conversations, newest first. */
  earlier: EarlierConversation[];
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
};

export type AgentClientToServer = ClientToServer<typeof agentEvents>;

export interface AgentServerToClient {
  /** Own status changed (from any of the agent's tabs or by the server, e.g. auto-away). */
  'presence:changed': (presence: Presence) => void;
  'preferences:changed': (preferences: Preferences) => void;
  /** The session ended (signed out elsewhere, account disabled); the client should sign in again. */
  'session:ended': (reason: { code: string }) => void;
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
  /** Pushes may have been lost (the server's Redis link broke): fetch the state again. */
  'sync:required': () => void;
}
