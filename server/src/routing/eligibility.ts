import type { Level } from '../../../shared/schemas/common.js';
import type { TransferRefusal } from '../../../shared/schemas/transfer.js';
import type { AgentProfile, AgentRuntime, ChatRoute, DepartmentRouting } from './types.js';

/**
 * The routing rules as pure functions. The in-memory store calls them directly; the Redis store's
 * scripts implement the same rules and are held to them by the same test suite.
 */

/** Levels allowed to take a chat that has waited `waitedMs` (widening: L1 first, then L2, L3). */
export function allowedLevels(dept: DepartmentRouting, waitedMs: number): Set<Level> {
  const levels = new Set<Level>(['L1']);
  if (dept.widenL2AfterMs === null || waitedMs >= dept.widenL2AfterMs) levels.add('L2');
  if (dept.widenL3AfterMs === null || waitedMs >= dept.widenL3AfterMs) levels.add('L3');
  return levels;
}

/** Languages acceptable for the chat after `waitedMs`: its own, later also the fallback language. */
export function acceptableLanguages(dept: DepartmentRouting, language: string, waitedMs: number): string[] {
  const langs = [language];
  if (dept.fallbackLanguage && dept.fallbackLanguage !== language) {
    if (dept.fallbackLanguageAfterMs === null || waitedMs >= dept.fallbackLanguageAfterMs) langs.push(dept.fallbackLanguage);
  }
  return langs;
}

export const capacityFor = (profile: AgentProfile, departmentId: number): number =>
  profile.memberships[departmentId]?.maxChats ?? profile.maxChats;

/** Slots in use: active chats, the pending offer, chats in wrap-up and slots held for incoming transfers. */
export const loadOf = (agent: AgentRuntime): number => agent.active.length + (agent.offer ? 1 : 0) + agent.wrapUps.length + agent.reserved.length;

/** Could this agent ever serve this chat (membership, language, level) given its wait so far? */
export function isQualified(profile: AgentProfile, route: ChatRoute, dept: DepartmentRouting, now: number): boolean {
  const membership = profile.memberships[route.departmentId];
  if (!membership) return false;
  const waited = now - route.waitingSince;
  if (!allowedLevels(dept, waited).has(membership.level)) return false;
  return acceptableLanguages(dept, route.language, waited).some((l) => profile.languages.includes(l));
}

/** Present: available and with a console connected (not merely inside the reconnect grace). */
export const isReachable = (agent: AgentRuntime): boolean => agent.status === 'available' && agent.connections.length > 0;

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
  if (!isReachable(agent) || agent.offer !== null) return false;
  if (route.channel === 'voice' && onCall) return false;
  if ((route.declined[agent.agentId] ?? 0) > now) return false;
  if (loadOf(agent) >= capacityFor(profile, route.departmentId)) return false;
  return isQualified(profile, route, dept, now);
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
