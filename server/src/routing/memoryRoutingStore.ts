import type { AgentStatus, AwayReason } from '../../../shared/schemas/presence.js';
import { compareAgents, compareRoutes, isEligible } from './eligibility.js';
import type { RoutingStore } from './routingStore.js';
import type { AgentProfile, AgentRuntime, ChatRequest, ChatRoute, DepartmentRouting, OfferMade, QueuedView } from './types.js';

/** Callers get copies, never the live state; these are cheap enough for queue reads on every event. */
const copyRoute = (r: ChatRoute): ChatRoute => ({ ...r, declined: { ...r.declined } });
const copyAgent = (a: AgentRuntime): AgentRuntime => ({
  ...a,
  connections: [...a.connections],
  active: [...a.active],
  wrapUps: a.wrapUps.map((w) => ({ ...w })),
  lastOfferedAt: { ...a.lastOfferedAt },
});
const copyProfile = (p: AgentProfile): AgentProfile => ({
  ...p,
  languages: [...p.languages],
  memberships: Object.fromEntries(Object.entries(p.memberships).map(([k, v]) => [k, { ...v }])),
});

/**
 * Single-node routing state. Every method runs start to finish without awaiting anything, so on
 * Node's one thread each is atomic: no interleaving can double-offer a chat or overfill an agent.
 */
