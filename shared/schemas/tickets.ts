import { z } from 'zod';
import { MESSAGE_MAX_LENGTH, type EarlierConversation, type Message } from './chat.js';
import { clientIdSchema, emailSchema, languageCodeSchema, positiveIdSchema, text, uuidSchema } from './common.js';
import { NAME_MAX_LENGTH, PHONE_MIN_DIGITS, PHONE_PATTERN, PRODUCT_MAX_LENGTH, REFERENCE_MAX_LENGTH, SLA_MAX_MINUTES, SUBJECT_MAX_LENGTH, TRACKING_TOKEN_PATTERN } from '../limits.js';

/**
 * Tickets: the offline fallback of live chat (see docs/tickets.md). A ticket continues the
 * thread of one conversation: the messages written in the chat stay, replies and comments follow.
 */

export const ticketStatuses = ['new', 'open', 'pending', 'solved', 'closed'] as const;
export const ticketStatusSchema = z.enum(ticketStatuses);
export type TicketStatus = z.infer<typeof ticketStatusSchema>;

/** Shown in the console as SHOW-STOPPER, LIMITED USABILITY, NICE TO HAVE. */
export const ticketUrgencies = ['show_stopper', 'limited_usability', 'nice_to_have'] as const;
export const ticketUrgencySchema = z.enum(ticketUrgencies);
export type TicketUrgency = z.infer<typeof ticketUrgencySchema>;

/** message: a written request; callback: the visitor asked to be called; voicemail: a recorded message (audio attachment). */
export const ticketKinds = ['message', 'callback', 'voicemail'] as const;
export const ticketKindSchema = z.enum(ticketKinds);
export type TicketKind = z.infer<typeof ticketKindSchema>;

/** Why the ticket exists: which way the live path could not serve the visitor. */
export const ticketSources = [
  /** Nobody who could serve the chat was online (in the department and its fallback department). */
  'nobody_online',
  /** The department was closed. */
  'department_closed',
  /** The last agent who could serve the waiting chat went offline. */
  'agents_offline',
  /** The visitor chose "leave a message" (at any time, or after the maximum wait). */
  'leave_message',
  /** The visitor asked to be called back. */
  'callback_request',
  /** The visitor left a voicemail (nobody could take the call, or instead of waiting). */
  'voicemail',
] as const;
export const ticketSourceSchema = z.enum(ticketSources);
export type TicketSource = z.infer<typeof ticketSourceSchema>;

/** One SLA target's state: ok, approaching (80 % of the time used), breached, met (done in time or late), none (no policy). */
export const slaStates = ['none', 'ok', 'approaching', 'breached', 'met'] as const;
export const slaStateSchema = z.enum(slaStates);
export type SlaState = z.infer<typeof slaStateSchema>;

export const slaTargets = ['first_response', 'resolution'] as const;
export type SlaTarget = (typeof slaTargets)[number];

/** What the visitor may choose once the department's maximum wait has passed. */
export const waitChoices = ['keep_waiting', 'leave_message', 'callback'] as const;
export type WaitChoice = (typeof waitChoices)[number];

export { SUBJECT_MAX_LENGTH };
const phone = z
  .string()
  .trim()
  .regex(PHONE_PATTERN, 'expected a phone number such as +49 30 1234567')
  .refine((p) => p.replace(/\D/g, '').length >= PHONE_MIN_DIGITS, 'expected at least 5 digits');
const isoTime = z.iso.datetime({ offset: true });
const product = z.string().trim().min(1).max(PRODUCT_MAX_LENGTH);

// ------------------------------------------------------------------ visitor payloads

/** Leave a message without a chat (e.g. the department is closed): a new thread and a ticket. */
export const ticketCreateSchema = z.object({
  clientId: clientIdSchema,
  departmentId: positiveIdSchema,
  language: languageCodeSchema,
  name: z.string().trim().min(1).max(NAME_MAX_LENGTH),
  email: emailSchema.optional(),
  customerNumber: z.string().trim().min(1).max(REFERENCE_MAX_LENGTH).optional(),
  /** What it is about, e.g. a product name; assignment rules may match it. */
  product: product.optional(),
  subject: z.string().trim().min(1).max(SUBJECT_MAX_LENGTH).optional(),
  text: text(MESSAGE_MAX_LENGTH),
});
export type TicketCreate = z.input<typeof ticketCreateSchema>;

