import { z } from 'zod';
import { languageCodeSchema, levelSchema } from './common.js';
import { agentStatusSchema, awayReasonSchema } from './presence.js';

export const routingStrategies = ['least_busy', 'longest_idle', 'round_robin'] as const;
export const routingStrategySchema = z.enum(routingStrategies);
export type RoutingStrategy = z.infer<typeof routingStrategySchema>;

const seconds = (max: number) => z.number().int().min(0).max(max);

/** How a department routes its chats. Times in seconds. */
export const routingConfigSchema = z.object({
  strategy: routingStrategySchema,
  /** After this long a waiting visitor is offered to leave a message or a callback (offline fallback). */
  maxWaitSeconds: seconds(86_400),
  /** How long an agent has to accept an offer before it goes to the next agent. */
  offerTimeoutSeconds: z.number().int().min(5).max(600),
  /** After a chat ends the agent's slot stays blocked this long (wrap-up). */
  wrapUpSeconds: seconds(3600),
  /** At first only L1 agents are eligible; after these waits also L2, then L3. null: at once. */
  widenToL2AfterSeconds: seconds(86_400).nullable(),
  widenToL3AfterSeconds: seconds(86_400).nullable(),
  /** After this wait, agents speaking the fallback language become eligible too. */
  fallbackLanguage: languageCodeSchema.nullable(),
  fallbackLanguageAfterSeconds: seconds(86_400).nullable(),
  /** The console warns the agent when a chat runs longer than this; null: no limit. */
  softLimitSeconds: seconds(86_400).nullable(),
  /**
   * Offline fallback: when nobody who could serve a chat is online here (nor in the fallback
   * department), the chat becomes a ticket instead of waiting. Off: it waits in the queue.
   */
  offlineFallback: z.boolean(),
});
export type RoutingConfig = z.infer<typeof routingConfigSchema>;

/** What the waiting visitor sees. */
export const queueStatusSchema = z.object({
  conversationId: z.string(),
  /** 1 = next in line. */
  position: z.number().int().min(1),
  /** null when nobody who could serve this chat is available, so no honest estimate exists. */
  estimatedWaitSeconds: z.number().int().min(0).nullable(),
  /** Agents who could serve this chat and are available now. */
  agentsAvailable: z.number().int().min(0),
});
export type QueueStatus = z.infer<typeof queueStatusSchema>;

/** A waiting conversation as agents and supervisors see it. */
export const queueEntrySchema = z.object({
  conversationId: z.string(),
  departmentId: z.number().int(),
  visitorName: z.string().nullable(),
  language: z.string(),
  priority: z.number().int(),
  /** ISO timestamp: waiting since (kept across transfers). */
  waitingSince: z.string(),
  /** The agent the chat is offered to right now, if any. */
  offeredTo: z.number().int().nullable(),
  position: z.number().int().min(1),
});
export type QueueEntry = z.infer<typeof queueEntrySchema>;

/** An incoming chat offered to one agent. */
export const offerSchema = z.object({
  conversationId: z.string(),
  departmentId: z.number().int(),
  visitorName: z.string().nullable(),
  language: z.string(),
  /** The visitor's first message, so the agent knows what it is about before accepting. */
  preview: z.string(),
  /** voice: a call request; accepting it joins the call. */
  channel: z.enum(['chat', 'voice']),
  waitingSince: z.string(),
  /** ISO timestamp when the offer passes to the next agent. */
  expiresAt: z.string(),
});
export type Offer = z.infer<typeof offerSchema>;

export const offerRevokedSchema = z.object({
  conversationId: z.string(),
  /** timeout: not answered in time; withdrawn: the visitor left or the chat went elsewhere. */
  reason: z.enum(['timeout', 'withdrawn']),
});
export type OfferRevoked = z.infer<typeof offerRevokedSchema>;

/** Live state of one agent, for supervisors. */
export const agentStateSchema = z.object({
  agentId: z.number().int(),
  name: z.string(),
  status: agentStatusSchema,
  reason: awayReasonSchema.nullable(),
  /** Derived: available but at capacity. */
  busy: z.boolean(),
  /** At least one console connected (or within the reconnect grace period). */
  connected: z.boolean(),
  /** Active chats plus a pending offer plus slots in wrap-up. */
  load: z.number().int(),
  capacity: z.number().int(),
  conversationIds: z.array(z.string()),
  since: z.string(),
});
export type AgentState = z.infer<typeof agentStateSchema>;

export const membershipSchema = z.object({ departmentId: z.number().int(), level: levelSchema, maxChats: z.number().int().nullable() });