export function createMemoryRoutingStore(): RoutingStore {
  const departments = new Map<number, DepartmentRouting>();
  const profiles = new Map<number, AgentProfile>();
  const agents = new Map<number, AgentRuntime>();
  const routes = new Map<string, ChatRoute>();
  let epoch: string | null = null;

  const agentOf = (agentId: number, now = 0): AgentRuntime => {
    let agent = agents.get(agentId);
    if (!agent) {
      agent = { agentId, status: 'offline', reason: null, since: now, connections: [], graceUntil: null, active: [], offer: null, wrapUps: [], idleSince: now, lastOfferedAt: {} };
      agents.set(agentId, agent);
    }
    return agent;
  };

  const backToQueue = (route: ChatRoute) => {
    route.state = 'queued';
    route.agentId = null;
    route.offerExpiresAt = null;
  };

  /** Frees whatever slot the route holds with its agent. */
  const detach = (route: ChatRoute) => {
    if (route.agentId === null) return;
    const agent = agentOf(route.agentId);
    if (agent.offer === route.conversationId) agent.offer = null;
    agent.active = agent.active.filter((id) => id !== route.conversationId);
  };

  // Queue order only changes when chats come or go, not when they are offered or taken back:
  // sort once per change instead of on every routing pass (a profile of a 1,000-chat burst).
  let ordered: ChatRoute[] | null = null;
  const changed = () => {
    ordered = null;
  };
  const waiting = (departmentId: number | null) => {
    ordered ??= [...routes.values()].sort(compareRoutes);
    return ordered.filter((r) => r.state !== 'assigned' && (departmentId === null || r.departmentId === departmentId));
  };

  return {
    async setDepartments(list) {
      departments.clear();
      for (const d of list) departments.set(d.id, { ...d });
    },
    async setAgentProfile(profile) {
      profiles.set(profile.agentId, copyProfile(profile));
    },
    agentProfile: async (agentId) => {
      const p = profiles.get(agentId);
      return p ? copyProfile(p) : null;
    },

    async setStatus(agentId, status: AgentStatus, reason: AwayReason | null, now) {
      const agent = agentOf(agentId, now);
      if (agent.status !== status || agent.reason !== reason) {
        if (status === 'available' && agent.status !== 'available') agent.idleSince = now;
        agent.status = status;
        agent.reason = reason;
        agent.since = now;
      }
      return copyAgent(agent);
    },
    async connect(agentId, connectionId, now) {
      const agent = agentOf(agentId, now);
      if (!agent.connections.includes(connectionId)) agent.connections.push(connectionId);
      agent.graceUntil = null;
      return copyAgent(agent);
    },
    async disconnect(agentId, connectionId, now, graceMs) {
      const agent = agentOf(agentId, now);
      agent.connections = agent.connections.filter((c) => c !== connectionId);
      if (agent.connections.length === 0) agent.graceUntil = now + graceMs;
      return copyAgent(agent);
    },
    async expireGrace(now) {
      const expired = [];
      for (const agent of agents.values()) {
        if (agent.graceUntil === null || agent.graceUntil > now || agent.connections.length > 0) continue;
        agent.graceUntil = null;
        if (agent.status !== 'offline') agent.since = now;
        agent.status = 'offline';
        agent.reason = null;
        const withdrawnOffer = agent.offer;
        if (withdrawnOffer) {
          const route = routes.get(withdrawnOffer);
          if (route) backToQueue(route);
          agent.offer = null;
        }
        const requeued = [...agent.active];
        for (const id of requeued) {
          const route = routes.get(id);
          if (route) backToQueue(route);
        }
        agent.active = [];
        expired.push({ agent: copyAgent(agent), withdrawnOffer, requeued });
      }
      return expired;
    },

    async enqueue(request, _now) {
      if (routes.has(request.conversationId)) return false;
      routes.set(request.conversationId, { ...request, state: 'queued', agentId: null, offerExpiresAt: null, declined: {} });
      changed();
      return true;
    },
    async remove(conversationId) {
      const route = routes.get(conversationId);
      if (!route) return null;
      detach(route);
      routes.delete(conversationId);
      changed();
      return copyRoute(route);
    },
    async offerNext(now): Promise<OfferMade | null> {
      const candidates = [...agents.values()].filter((a) => a.status === 'available' && a.connections.length > 0 && a.offer === null);
      if (candidates.length === 0) return null;
      for (const route of waiting(null)) {
        if (route.state !== 'queued') continue;
        const dept = departments.get(route.departmentId);
        if (!dept) continue;
        const eligible = candidates.filter((a) => {
          const profile = profiles.get(a.agentId);
          return profile !== undefined && isEligible(profile, a, route, dept, now);
        });
        if (eligible.length === 0) continue;
        const agent = eligible.sort(compareAgents(dept))[0]!;
        const expiresAt = now + dept.offerTimeoutMs;
        route.state = 'offered';
        route.agentId = agent.agentId;
        route.offerExpiresAt = expiresAt;
        agent.offer = route.conversationId;
        agent.lastOfferedAt[dept.id] = now;
        return { route: copyRoute(route), agentId: agent.agentId, expiresAt, autoAccept: profiles.get(agent.agentId)!.autoAccept };
      }
      return null;
    },
    async accept(conversationId, agentId, now) {
      const route = routes.get(conversationId);
      if (!route || route.state !== 'offered' || route.agentId !== agentId) return null;
      const agent = agentOf(agentId, now);
      agent.offer = null;
      agent.active.push(conversationId);
      agent.idleSince = now;
      route.state = 'assigned';
      route.offerExpiresAt = null;
      return copyRoute(route);
    },
    async decline(conversationId, agentId, now, excludeMs) {
      const route = routes.get(conversationId);
      if (!route || route.state !== 'offered' || route.agentId !== agentId) return null;
      agentOf(agentId).offer = null;
      route.declined[agentId] = now + excludeMs;
      backToQueue(route);
      return copyRoute(route);
    },
    async expireOffers(now, excludeMs) {
      const expired = [];
      for (const route of routes.values()) {
        if (route.state !== 'offered' || route.offerExpiresAt === null || route.offerExpiresAt > now) continue;
        const agentId = route.agentId!;
        agentOf(agentId).offer = null;
        route.declined[agentId] = now + excludeMs;
        backToQueue(route);
        expired.push({ route: copyRoute(route), agentId });
      }
      return expired;
    },
    async release(conversationId, now) {
      const route = routes.get(conversationId);
      if (!route) return null;
      routes.delete(conversationId);
      changed();
      if (route.state === 'assigned' && route.agentId !== null) {
        const agent = agentOf(route.agentId);
        agent.active = agent.active.filter((id) => id !== conversationId);
        const wrapUpMs = departments.get(route.departmentId)?.wrapUpMs ?? 0;
        if (wrapUpMs > 0) agent.wrapUps.push({ conversationId, until: now + wrapUpMs });
      } else {
        detach(route);
      }
      return copyRoute(route);
    },
    async expireWrapUps(now) {
      const freed: number[] = [];
      for (const agent of agents.values()) {
        const before = agent.wrapUps.length;
        agent.wrapUps = agent.wrapUps.filter((w) => w.until > now);
        if (agent.wrapUps.length < before) freed.push(agent.agentId);
      }
      return freed;
    },
    async assign(request, agentId, now) {
      const existing = routes.get(request.conversationId);
      if (existing) detach(existing);
      routes.set(request.conversationId, { ...request, state: 'assigned', agentId, offerExpiresAt: null, declined: {} });
      changed();
      const agent = agentOf(agentId, now);
      if (!agent.active.includes(request.conversationId)) agent.active.push(request.conversationId);
    },
    async requeue(conversationId, _now) {
      const route = routes.get(conversationId);
      if (!route) return null;
      detach(route);
      backToQueue(route);
      return copyRoute(route);
    },

    // One node, one process: it is alive as long as it runs, and its state starts empty once.
    heartbeat: async () => false,
    reapDeadNodes: async () => [],
    epoch: async () => epoch,
    async claimRebuild(next) {
      if (epoch !== null) return false;
      epoch = next;
      return true;
    },

    route: async (conversationId) => {
      const r = routes.get(conversationId);
      return r ? copyRoute(r) : null;
    },
    async queue(departmentId) {
      const perDepartment = new Map<number, number>();
      return waiting(departmentId).map((r): QueuedView => {
        const position = (perDepartment.get(r.departmentId) ?? 0) + 1;
        perDepartment.set(r.departmentId, position);
        return { ...copyRoute(r), position };
      });
    },
    agent: async (agentId) => copyAgent(agentOf(agentId)),
    agents: async () => [...agents.values()].map(copyAgent),
    departments: async () => [...departments.values()].map((d) => ({ ...d })),
    profiles: async () => [...profiles.values()].map(copyProfile),
  };
}