/** Turn the visitor's waiting chat into a ticket; the chat's messages stay in it. */
export const leaveMessageSchema = z.object({
  conversationId: uuidSchema,
  clientId: clientIdSchema,
  /** Where confirmations and replies go; defaults to the pre-chat form's address. */
  email: emailSchema.optional(),
  /** Anything to add; stored as the visitor's next message. */
  text: text(MESSAGE_MAX_LENGTH).optional(),
});
export type LeaveMessage = z.input<typeof leaveMessageSchema>;

/**
 * A callback request: from the waiting chat (`conversationId`), or on its own (then
 * `departmentId`, `language` and `name` are needed).
 */
export const callbackRequestSchema = z
  .object({
    clientId: clientIdSchema,
    conversationId: uuidSchema.optional(),
    departmentId: positiveIdSchema.optional(),
    language: languageCodeSchema.optional(),
    name: z.string().trim().min(1).max(NAME_MAX_LENGTH).optional(),
    phone,
    /** The window the visitor prefers to be called in (ISO 8601 with offset). */
    preferredFrom: isoTime.optional(),
    preferredTo: isoTime.optional(),
    email: emailSchema.optional(),
    customerNumber: z.string().trim().min(1).max(REFERENCE_MAX_LENGTH).optional(),
    product: product.optional(),
    text: text(MESSAGE_MAX_LENGTH).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.conversationId === undefined) {
      for (const key of ['departmentId', 'language', 'name'] as const) {
        if (c[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'required without a conversationId' });
      }
    }
    if (c.preferredFrom && c.preferredTo && Date.parse(c.preferredTo) <= Date.parse(c.preferredFrom)) {
      ctx.addIssue({ code: 'custom', path: ['preferredTo'], message: 'must be after preferredFrom' });
    }
  });
export type CallbackRequest = z.input<typeof callbackRequestSchema>;

export const ticketRefSchema = z.object({ ticketId: positiveIdSchema });

/** A colleague a ticket can be given to: an active member of the ticket's department. */
export interface TicketAssignee {
  id: number;
  name: string;
  /** The presence status they chose (available, away, offline). */
  status: string;
}

export const ticketCommentSchema = z.object({
  ticketId: positiveIdSchema,
  clientId: clientIdSchema,
  text: text(MESSAGE_MAX_LENGTH),
});

/** A comment from the tracking page (the token in the URL says which ticket). */
export const trackingCommentSchema = z.object({
  clientId: clientIdSchema,
  text: text(MESSAGE_MAX_LENGTH),
});

/** Tracking tokens are 43 characters of base64url; anything else is not looked up at all. */
export const trackingTokenSchema = z.string().regex(TRACKING_TOKEN_PATTERN);

// ------------------------------------------------------------------ agent payloads

