import type { Level } from '../../../shared/schemas/common.js';
import type { TransferRefusal } from '../../../shared/schemas/transfer.js';
import type { AgentProfile, AgentRuntime, ChatRoute, DepartmentRouting } from './types.js';

/**
 * The routing rules as pure functions. The in-memory store calls them directly; the Redis store's
 * scripts (redis/lua/*.lua) implement the same rules, held to them by the store contract suite and
 * the differential test (test/server/routing/differential.test.ts). Change both, or that test fails.
 */

/**
 * A waiting chat's widening stage, as bits: which of the time-based widenings it has reached.
 * Chats of one department, language, channel and stage can be served by exactly the same agents
 * (only a chat's own declines differ), which is what lets the stores index the queue by group.
 */
export const STAGE_L2 = 1;
export const STAGE_L3 = 2;
export const STAGE_FALLBACK = 4;

export function stageOf(dept: DepartmentRouting, language: string, waitedMs: number): number {
  let stage = 0;
  if (dept.widenL2AfterMs === null || waitedMs >= dept.widenL2AfterMs) stage |= STAGE_L2;
  if (dept.widenL3AfterMs === null || waitedMs >= dept.widenL3AfterMs) stage |= STAGE_L3;
  if (dept.fallbackLanguage && dept.fallbackLanguage !== language && (dept.fallbackLanguageAfterMs === null || waitedMs >= dept.fallbackLanguageAfterMs)) {
    stage |= STAGE_FALLBACK;
  }
  return stage;
}

/** When (epoch ms) a chat waiting since `waitingSince` next changes stage after `now`; null when it never will. */
export function nextStageAt(dept: DepartmentRouting, language: string, waitingSince: number, now: number): number | null {
  const steps = [dept.widenL2AfterMs, dept.widenL3AfterMs];
  if (dept.fallbackLanguage && dept.fallbackLanguage !== language) steps.push(dept.fallbackLanguageAfterMs);
  let next: number | null = null;
  for (const after of steps) {
    if (after === null) continue;
    const at = waitingSince + after;
    if (at > now && (next === null || at < next)) next = at;
  }
  return next;
}

/** Levels allowed to take a chat that has waited `waitedMs` (widening: L1 first, then L2, L3). */
export function allowedLevels(dept: DepartmentRouting, waitedMs: number): Set<Level> {
  const stage = stageOf(dept, '', waitedMs);
  const levels = new Set<Level>(['L1']);
  if (stage & STAGE_L2) levels.add('L2');
  if (stage & STAGE_L3) levels.add('L3');
  return levels;
}

/** Languages acceptable for the chat after `waitedMs`: its own, later also the fallback language. */
export function acceptableLanguages(dept: DepartmentRouting, language: string, waitedMs: number): string[] {
  return stageOf(dept, language, waitedMs) & STAGE_FALLBACK ? [language, dept.fallbackLanguage!] : [language];
}

/** Waiting chats that the same agents can serve: one department, language, channel and widening stage. */
export interface RouteGroup {
  departmentId: number;
  language: string;
  channel: 'chat' | 'voice';
  stage: number;
}

/** The group key the stores index waiting chats by; the language goes last as the only free-form part. */
export const groupKey = (g: RouteGroup): string => `${g.departmentId}|${g.stage}|${g.channel}|${g.language}`;

export const groupOf = (route: Pick<ChatRoute, 'departmentId' | 'language' | 'channel' | 'waitingSince'>, dept: DepartmentRouting, now: number): RouteGroup => ({
  departmentId: route.departmentId,
  language: route.language,
  channel: route.channel,
  stage: stageOf(dept, route.language, now - route.waitingSince),
});

/** Membership, level and language for every chat of the group. */
export function qualifiesFor(profile: AgentProfile, group: RouteGroup, dept: DepartmentRouting): boolean {
  const membership = profile.memberships[group.departmentId];
  if (!membership) return false;
  if (membership.level === 'L2' && !(group.stage & STAGE_L2)) return false;
  if (membership.level === 'L3' && !(group.stage & STAGE_L3)) return false;
  if (profile.languages.includes(group.language)) return true;
  return (group.stage & STAGE_FALLBACK) !== 0 && profile.languages.includes(dept.fallbackLanguage!);
}

