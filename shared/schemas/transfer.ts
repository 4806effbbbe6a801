import { z } from 'zod';
import { MESSAGE_MAX_LENGTH } from './chat.js';
import { clientIdSchema, levelSchema, positiveIdSchema, text, uuidSchema } from './common.js';
import { agentStatusSchema, awayReasonSchema } from './presence.js';

export const TRANSFER_NOTE_MAX_LENGTH = 2000;
export const DECLINE_MESSAGE_MAX_LENGTH = 500;

/**
 * Why a transfer to a colleague was refused. Sent as `error.reason` on CONFLICT, and per
 * candidate in `transfer:candidates`, so a console can grey out whom it may not pick.
 */
export const transferRefusals = [
  'offline',
  'away',
  /** Available, but no console connected (e.g. inside the reconnect grace period). */
  'not_connected',
  /** Full; a supervisor may force it. */
  'at_capacity',
  'same_agent',
  'same_department',
  /** This conversation already has a transfer waiting for an answer. */
  'pending',
  /** The conversation is not being served by the requester (or not at all any more). */
  'not_assigned',
  /** A call: the colleague is already on another call (one call per agent). */
  'on_call',
] as const;
export const transferRefusalSchema = z.enum(transferRefusals);
export type TransferRefusal = z.infer<typeof transferRefusalSchema>;

export const transferTargetSchema = z.discriminatedUnion('type', [
  /** Warm: a colleague is asked first and takes over on accept. */
  z.object({ type: z.literal('agent'), agentId: positiveIdSchema }),
  /** Cold: the chat goes to the front of that department's queue. */
  z.object({ type: z.literal('department'), departmentId: positiveIdSchema }),
]);
export type TransferTarget = z.infer<typeof transferTargetSchema>;

export const transferRequestSchema = z.object({
  conversationId: uuidSchema,
  /** Made by the client once per request; a retry returns the transfer made the first time. */
  clientId: clientIdSchema,
  to: transferTargetSchema,
  /** The handover note: what the colleague needs to know so the visitor need not repeat it. */
  note: z.string().trim().max(TRANSFER_NOTE_MAX_LENGTH).default(''),
  /** Supervisors only: transfer to a colleague who is at capacity. */
  force: z.boolean().default(false),
});
export type TransferRequest = z.input<typeof transferRequestSchema>;

export const transferRefSchema = z.object({ transferId: uuidSchema });

export const transferDeclineSchema = z.object({
  transferId: uuidSchema,
  /** Optional words for the requester ("in a call until 3 pm"). */
  message: z.string().trim().max(DECLINE_MESSAGE_MAX_LENGTH).optional(),
});

export const transferListSchema = z.object({
  /** Every transfer of this conversation (its agents and supervisors). Without: the pending ones that concern you. */
  conversationId: uuidSchema.optional(),
}).strict();

export const consultSendSchema = z.object({
  transferId: uuidSchema,
  clientId: clientIdSchema,
  text: text(MESSAGE_MAX_LENGTH),
});

export const reassignSchema = z.object({
  conversationId: uuidSchema,
  clientId: clientIdSchema,
  to: transferTargetSchema,
  note: z.string().trim().max(TRANSFER_NOTE_MAX_LENGTH).default(''),
  /** Assign even when the agent is at capacity. */
  force: z.boolean().default(false),
});

export const transferStatuses = ['pending', 'accepted', 'declined', 'expired', 'cancelled', 'completed'] as const;
export const transferStatusSchema = z.enum(transferStatuses);
export type TransferStatus = z.infer<typeof transferStatusSchema>;

/** Why a pending transfer ended without an answer from the colleague. */
export const transferCancelCauses = [
  /** The requester (or a supervisor) withdrew it. */
  'withdrawn',
  'conversation_closed',
  /** The chat went elsewhere meanwhile (requeued, reassigned by a supervisor). */
  'conversation_moved',
  /** The colleague went offline before answering. */
  'colleague_unavailable',
] as const;
export const transferCancelCauseSchema = z.enum(transferCancelCauses);
export type TransferCancelCause = z.infer<typeof transferCancelCauseSchema>;

export const transferSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  /** agent: warm transfer to a colleague (or a supervisor's reassignment); department: cold transfer. */
  kind: z.enum(['agent', 'department']),
  /**
   * pending: waiting for the colleague; accepted: the colleague took over; declined, expired,
   * cancelled: the requester kept the chat; completed: a cold transfer or reassignment, done at once.
   */
  status: transferStatusSchema,
  fromAgentId: z.number().int().nullable(),
  fromAgentName: z.string().nullable(),
  toAgentId: z.number().int().nullable(),
  toAgentName: z.string().nullable(),
  fromDepartmentId: z.number().int(),
  toDepartmentId: z.number().int().nullable(),
  /** Who asked: the serving agent, or a supervisor reassigning. */
  requestedById: z.number().int(),
  requestedByName: z.string().nullable(),
  note: z.string(),
  /** Went over the colleague's capacity on a supervisor's word. */
  forced: z.boolean(),
  /** The colleague's words when declining. */
  declineMessage: z.string().nullable(),
  cancelCause: transferCancelCauseSchema.nullable(),
  visitorName: z.string().nullable(),
  language: z.string(),
  createdAt: z.string(),
  /** ISO timestamp when a pending transfer times out; null once it is not pending. */
  expiresAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
});
export type Transfer = z.infer<typeof transferSchema>;

/** A line in the private consult thread of a transfer: between the two agents, never the visitor. */
export const consultMessageSchema = z.object({
  id: z.number().int(),
  transferId: z.string(),
  conversationId: z.string(),
  senderId: z.number().int(),
  senderName: z.string().nullable(),
  clientId: z.string(),
  body: z.string(),
  createdAt: z.string(),
});
export type ConsultMessage = z.infer<typeof consultMessageSchema>;

/** A colleague the chat could go to, with what the requester needs to choose well. */
export const transferCandidateSchema = z.object({
  agentId: z.number().int(),
  name: z.string(),
  status: agentStatusSchema,
  reason: awayReasonSchema.nullable(),
  connected: z.boolean(),
  load: z.number().int(),
  capacity: z.number().int(),
  languages: z.array(z.string()),
  levels: z.array(z.object({ departmentId: z.number().int(), level: levelSchema })),
  /** null: the transfer would be accepted; otherwise why it would be refused. */
  refusal: transferRefusalSchema.nullable(),
});
export type TransferCandidate = z.infer<typeof transferCandidateSchema>;

export const transferDepartmentSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  /** Agents who could take the chat right now (available, connected, a free slot). */
  agentsAvailable: z.number().int(),
  waiting: z.number().int(),
});
export type TransferDepartment = z.infer<typeof transferDepartmentSchema>;