export const ticketListSchema = z
  .object({
    status: z.array(ticketStatusSchema).max(5).optional(),
    urgency: z.array(ticketUrgencySchema).max(3).optional(),
    departmentId: z.array(positiveIdSchema).max(100).optional(),
    /** An agent id, 'me' (mine, and those of colleagues I stand in for while they are away), or 'none' (unassigned). */
    assignee: z.union([positiveIdSchema, z.enum(['me', 'none'])]).optional(),
    kind: ticketKindSchema.optional(),
    /** Only tickets with an approaching or breached SLA target. */
    escalated: z.boolean().optional(),
    offset: z.number().int().min(0).max(1_000_000).default(0),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .strict();
export type TicketListQuery = z.input<typeof ticketListSchema>;

export const ticketReplySchema = z.object({
  ticketId: positiveIdSchema,
  clientId: clientIdSchema,
  text: text(MESSAGE_MAX_LENGTH),
  /** Set the status with the reply (e.g. pending: waiting for the customer). Default: new becomes open. */
  status: ticketStatusSchema.optional(),
});

export const ticketNoteSchema = z.object({
  ticketId: positiveIdSchema,
  clientId: clientIdSchema,
  text: text(MESSAGE_MAX_LENGTH),
});

export const ticketUpdateSchema = z
  .object({
    ticketId: positiveIdSchema,
    status: ticketStatusSchema.optional(),
    urgency: ticketUrgencySchema.optional(),
    /** null unassigns. */
    assigneeId: positiveIdSchema.nullable().optional(),
    departmentId: positiveIdSchema.optional(),
  })
  .refine((u) => u.status !== undefined || u.urgency !== undefined || u.assigneeId !== undefined || u.departmentId !== undefined, {
    message: 'nothing to change',
    path: [],
  });

export const calledBackSchema = z.object({
  ticketId: positiveIdSchema,
  /** What was agreed on the phone; stored as an internal note. */
  note: z.string().trim().max(MESSAGE_MAX_LENGTH).optional(),
  /** The status afterwards; solved unless given. */
  status: ticketStatusSchema.default('solved'),
});

// ------------------------------------------------------------------ views

export const callbackInfoSchema = z.object({
  phone: z.string(),
  preferredFrom: z.string().nullable(),
  preferredTo: z.string().nullable(),
  /** Set by the "called back" action. */
  calledBackAt: z.string().nullable(),
});
export type CallbackInfo = z.infer<typeof callbackInfoSchema>;

/** A ticket as its visitor sees it: never urgency, assignee, notes or SLA. */
export const visitorTicketSchema = z.object({
  id: z.number().int(),
  number: z.string(),
  kind: ticketKindSchema,
  status: ticketStatusSchema,
  departmentId: z.number().int(),
  conversationId: z.string(),
  language: z.string(),
  subject: z.string(),
  callback: callbackInfoSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type VisitorTicket = z.infer<typeof visitorTicketSchema>;

/** What a visitor gets when a ticket is made for them (ack or push). The link is only ever shown here and mailed. */
export interface TicketCreated {
  ticket: VisitorTicket;
  /** The private tracking page: `${PUBLIC_URL}/ticket/#<token>`. */
  trackingUrl: string;
  source: TicketSource;
  /** When the department opens next (source department_closed), else null. */
  nextOpeningAt: string | null;
  /** A retry (same clientId, or the conversation already has its ticket) got the first result; trackingUrl is then ''. */
  duplicate: boolean;
  /** A confirmation e-mail is on its way: the ticket has an address and the server sends mail. */
  mailQueued: boolean;
}

export const slaInfoSchema = z.object({
  firstResponseDueAt: z.string().nullable(),
  firstRespondedAt: z.string().nullable(),
  firstResponse: slaStateSchema,
  resolutionDueAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolution: slaStateSchema,
});
export type SlaInfo = z.infer<typeof slaInfoSchema>;

/** A ticket as agents see it. */
export const agentTicketSchema = z.object({
  id: z.number().int(),
  number: z.string(),
  kind: ticketKindSchema,
  source: ticketSourceSchema,
  status: ticketStatusSchema,
  urgency: ticketUrgencySchema,
  departmentId: z.number().int(),
  assigneeId: z.number().int().nullable(),
  assigneeName: z.string().nullable(),
  /** The assignee's substitute while the assignee is away or offline (they work the ticket meanwhile). */
  substituteId: z.number().int().nullable(),
  substituteName: z.string().nullable(),
  conversationId: z.string(),
  visitorId: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  customerNumber: z.string().nullable(),
  product: z.string().nullable(),
  language: z.string(),
  subject: z.string(),
  callback: callbackInfoSchema.nullable(),
  /** No public reply since the visitor last wrote. */
  unanswered: z.boolean(),
  sla: slaInfoSchema,
  /** The worse of the two SLA states that are still running: what the inbox marks. */
  escalation: z.enum(['none', 'approaching', 'breached']),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastActivityAt: z.string(),
});
export type AgentTicket = z.infer<typeof agentTicketSchema>;

export interface TicketSummary {
  id: number;
  number: string;
  status: TicketStatus;
  subject: string;
  departmentId: number;
  createdAt: string;
}

export const ticketEventTypes = [
  'created',
  'status_changed',
  'urgency_changed',
  'assigned',
  'department_changed',
  'replied',
  'noted',
  'commented',
  'called_back',
  'sla_approaching',
  'sla_breached',
  'mail_failed',
] as const;
export type TicketEventType = (typeof ticketEventTypes)[number];

export interface TicketEvent {
  id: number;
  ticketId: number;
  type: TicketEventType;
  actor: { type: 'visitor' | 'agent' | 'system'; id: string | null; name: string | null };
  data: Record<string, unknown> | null;
  createdAt: string;
}

export interface TicketDetail {
  ticket: AgentTicket;
  /** The whole thread, internal notes included, oldest first (up to 500). */
  messages: Message[];
  events: TicketEvent[];
  /** The visitor's and the same customer number's conversations and other tickets. */
  related: { conversations: EarlierConversation[]; tickets: TicketSummary[] };
  /** Earlier tickets with similar text (full-text search), best first. */
  similar: TicketSummary[];
}

/** A line of the public thread on the tracking page. */
export interface TrackedMessage {
  id: number;
  senderType: Message['senderType'];
  senderName: string | null;
  body: string;
  createdAt: string;
}

/** The tracking page: status and the public thread, never notes. */
export interface TrackedTicket {
  number: string;
  kind: TicketKind;
  status: TicketStatus;
  subject: string;
  departmentName: string;
  language: string;
  createdAt: string;
  updatedAt: string;
  messages: TrackedMessage[];
}

export interface TicketEscalated {
  ticket: AgentTicket;
  target: SlaTarget;
  level: 'approaching' | 'breached';
}

export interface WaitExceeded {
  conversationId: string;
  waitedSeconds: number;
  maxWaitSeconds: number;
  choices: WaitChoice[];
}

// ------------------------------------------------------------------ admin

export const slaPolicyBodySchema = z.object({
  departmentId: positiveIdSchema,
  urgency: ticketUrgencySchema,
  /** Minutes until the first public reply is due; null: no target. */
  firstResponseMinutes: z.number().int().min(1).max(SLA_MAX_MINUTES).nullable(),
  /** Minutes until the ticket should be solved; null: no target. */
  resolutionMinutes: z.number().int().min(1).max(SLA_MAX_MINUTES).nullable(),
});
export type SlaPolicyBody = z.input<typeof slaPolicyBodySchema>;
export interface SlaPolicy {
  id: number;
  departmentId: number;
  urgency: TicketUrgency;
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
}

export const assignmentRuleBodySchema = z
  .object({
    /** Lower runs first; the first matching rule wins. */
    position: z.number().int().min(0).max(1_000_000).default(100),
    /** Conditions; every one given must match. */
    departmentId: positiveIdSchema.nullable().default(null),
    /** Any of these words in the subject or text (case-insensitive). */
    keywords: z.array(z.string().trim().min(2).max(60)).max(50).default([]),
    product: product.nullable().default(null),
    language: languageCodeSchema.nullable().default(null),
    /** What happens: the ticket goes to this agent and/or this department. */
    assignToAgentId: positiveIdSchema.nullable().default(null),
    assignToDepartmentId: positiveIdSchema.nullable().default(null),
    active: z.boolean().default(true),
  })
  .refine((r) => r.assignToAgentId !== null || r.assignToDepartmentId !== null, {
    message: 'a rule must assign to an agent or a department',
    path: ['assignToAgentId'],
  });
export const assignmentRulePatchSchema = z.object({
  position: z.number().int().min(0).max(1_000_000).optional(),
  departmentId: positiveIdSchema.nullable().optional(),
  keywords: z.array(z.string().trim().min(2).max(60)).max(50).optional(),
  product: product.nullable().optional(),
  language: languageCodeSchema.nullable().optional(),
  assignToAgentId: positiveIdSchema.nullable().optional(),
  assignToDepartmentId: positiveIdSchema.nullable().optional(),
  active: z.boolean().optional(),
});
export type AssignmentRuleBody = z.input<typeof assignmentRuleBodySchema>;
export interface AssignmentRule {
  id: number;
  position: number;
  departmentId: number | null;
  keywords: string[];
  product: string | null;
  language: string | null;
  assignToAgentId: number | null;
  assignToDepartmentId: number | null;
  active: boolean;
}

export const substituteBodySchema = z.object({ substituteId: positiveIdSchema.nullable() });
export interface Substitute {
  userId: number;
  substituteId: number | null;
}

/** Where the tracking page lives; the token is in the fragment so it never reaches logs or referrers. */
export const trackingUrl = (publicUrl: string, token: string): string => `${publicUrl.replace(/\/$/, '')}/ticket/#${token}`;
