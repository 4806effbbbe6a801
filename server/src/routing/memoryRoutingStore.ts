import type { AgentStatus, AwayReason } from '../../../shared/schemas/presence.js';
import { compareAgents, compareRoutes, isEligible, transferRefusal } from './eligibility.js';
import type { RoutingStore } from './routingStore.js';
import type { AgentProfile, AgentRuntime, ChatRequest, ChatRoute, DepartmentRouting, OfferMade, PendingTransfer, QueuedView } from './types.js';

/** Callers get copies, never the live state; these are cheap enough for queue reads on every event. */
const copyRoute = (r: ChatRoute): ChatRoute => ({ ...r, declined: { ...r.declined }, transfer: r.transfer ? { ...r.transfer } : null });
const copyAgent = (a: AgentRuntime): AgentRuntime => ({
  ...a,
  connections: [...a.connections],
  active: [...a.active],
  wrapUps: a.wrapUps.map((w) => ({ ...w })),
  reserved: [...a.reserved],
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
      agent = { agentId, status: 'offline', reason: null, since: now, connections: [], graceUntil: null, active: [], offer: null, wrapUps: [], reserved: [], idleSince: now, lastOfferedAt: {} };
      agents.set(agentId, agent);
    }
    return agent;
  };

  /** Ends the route's pending transfer, if any, and frees the slot held with the colleague. */
  const dropPending = (route: ChatRoute): PendingTransfer | null => {
    const pending = route.transfer;
    if (!pending) return null;
    const colleague = agents.get(pending.toAgentId);
    if (colleague) colleague.reserved = colleague.reserved.filter((id) => id !== route.conversationId);
    route.transfer = null;
    return pending;
  };

  const backToQueue = (route: ChatRoute) => {
    // An assigned chat coming back must re-enter the waiting list.
    if (route.state === 'assigned') changed();
    dropPending(route);
    route.inCall = false;
    route.state = 'queued';
    route.agentId = null;
    route.offerExpiresAt = null;
  };

  /** The agent's slot for this chat stays blocked for the department's wrap-up time. */
  const wrapUp = (agent: AgentRuntime, conversationId: string, departmentId: number, now: number) => {
    const wrapUpMs = departments.get(departmentId)?.wrapUpMs ?? 0;
    agent.wrapUps = agent.wrapUps.filter((w) => w.conversationId !== conversationId);
    if (wrapUpMs > 0) agent.wrapUps.push({ conversationId, until: now + wrapUpMs });
  };

  /** Is the agent on a call in any chat but `except`? */
  const onCall = (agent: AgentRuntime, except?: string): boolean =>
    agent.active.some((id) => id !== except && routes.get(id)?.inCall === true);

  /** Frees whatever slot the route holds with its agent (a call in it ends with it). */
  const detach = (route: ChatRoute) => {
    route.inCall = false;
    dropPending(route);
    if (route.agentId === null) return;
    const agent = agentOf(route.agentId);
    if (agent.offer === route.conversationId) agent.offer = null;
    agent.active = agent.active.filter((id) => id !== route.conversationId);
  };

  // The waiting chats (queued or offered) in queue order, kept between routing passes instead of
  // sorted on each (a profile of a 1,000-chat burst): a new chat is inserted in place, a chat that
  // gets assigned or removed drops out lazily, anything else re-sorts once. Only chats that are not
  // assigned are in it, so thousands of running chats cost a waiting-list read nothing.
  let ordered: ChatRoute[] | null = null;
  const changed = () => {
    ordered = null;
  };
  const live = (r: ChatRoute) => r.state !== 'assigned' && routes.get(r.conversationId) === r;
  const sorted = (): ChatRoute[] => (ordered ??= [...routes.values()].filter(live).sort(compareRoutes));
  /** The waiting list without dropped entries (compacted as a side effect); for views, a few times a second. */
  const waiting = (departmentId: number | null) => {
    ordered = sorted().filter(live);
    return departmentId === null ? ordered : ordered.filter((r) => r.departmentId === departmentId);
  };
  const dropWaiting = (route: ChatRoute) => {
    const at = ordered ? ordered.indexOf(route) : -1;
    if (at >= 0) ordered!.splice(at, 1);
  };
  const insertWaiting = (route: ChatRoute) => {
    if (!ordered) return;
    let lo = 0;
    let hi = ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareRoutes(ordered[mid]!, route) <= 0) lo = mid + 1;
      else hi = mid;
    }
    ordered.splice(lo, 0, route);
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
        for (const id of agent.reserved) {
          const route = routes.get(id);
          if (route?.transfer?.toAgentId === agent.agentId) route.transfer = null;
        }
        agent.reserved = [];
        expired.push({ agent: copyAgent(agent), withdrawnOffer, requeued });
      }
      return expired;
    },

    async enqueue(request, _now) {
      if (routes.has(request.conversationId)) return false;
      const route: ChatRoute = { ...request, state: 'queued', agentId: null, offerExpiresAt: null, declined: {}, transfer: null, inCall: false };
      routes.set(request.conversationId, route);
      insertWaiting(route);
      return true;
    },
    async remove(conversationId) {
      const route = routes.get(conversationId);
      if (!route) return null;
      detach(route);
      routes.delete(conversationId);
      return copyRoute(route);
    },
    async offerNext(now): Promise<OfferMade | null> {
      const candidates = [...agents.values()].filter((a) => a.status === 'available' && a.connections.length > 0 && a.offer === null);
      if (candidates.length === 0) return null;
      // The hot path of a burst: walk the kept order without copying it; dropped entries are skipped.
      for (const route of sorted()) {
        if (route.state !== 'queued' || routes.get(route.conversationId) !== route) continue;
        const dept = departments.get(route.departmentId);
        if (!dept) continue;
        const eligible = candidates.filter((a) => {
          const profile = profiles.get(a.agentId);
          return profile !== undefined && isEligible(profile, a, route, dept, now, route.channel === 'voice' && onCall(a));
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
      // Taking a call request is taking the call: no second one can be offered meanwhile.
      route.inCall = route.channel === 'voice';
      dropWaiting(route);
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
      if (route.state === 'assigned' && route.agentId !== null) {
        dropPending(route);
        const agent = agentOf(route.agentId);
        agent.active = agent.active.filter((id) => id !== conversationId);
        wrapUp(agent, conversationId, route.departmentId, now);
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
      routes.set(request.conversationId, { ...request, state: 'assigned', agentId, offerExpiresAt: null, declined: {}, transfer: null, inCall: false });
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

    async requestTransfer(ask, _now) {
      const route = routes.get(ask.conversationId);
      if (!route || route.state !== 'assigned' || route.agentId !== ask.fromAgentId) return { ok: false, refusal: 'not_assigned' };
      if (ask.toAgentId === ask.fromAgentId) return { ok: false, refusal: 'same_agent' };
      if (route.transfer) return { ok: false, refusal: 'pending' };
      const colleague = agents.get(ask.toAgentId);
      const refusal = colleague ? transferRefusal(profiles.get(ask.toAgentId) ?? null, colleague, route, ask.force, onCall(colleague, route.conversationId)) : 'offline';
      if (refusal) return { ok: false, refusal };
      colleague!.reserved.push(route.conversationId);
      route.transfer = { transferId: ask.transferId, fromAgentId: ask.fromAgentId, toAgentId: ask.toAgentId, expiresAt: ask.expiresAt };
      return { ok: true, route: copyRoute(route) };
    },
    async dropTransfer(conversationId, transferId) {
      const route = routes.get(conversationId);
      if (!route?.transfer || route.transfer.transferId !== transferId) return null;
      dropPending(route);
      return copyRoute(route);
    },
    async expireTransfers(now) {
      const expired = [];
      for (const route of routes.values()) {
        if (!route.transfer || route.transfer.expiresAt > now) continue;
        const transfer = dropPending(route)!;
        expired.push({ route: copyRoute(route), transfer });
      }
      return expired;
    },
    async completeTransfer(conversationId, transferId, now) {
      const route = routes.get(conversationId);
      const pending = route?.transfer;
      if (!route || !pending || pending.transferId !== transferId || route.state !== 'assigned' || route.agentId !== pending.fromAgentId) return null;
      const previous = copyRoute(route);
      const from = agentOf(pending.fromAgentId, now);
      from.active = from.active.filter((id) => id !== conversationId);
      wrapUp(from, conversationId, route.departmentId, now);
      const to = agentOf(pending.toAgentId, now);
      to.reserved = to.reserved.filter((id) => id !== conversationId);
      if (!to.active.includes(conversationId)) to.active.push(conversationId);
      to.idleSince = now;
      route.agentId = pending.toAgentId;
      route.transfer = null;
      return { route: copyRoute(route), previous };
    },
    async moveToDepartment(conversationId, departmentId, now, excludeMs) {
      const route = routes.get(conversationId);
      if (!route) return null;
      const previous = copyRoute(route);
      dropPending(route);
      if (route.agentId !== null) {
        const agent = agentOf(route.agentId, now);
        if (route.state === 'assigned') {
          agent.active = agent.active.filter((id) => id !== conversationId);
          wrapUp(agent, conversationId, route.departmentId, now);
        } else if (agent.offer === conversationId) {
          agent.offer = null;
        }
        route.declined[route.agentId] = now + excludeMs;
      }
      route.departmentId = departmentId;
      route.priority += 1;
      backToQueue(route);
      changed();
      return { route: copyRoute(route), previous };
    },
    async reassign(conversationId, toAgentId, now, force) {
      const route = routes.get(conversationId);
      if (!route) return { ok: false, refusal: 'not_assigned' };
      if (route.state === 'assigned' && route.agentId === toAgentId) return { ok: false, refusal: 'same_agent' };
      const colleague = agents.get(toAgentId);
      const refusal = colleague ? transferRefusal(profiles.get(toAgentId) ?? null, colleague, route, force, onCall(colleague, conversationId)) : 'offline';
      if (refusal) return { ok: false, refusal };
      const previous = copyRoute(route);
      detach(route);
      route.inCall = previous.inCall;
      if (previous.state === 'assigned' && previous.agentId !== null) wrapUp(agentOf(previous.agentId, now), conversationId, route.departmentId, now);
      route.state = 'assigned';
      route.agentId = toAgentId;
      route.offerExpiresAt = null;
      if (!colleague!.active.includes(conversationId)) colleague!.active.push(conversationId);
      colleague!.idleSince = now;
      return { ok: true, route: copyRoute(route), previous };
    },

    async markCall(conversationId, inCall) {
      const route = routes.get(conversationId);
      if (!route || route.state !== 'assigned' || route.agentId === null) return { ok: false, refusal: 'not_assigned' };
      if (inCall && !route.inCall && onCall(agentOf(route.agentId), conversationId)) return { ok: false, refusal: 'on_call' };
      route.inCall = inCall;
      return { ok: true, route: copyRoute(route) };
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
    async queued(conversationId) {
      const route = routes.get(conversationId);
      if (!route || route.state === 'assigned') return null;
      let position = 0;
      for (const r of sorted()) {
        if (r.departmentId === route.departmentId && live(r)) position++;
        if (r === route) return { ...copyRoute(route), position };
      }
      return null;
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
