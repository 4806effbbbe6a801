import { z } from 'zod';
import { clientIdSchema, emailSchema, languageCodeSchema, positiveIdSchema, text, uuidSchema } from './common.js';
import { MESSAGE_MAX_LENGTH, NAME_MAX_LENGTH, REFERENCE_MAX_LENGTH } from '../limits.js';

export { MESSAGE_MAX_LENGTH };

export const senderTypes = ['visitor', 'agent', 'system'] as const;
export const conversationStatuses = ['queued', 'active', 'closed'] as const;

export const attachmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Detected from the file's content, never taken from the uploader. */
  mime: z.string(),
  size: z.number().int(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const messageSchema = z.object({
  /** Server id: increases with storage order; clients resume from the last one they saw. */
  id: z.number().int(),
  conversationId: z.string(),
  clientId: z.string().nullable(),
  senderType: z.enum(senderTypes),
  senderName: z.string().nullable(),
  body: z.string(),
  /** Internal note: agents only, never sent to a visitor. */
  internal: z.boolean(),
  attachment: attachmentSchema.nullable(),
  createdAt: z.string(),
});
export type Message = z.infer<typeof messageSchema>;

export const closedBySchema = z.enum(['visitor', 'agent', 'system']);

/** A conversation as its visitor sees it. */
export const conversationSchema = z.object({
  id: z.string(),
  departmentId: z.number().int(),
  status: z.enum(conversationStatuses),
  language: z.string(),
  /** chat, voice (a call request), ticket (a thread that was a ticket from the start). */
  channel: z.string(),
  /** Display name of the agent serving the chat, once one accepted it. */
  agentName: z.string().nullable(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  closedBy: closedBySchema.nullable(),
  /** The highest message id the agent has read (for read marks). */
  agentReadUpTo: z.number().int(),
});
export type Conversation = z.infer<typeof conversationSchema>;

/** Who the visitor is, as the agent sees it. */
export const visitorContextSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  /** As the visitor typed it (pre-chat or ticket form): proves nothing by itself. */
  customerNumber: z.string().nullable(),
  /**
   * The customer number was confirmed for this visitor (`customer:verify`). Until then only the
   * visitor's own earlier conversations are shown, none linked by the number (docs/protocol.md).
   */
  customerNumberVerified: z.boolean(),
  language: z.string().nullable(),
  /** The page the widget was opened on. */
  page: z.string().nullable(),
});
export type VisitorContext = z.infer<typeof visitorContextSchema>;

/** A conversation as agents see it. */
export const agentConversationSchema = z.object({
  id: z.string(),
  departmentId: z.number().int(),
  status: z.enum(conversationStatuses),
  channel: z.string(),
  language: z.string(),
  assignedAgentId: z.number().int().nullable(),
  assignedAgentName: z.string().nullable(),
  /** An existing ticket number the visitor gave in the pre-chat form. */
  ticketRef: z.string().nullable(),
  visitor: visitorContextSchema,
  createdAt: z.string(),
  waitingSince: z.string(),
  acceptedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  closedBy: closedBySchema.nullable(),
  visitorReadUpTo: z.number().int(),
  agentReadUpTo: z.number().int(),
  lastMessageId: z.number().int(),
});
export type AgentConversation = z.infer<typeof agentConversationSchema>;

export const earlierConversationSchema = z.object({
  id: z.string(),
  departmentId: z.number().int(),
  status: z.enum(conversationStatuses),
  createdAt: z.string(),
  assignedAgentName: z.string().nullable(),
  firstMessage: z.string(),
});
export type EarlierConversation = z.infer<typeof earlierConversationSchema>;

export const conversationStartSchema = z.object({
  clientId: clientIdSchema,
  departmentId: positiveIdSchema,
  language: languageCodeSchema,
  name: z.string().trim().min(1).max(NAME_MAX_LENGTH),
  email: emailSchema.optional(),
  /**
   * Self-declared: shown to the agent as not verified. Links this chat to the customer's other
   * conversations only once confirmed for this visitor (`customer:verify`, docs/protocol.md).
   */
  customerNumber: z.string().trim().min(1).max(REFERENCE_MAX_LENGTH).optional(),
  /** An existing ticket the chat is about. */
  ticketNumber: z.string().trim().min(1).max(REFERENCE_MAX_LENGTH).optional(),
  /** The page the widget is open on (shown to the agent). */
  page: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  /** voice: a call request ("call us"); it waits in the same queue and is served as a call. */
  channel: z.enum(['chat', 'voice']).default('chat'),
  text: text(MESSAGE_MAX_LENGTH),
});
export type ConversationStart = z.input<typeof conversationStartSchema>;

export const messageSendSchema = z.object({
  conversationId: uuidSchema,
  clientId: clientIdSchema,
  text: text(MESSAGE_MAX_LENGTH),
});
export type MessageSend = z.input<typeof messageSendSchema>;

export const conversationRefSchema = z.object({ conversationId: uuidSchema });

/**
 * The agent serving the chat confirms the visitor's customer number (having checked it, e.g. by
 * asking for details only the customer knows). `customerNumber` is the number the agent saw: it
 * must still be the conversation's, so a number changed meanwhile is not confirmed unseen.
 */
export const customerVerifySchema = z.object({ conversationId: uuidSchema, customerNumber: z.string().trim().min(1).max(REFERENCE_MAX_LENGTH) });

export const typingSetSchema = z.object({ conversationId: uuidSchema, typing: z.boolean() });

export const typingChangedSchema = z.object({
  conversationId: z.string(),
  by: z.enum(['visitor', 'agent']),
  typing: z.boolean(),
});
export type TypingChanged = z.infer<typeof typingChangedSchema>;

export const messageReadSchema = z.object({ conversationId: uuidSchema, upToId: z.number().int().min(0) });

export const messagesReadSchema = z.object({
  conversationId: z.string(),
  by: z.enum(['visitor', 'agent']),
  upToId: z.number().int(),
});
export type MessagesRead = z.infer<typeof messagesReadSchema>;

export const transcriptRequestSchema = z.object({ conversationId: uuidSchema, email: emailSchema.optional() });

export const conversationSyncSchema = z.object({
  conversationId: uuidSchema,
  /** The highest message id the client has; 0 for everything. */
  afterId: z.number().int().min(0),
});

export const emptySchema = z.object({}).strict();

export const visitorSessionBodySchema = z.object({
  /** A token from an earlier session; invalid or missing means a new visitor. */
  token: z.string().max(2048).optional(),
});

export const visitorSessionSchema = z.object({
  visitorId: z.string(),
  token: z.string(),
  /** True when the token given was not accepted and a new visitor was made. */
  renewed: z.boolean(),
});
export type VisitorSession = z.infer<typeof visitorSessionSchema>;
