import { z } from 'zod';

/** Every step a conversation goes through, as stored in its timeline (oldest first). */
export const conversationEventTypes = [
  'queued',
  'offered',
  'accepted',
  'declined',
  'offer_timeout',
  'requeued',
  'transfer_requested',
  'transfer_accepted',
  'transfer_declined',
  'transfer_expired',
  'transfer_cancelled',
  /** Cold transfer: the chat moved to another department's queue. */
  'transferred',
  /** A supervisor put the chat with another agent or department. */
  'reassigned',
  'closed',
  'transcript_requested',
  /** Nobody could serve it in its department: it went to the fallback department's queue. */
  'moved_to_fallback',
  /** The department's maximum wait passed and the visitor was offered the choices. */
  'wait_exceeded',
  'kept_waiting',
  /** The conversation became a ticket (offline fallback); data: { ticketId, number, source }. */
  'ticket_created',
  /** The agent confirmed the visitor's customer number; data: { customerNumber }. */
  'customer_number_verified',
] as const;
export const conversationEventTypeSchema = z.enum(conversationEventTypes);
export type ConversationEventType = z.infer<typeof conversationEventTypeSchema>;

export const conversationEventSchema = z.object({
  id: z.number().int(),
  conversationId: z.string(),
  type: conversationEventTypeSchema,
  actor: z.object({
    type: z.enum(['visitor', 'agent', 'system']),
    /** Visitor uuid or agent id as text; null for the system. */
    id: z.string().nullable(),
    /** Display name of an agent or visitor, when known. */
    name: z.string().nullable(),
  }),
  /** Details of the step, e.g. `{ transferId, toAgentId }`; see docs/api.md. */
  data: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
});
export type ConversationEvent = z.infer<typeof conversationEventSchema>;
