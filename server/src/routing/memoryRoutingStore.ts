import type { AgentStatus, AwayReason } from '../../../shared/schemas/presence.js';
import { canServeGroup, compareAgents, compareRoutes, declinedRecently, groupKey, groupOf, isReachable, nextStageAt, transferRefusal, type RouteGroup } from './eligibility.js';
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

  const blankAgent = (agentId: number, now: number): AgentRuntime => ({
    agentId, status: 'offline', reason: null, since: now, connections: [], graceUntil: null, active: [], offer: null, wrapUps: [], reserved: [], idleSince: now, lastOfferedAt: {},
  });
  /** The agent's live state, created (offline) on first write. */
  const agentOf = (agentId: number, now = 0): AgentRuntime => {
    let agent = agents.get(agentId);
    if (!agent) agents.set(agentId, (agent = blankAgent(agentId, now)));
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

  // The queue, indexed so that a routing pass costs what changed, not what waits:
  // - `waiting`: per department, its waiting chats (queued or offered) in queue order, for
  //   positions (binary search) and views;
  // - `groups`: the queued chats by group (department, language, channel, widening stage), each
  //   in queue order. All chats of a group can be served by the same agents (only a chat's own
  //   declines differ), so a pass looks at each group's head, never at the chats behind it;
  // - `stages`: when each queued chat next widens (a min-heap), so a chat moves to its next group
  //   when its time comes instead of every chat being re-checked on every pass.
  const waiting = new Map<number, ChatRoute[]>();
  const groups = new Map<string, { group: RouteGroup; chats: ChatRoute[] }>();
  const groupOfRoute = new Map<string, string>();
  const stageAt = new Map<string, number>();
  const stages = createHeap();

  const addWaiting = (route: ChatRoute) => {
    let list = waiting.get(route.departmentId);
    if (!list) waiting.set(route.departmentId, (list = []));
    insertSorted(list, route);
  };
  const dropWaiting = (route: ChatRoute) => {
    const list = waiting.get(route.departmentId);
    if (!list) return;
    removeSorted(list, route);
    if (list.length === 0) waiting.delete(route.departmentId);
  };
  /** Files a queued chat under its group at `now`, and notes when it widens next. */
  const index = (route: ChatRoute, now: number) => {
    const dept = departments.get(route.departmentId);
    // Without settings its department takes nobody; it waits in the plainest group until it has some.
    const group = dept ? groupOf(route, dept, now) : { departmentId: route.departmentId, language: route.language, channel: route.channel, stage: 0 };
    const key = groupKey(group);
    let entry = groups.get(key);
    if (!entry) groups.set(key, (entry = { group, chats: [] }));
    insertSorted(entry.chats, route);
    groupOfRoute.set(route.conversationId, key);
    const next = dept ? nextStageAt(dept, route.language, route.waitingSince, now) : null;
    if (next === null) stageAt.delete(route.conversationId);
    else {
      stageAt.set(route.conversationId, next);
      stages.push(next, route.conversationId);
    }
  };
  const unindex = (route: ChatRoute) => {
    const key = groupOfRoute.get(route.conversationId);
    if (key === undefined) return;
    const entry = groups.get(key)!;
    removeSorted(entry.chats, route);
    if (entry.chats.length === 0) groups.delete(key);
    groupOfRoute.delete(route.conversationId);
    stageAt.delete(route.conversationId);
  };
  /** Out of the waiting list and the index, whatever its state (before its department or priority change). */
  const unlist = (route: ChatRoute) => {
    unindex(route);
    if (route.state !== 'assigned') dropWaiting(route);
  };
  /** Chats whose next widening is due move to their next group. */
  const advance = (now: number) => {
    for (let top = stages.peek(); top && top.at <= now; top = stages.peek()) {
      stages.pop();
      // Entries of chats that left the queue or were filed again since are stale.
      if (stageAt.get(top.id) !== top.at) continue;
      const route = routes.get(top.id)!;
      unindex(route);
      index(route, now);
    }
  };
  const backToQueue = (route: ChatRoute, now: number) => {
    unlist(route);
    dropPending(route);
    route.inCall = false;
    route.state = 'queued';
    route.agentId = null;
    route.offerExpiresAt = null;
    addWaiting(route);
    index(route, now);
  };

  /** Re-files the queued chats of departments whose settings changed (widening times, fallback language). */
  const regroup = (departmentIds: Iterable<number>, now: number) => {
    for (const id of departmentIds) {
      for (const route of [...(waiting.get(id) ?? [])]) {
        if (route.state !== 'queued') continue;
        unindex(route);
        index(route, now);
      }
    }
  };

  /** The agents who could take a chat now (present, no pending offer), per department they belong to. */
  const membersByDepartment = () => {
    const members = new Map<number, Array<{ agent: AgentRuntime; profile: AgentProfile }>>();
    for (const agent of agents.values()) {
      if (!isReachable(agent) || agent.offer !== null) continue;
      const profile = profiles.get(agent.agentId);
      if (!profile) continue;
      for (const id of Object.keys(profile.memberships)) {
        const departmentId = Number(id);
        let list = members.get(departmentId);
        if (!list) members.set(departmentId, (list = []));
        list.push({ agent, profile });
      }
    }
    return members;
  };

  const store: RoutingStore = {
    async setDepartments(list, now) {
      const before = new Map([...departments].map(([id, d]) => [id, JSON.stringify(d)]));
      departments.clear();
      for (const d of list) departments.set(d.id, { ...d });
      const changed = new Set<number>();
      for (const [id, was] of before) if (JSON.stringify(departments.get(id) ?? null) !== was) changed.add(id);
      for (const id of departments.keys()) if (!before.has(id)) changed.add(id);
      regroup(changed, now);
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
          if (route) backToQueue(route, now);
          agent.offer = null;
        }
        const requeued = [...agent.active];
        for (const id of requeued) {
          const route = routes.get(id);
          if (route) backToQueue(route, now);
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

    async enqueue(request, now) {
      if (routes.has(request.conversationId)) return false;
      const route: ChatRoute = { ...request, state: 'queued', agentId: null, offerExpiresAt: null, declined: {}, transfer: null, inCall: false };
      routes.set(request.conversationId, route);
      addWaiting(route);
      index(route, now);
      return true;
    },
    async remove(conversationId) {
      const route = routes.get(conversationId);
      if (!route) return null;
      unlist(route);
      detach(route);
      routes.delete(conversationId);
      return copyRoute(route);
    },
    async offerNext(now) {
      return (await store.offerBatch(now, 1))[0] ?? null;
    },
    async offerBatch(now, limit) {
      advance(now);
      const made: OfferMade[] = [];
      if (groups.size === 0 || limit <= 0) return made;
      const members = membersByDepartment();
      while (made.length < limit) {
        // The first chat in queue order that someone can take: per group, the first chat not
        // declined by every agent able to serve the group (almost always its head).
        let best: { route: ChatRoute; able: AgentRuntime[]; dept: DepartmentRouting } | null = null;
        for (const { group, chats } of groups.values()) {
          const here = members.get(group.departmentId);
          const dept = departments.get(group.departmentId);
          if (!here || !dept || (best && compareRoutes(chats[0]!, best.route) > 0)) continue;
          const able = here
            .filter(({ agent, profile }) => canServeGroup(profile, agent, group, dept, group.channel === 'voice' && onCall(agent)))
            .map(({ agent }) => agent);
          if (able.length === 0) continue;
          for (const route of chats) {
            if (best && compareRoutes(route, best.route) > 0) break;
            const free = able.filter((a) => !declinedRecently(route, a.agentId, now));
            if (free.length > 0) {
              best = { route, able: free, dept };
              break;
            }
          }
        }
        if (!best) break;
        const { route, dept } = best;
        const agent = best.able.sort(compareAgents(dept))[0]!;
        const autoAccept = profiles.get(agent.agentId)!.autoAccept;
        const expiresAt = now + dept.offerTimeoutMs;
        unindex(route);
        route.agentId = agent.agentId;
        agent.lastOfferedAt[dept.id] = now;
        if (autoAccept) {
          // Taken without asking, as `accept` would: the agent stays free for more while under capacity.
          dropWaiting(route);
          route.state = 'assigned';
          route.offerExpiresAt = null;
          route.inCall = route.channel === 'voice';
          agent.active.push(route.conversationId);
          agent.idleSince = now;
        } else {
          route.state = 'offered';
          route.offerExpiresAt = expiresAt;
          agent.offer = route.conversationId;
        }
        made.push({ route: copyRoute(route), agentId: agent.agentId, expiresAt, autoAccept });
      }
      return made;
    },
    async accept(conversationId, agentId, now) {
      const route = routes.get(conversationId);
      if (!route || route.state !== 'offered' || route.agentId !== agentId) return null;
      const agent = agentOf(agentId, now);
      dropWaiting(route);
      agent.offer = null;
      agent.active.push(conversationId);
      agent.idleSince = now;
      route.state = 'assigned';
      route.offerExpiresAt = null;
      // Taking a call request is taking the call: no second one can be offered meanwhile.
      route.inCall = route.channel === 'voice';
      return copyRoute(route);
    },
    async decline(conversationId, agentId, now, excludeMs) {
      const route = routes.get(conversationId);
      if (!route || route.state !== 'offered' || route.agentId !== agentId) return null;
      agentOf(agentId).offer = null;
      route.declined[agentId] = now + excludeMs;
      backToQueue(route, now);
      return copyRoute(route);
    },
    async expireOffers(now, excludeMs) {
      const expired = [];
      // Every offered chat is its agent's one pending offer: look at the agents, not at every chat.
      for (const agent of agents.values()) {
        const route = agent.offer === null ? undefined : routes.get(agent.offer);
        if (!route || route.state !== 'offered' || route.agentId !== agent.agentId || route.offerExpiresAt === null || route.offerExpiresAt > now) continue;
        agent.offer = null;
        route.declined[agent.agentId] = now + excludeMs;
        backToQueue(route, now);
        expired.push({ route: copyRoute(route), agentId: agent.agentId });
      }
      return expired;
    },
    async release(conversationId, now) {
      const route = routes.get(conversationId);
      if (!route) return null;
      unlist(route);
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
      if (existing) {
        unlist(existing);
        detach(existing);
      }
      routes.set(request.conversationId, { ...request, state: 'assigned', agentId, offerExpiresAt: null, declined: {}, transfer: null, inCall: false });
      const agent = agentOf(agentId, now);
      if (!agent.active.includes(request.conversationId)) agent.active.push(request.conversationId);
    },
    async requeue(conversationId, now) {
      const route = routes.get(conversationId);
      if (!route) return null;
      detach(route);
      backToQueue(route, now);
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
      // Every pending transfer holds a slot with its colleague: look at those, not at every chat.
      for (const agent of agents.values()) {
        for (const id of [...agent.reserved]) {
          const route = routes.get(id);
          if (!route?.transfer || route.transfer.toAgentId !== agent.agentId || route.transfer.expiresAt > now) continue;
          const transfer = dropPending(route)!;
          expired.push({ route: copyRoute(route), transfer });
        }
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
      // Out of the old department's queue before its department and priority change.
      unlist(route);
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
      backToQueue(route, now);
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
      unlist(route);
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
      const list = waiting.get(route.departmentId) ?? [];
      const at = lowerBound(list, route);
      return list[at] === route ? { ...copyRoute(route), position: at + 1 } : null;
    },
    async queue(departmentId) {
      // One department: its list as kept. All: the departments' lists merged into queue order.
      const list = departmentId === null ? [...waiting.values()].flat().sort(compareRoutes) : (waiting.get(departmentId) ?? []);
      const perDepartment = new Map<number, number>();
      return list.map((r): QueuedView => {
        const position = (perDepartment.get(r.departmentId) ?? 0) + 1;
        perDepartment.set(r.departmentId, position);
        return { ...copyRoute(r), position };
      });
    },
    // A read creates nothing: an agent never written stays out of agents(), as in Redis.
    agent: async (agentId) => copyAgent(agents.get(agentId) ?? blankAgent(agentId, 0)),
    agents: async () => [...agents.values()].map(copyAgent),
    departments: async () => [...departments.values()].map((d) => ({ ...d })),
    profiles: async () => [...profiles.values()].map(copyProfile),
  };
  return store;
}

/** Index of the first entry not before `route` in queue order (binary search). */
function lowerBound(list: ChatRoute[], route: ChatRoute): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] !== route && compareRoutes(list[mid]!, route) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Sorted arrays: a binary search finds the place; the insert or removal then moves the entries
// behind it, a memmove that for tens of thousands of entries takes microseconds.
function insertSorted(list: ChatRoute[], route: ChatRoute): void {
  list.splice(lowerBound(list, route), 0, route);
}

function removeSorted(list: ChatRoute[], route: ChatRoute): void {
  const at = lowerBound(list, route);
  if (list[at] === route) list.splice(at, 1);
}

/** A binary min-heap of (time, conversation id): the next widening deadlines. */
function createHeap() {
  const items: Array<{ at: number; id: string }> = [];
  const swap = (i: number, j: number) => ([items[i], items[j]] = [items[j]!, items[i]!]);
  return {
    peek: () => items[0],
    push(at: number, id: string) {
      items.push({ at, id });
      for (let i = items.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (items[parent]!.at <= items[i]!.at) break;
        swap(i, parent);
        i = parent;
      }
    },
    pop() {
      const last = items.pop()!;
      if (items.length === 0) return;
      items[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && items[l]!.at < items[m]!.at) m = l;
        if (r < items.length && items[r]!.at < items[m]!.at) m = r;
        if (m === i) break;
        swap(i, m);
        i = m;
      }
    },
  };
}
