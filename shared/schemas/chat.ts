import { z } from 'zod';
import { clientIdSchema, emailSchema, languageCodeSchema, positiveIdSchema, text, uuidSchema } from './common.js';

export const MESSAGE_MAX_LENGTH = 4000;

export const senderTypes = ['visitor', 'agent', 'system'] as const;
export const conversationStatuses = ['queued', 'active', 'closed'] as const;

export const messageSchema = z.object({
  /** Server id: increases with storage order; clients resume from the last one they saw. */
  id: z.number().int(),
  conversationId: z.string(),
  clientId: z.string().nullable(),
  senderType: z.enum(senderTypes),
  senderName: z.string().nullable(),
  body: z.string(),
  createdAt: z.string(),
});
export type Message = z.infer<typeof messageSchema>;

export const conversationSchema = z.object({
  id: z.string(),
  departmentId: z.number().int(),
  status: z.enum(conversationStatuses),
  language: z.string(),
  createdAt: z.string(),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const conversationStartSchema = z.object({
  clientId: clientIdSchema,
  departmentId: positiveIdSchema,
  language: languageCodeSchema,
  name: z.string().trim().min(1).max(80),
  email: emailSchema.optional(),
  text: text(MESSAGE_MAX_LENGTH),
});
export type ConversationStart = z.input<typeof conversationStartSchema>;

export const messageSendSchema = z.object({
  conversationId: uuidSchema,
  clientId: clientIdSchema,
  text: text(MESSAGE_MAX_LENGTH),
});
export type MessageSend = z.input<typeof messageSendSchema>;

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