export const capacityFor = (profile: AgentProfile, departmentId: number): number =>
  profile.memberships[departmentId]?.maxChats ?? profile.maxChats;

/** Slots in use: active chats, the pending offer, chats in wrap-up and slots held for incoming transfers. */
export const loadOf = (agent: AgentRuntime): number => agent.active.length + (agent.offer ? 1 : 0) + agent.wrapUps.length + agent.reserved.length;

/** Could this agent ever serve this chat (membership, language, level) given its wait so far? */
export function isQualified(profile: AgentProfile, route: ChatRoute, dept: DepartmentRouting, now: number): boolean {
  return qualifiesFor(profile, groupOf(route, dept, now), dept);
}

/** Present: available and with a console connected (not merely inside the reconnect grace). */
export const isReachable = (agent: AgentRuntime): boolean => agent.status === 'available' && agent.connections.length > 0;

/**
 * May this agent be offered any chat of the group right now? Everything but the chat's own
 * declines. `onCall`: the agent is on a call (a call request then goes to someone else).
 */
export function canServeGroup(profile: AgentProfile, agent: AgentRuntime, group: RouteGroup, dept: DepartmentRouting, onCall: boolean): boolean {
  if (!isReachable(agent) || agent.offer !== null) return false;
  if (group.channel === 'voice' && onCall) return false;
  if (loadOf(agent) >= capacityFor(profile, group.departmentId)) return false;
  return qualifiesFor(profile, group, dept);
}

/** Has the agent declined or missed this chat so recently that it is not offered to them again yet? */
export const declinedRecently = (route: Pick<ChatRoute, 'declined'>, agentId: number, now: number): boolean => (route.declined[agentId] ?? 0) > now;

/**
 * May this agent be offered this chat right now? `onCall`: the agent is on a call (a call request
 * then goes to someone else; one call per agent).
 */
export function isEligible(
  profile: AgentProfile,
  agent: AgentRuntime,
  route: ChatRoute,
  dept: DepartmentRouting,
  now: number,
  onCall: boolean,
): boolean {
  return !declinedRecently(route, agent.agentId, now) && canServeGroup(profile, agent, groupOf(route, dept, now), dept, onCall);
}

/** Sort key per strategy: the first agent in this order gets the offer. */
export function compareAgents(dept: DepartmentRouting): (a: AgentRuntime, b: AgentRuntime) => number {
  const byId = (a: AgentRuntime, b: AgentRuntime) => a.agentId - b.agentId;
  switch (dept.strategy) {
    case 'least_busy':
      return (a, b) => loadOf(a) - loadOf(b) || a.idleSince - b.idleSince || byId(a, b);
    case 'longest_idle':
      return (a, b) => a.idleSince - b.idleSince || byId(a, b);
    case 'round_robin':
      return (a, b) => (a.lastOfferedAt[dept.id] ?? 0) - (b.lastOfferedAt[dept.id] ?? 0) || byId(a, b);
  }
}

/** Queue order: higher priority first, then longest waiting, then a stable tie-break. */
export function compareRoutes(a: ChatRoute, b: ChatRoute): number {
  return b.priority - a.priority || a.waitingSince - b.waitingSince || (a.conversationId < b.conversationId ? -1 : 1);
}

/**
 * May a colleague be handed a chat of `departmentId` right now? Unlike an offer, membership,
 * language and level are the requester's judgement; presence and capacity are not.
 */
export function transferRefusal(
  profile: AgentProfile | null,
  agent: AgentRuntime,
  route: Pick<ChatRoute, 'conversationId' | 'departmentId' | 'inCall'>,
  force: boolean,
  onCall: boolean,
): TransferRefusal | null {
  const { conversationId, departmentId } = route;
  if (!profile || agent.status === 'offline') return 'offline';
  if (agent.status === 'away') return 'away';
  if (agent.connections.length === 0) return 'not_connected';
  // Forcing goes over chat capacity, never into a second call.
  if (route.inCall && onCall) return 'on_call';
  // A slot the agent already holds for this very chat (its offer) is not a second one.
  const held = (agent.offer === conversationId ? 1 : 0) + (agent.reserved.includes(conversationId) ? 1 : 0);
  if (!force && loadOf(agent) - held >= capacityFor(profile, departmentId)) return 'at_capacity';
  return null;
}
