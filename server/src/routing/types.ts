import type { Level } from '../../../shared/schemas/common.js';
import type { AgentStatus, AwayReason } from '../../../shared/schemas/presence.js';
import type { RoutingStrategy } from '../../../shared/schemas/routing.js';
import type { TransferRefusal } from '../../../shared/schemas/transfer.js';

/** A department's routing rules, in milliseconds. */
export interface DepartmentRouting {
  id: number;
  strategy: RoutingStrategy;
  offerTimeoutMs: number;
  wrapUpMs: number;
  /** null: L2 (or L3) agents are eligible from the start. */
  widenL2AfterMs: number | null;
  widenL3AfterMs: number | null;
  fallbackLanguage: string | null;
  /** null with a fallback language: eligible from the start. */
  fallbackLanguageAfterMs: number | null;
}

/** What routing needs to know about an agent (from the database). */
export interface AgentProfile {
  agentId: number;
  name: string;
  languages: string[];
  maxChats: number;
  autoAccept: boolean;
  /** Department id → level and an optional capacity override. */
  memberships: Record<number, { level: Level; maxChats: number | null }>;
}

/** A chat waiting for, offered to, or served by an agent. */
export interface ChatRequest {
  conversationId: string;
  departmentId: number;
  visitorId: string;
  visitorName: string | null;
  language: string;
  priority: number;
  /** Epoch ms; waiting time counts from here (kept on requeue). */
  waitingSince: number;
  preview: string;
  /** voice: a call request ("call us"); chat otherwise. */
  channel: 'chat' | 'voice';
}

export type RouteState = 'queued' | 'offered' | 'assigned';

/** A warm transfer waiting for the colleague's answer; the colleague's slot is held meanwhile. */
export interface PendingTransfer {
  transferId: string;
  fromAgentId: number;
  toAgentId: number;
  /** Epoch ms when the request lapses and the requester keeps the chat. */
  expiresAt: number;
}

export interface ChatRoute extends ChatRequest {
  state: RouteState;
  agentId: number | null;
  offerExpiresAt: number | null;
  /** Agent id → epoch ms until which this agent is not offered the chat again (declined or missed). */
  declined: Record<number, number>;
  /** Only on assigned chats. */
  transfer: PendingTransfer | null;
  /**
   * Its agent is on a call in it: set when a call request is accepted or a call starts in the
   * chat, cleared when the call ends or the chat leaves its agent. One call per agent.
   */
  inCall: boolean;
}

export type CallMark = { ok: true; route: ChatRoute } | { ok: false; refusal: 'not_assigned' | 'on_call' };

export interface TransferAsk {
  conversationId: string;
  transferId: string;
  fromAgentId: number;
  toAgentId: number;
  expiresAt: number;
  /** Over the colleague's capacity (a supervisor's decision). */
  force: boolean;
}

export type TransferStart = { ok: true; route: ChatRoute } | { ok: false; refusal: TransferRefusal };

/** A chat that changed hands: how it is now and how it was just before (whom to release, what to withdraw). */
export interface Moved {
  route: ChatRoute;
  previous: ChatRoute;
}

export type Reassigned = ({ ok: true } & Moved) | { ok: false; refusal: TransferRefusal };

export interface AgentRuntime {
  agentId: number;
  status: AgentStatus;
  reason: AwayReason | null;
  /** Epoch ms of the last status change. */
  since: number;
  /** Live console connections (several tabs are one agent). */
  connections: string[];
  /** Set while no connection is left: the agent counts as present until then. */
  graceUntil: number | null;
  /** Conversations being served. */
  active: string[];
  /** The one pending offer. */
  offer: string | null;
  /** Slots still blocked after chats ended (or were handed on). */
  wrapUps: Array<{ conversationId: string; until: number }>;
  /** Slots held for chats a colleague wants to hand over (warm transfers awaiting this agent's answer). */
  reserved: string[];
  /** Epoch ms since when the agent waits for work: becoming available or receiving the last chat. */
  idleSince: number;
  /** Department id → epoch ms of the last offer (round robin). */
  lastOfferedAt: Record<number, number>;
}

export interface OfferMade {
  route: ChatRoute;
  agentId: number;
  expiresAt: number;
  /** The agent takes offers without asking: the store has already assigned the chat (route state `assigned`). */
  autoAccept: boolean;
}

export interface QueuedView extends ChatRoute {
  /** 1-based place among the department's waiting chats. */
  position: number;
}
