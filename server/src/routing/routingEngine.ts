import { randomUUID } from 'node:crypto';
import { fn, col, Op } from 'sequelize';
import { QUEUE_PUSH_LIMIT } from '../../../shared/events/agent.js';
import type { AgentConversation, Message } from '../../../shared/schemas/chat.js';
import type { AgentStatus, AwayReason, Presence } from '../../../shared/schemas/presence.js';
import type { AgentState, Offer, QueueEntry, QueueStatus } from '../../../shared/schemas/routing.js';
import type { MessageStore } from '../conversations/messageStore.js';
import type { EventActor, EventLog } from '../conversations/eventLog.js';
import type { ConversationViews } from '../conversations/views.js';
import type { Database } from '../db/database.js';
import { sharedRead } from '../db/sharedRead.js';
import type { SqlRunner } from '../db/sqlRunner.js';
import type { ConversationModel, DepartmentModel } from '../db/models/index.js';
import { ConflictError, NotFoundError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import { capacityFor, groupKey, groupOf, isQualified, isReachable, loadOf } from './eligibility.js';
import type { HandleTimes } from './handleTimes.js';
import type { Notifier } from './notifier.js';
import type { RoutingStore } from './routingStore.js';
import type { AgentProfile, AgentRuntime, ChatRequest, ChatRoute, DepartmentRouting, OfferMade, QueuedView } from './types.js';
import { estimateWaitSeconds, type ServingAgent } from './waitEstimate.js';

export interface RoutingOptions {
  /** How long an agent without any console connection still counts as present. */
  presenceGraceMs: number;
  /** A missed offer sets the agent to away (reason missed_offer), like a phone desk's auto-pause. */
  autoAwayOnMissedOffer: boolean;
  /** A declined or missed chat is not offered to the same agent again for this long. */
  reofferAfterMs: number;
  /** How often timers (offers, wrap-up, grace) are checked. */
  tickMs: number;
  /** This node's name: connection ids carry it, so a dead node's connections can be found. */
  nodeId: string;
  /** A node without heartbeat for this long is dead. */
  nodeDeadAfterMs: number;
}

export interface RoutingDeps {
  db: Database;
  sql: SqlRunner;
  store: RoutingStore;
  notifier: Notifier;
  events: EventLog;
  views: ConversationViews;
  messages: MessageStore;
  handleTimes: HandleTimes;
  log: Logger;
  now: () => Date;
  options: RoutingOptions;
}

/** Work to do after the requester's ack: deliveries to everyone else. */
export type Deliver = () => Promise<void>;

const WIDENING_RECHECK_MS = 1000;
/** Offers being carried out at the same time (see routeAll). */
const OFFERS_IN_FLIGHT = 64;
// Coalesces queue pushes: under a burst, hundreds of changes a second become four pushes.
const QUEUE_BROADCAST_DELAY_MS = 250;
const VISITOR_QUEUE_UPDATE_MS = 1000;

export function departmentRouting(d: DepartmentModel): DepartmentRouting {
  const ms = (s: number | null | undefined) => (s === null || s === undefined ? null : s * 1000);
  return {
    id: d.id,
    strategy: d.routingStrategy,
    offerTimeoutMs: d.offerTimeoutSeconds * 1000,
    wrapUpMs: d.wrapUpSeconds * 1000,
    widenL2AfterMs: ms(d.widenL2AfterSeconds),
    widenL3AfterMs: ms(d.widenL3AfterSeconds),
    fallbackLanguage: d.fallbackLanguage ?? null,
    fallbackLanguageAfterMs: ms(d.fallbackLanguageAfterSeconds),
  };
}

/**
 * Routing: turns the store's atomic transitions into stored conversation state, timeline events
 * and pushes to agents and visitors. Runs on every trigger (new chat, agent available or freed,
 * decline, timeout) and on a timer for deadlines and widening.
 */
export function createRoutingEngine(deps: RoutingDeps) {
  const { db, store, notifier, events, views, messages, handleTimes, log, options } = deps;
  const { Conversation, User, Department, DepartmentMember, Visitor } = db.models;
  const nowMs = () => deps.now().getTime();
  const system: EventActor = { type: 'system', id: null };

  // ---------------------------------------------------------------- loading

  async function loadDepartments(): Promise<void> {
    await store.setDepartments((await Department.findAll()).map(departmentRouting), nowMs());
  }

  async function loadAgentProfile(agentId: number): Promise<AgentProfile | null> {
    const user = await User.findByPk(agentId);
    if (!user || !user.active) return null;
    const memberships = await DepartmentMember.findAll({ where: { userId: agentId } });
    const profile: AgentProfile = {
      agentId,
      name: user.name,
      languages: user.languages,
      maxChats: user.maxChats,
      autoAccept: Boolean(user.autoAccept),
      memberships: Object.fromEntries(memberships.map((m) => [m.departmentId, { level: m.level, maxChats: m.maxChats }])),
    };
    await store.setAgentProfile(profile);
    return profile;
  }

  const requestFrom = (c: ConversationModel, visitorName: string | null, firstMessage: string): ChatRequest => ({
    conversationId: c.id,
    departmentId: c.departmentId,
    visitorId: c.visitorId,
    visitorName,
    language: c.language,
    priority: c.priority,
    waitingSince: c.waitingSince.getTime(),
    preview: firstMessage.slice(0, 280),
    channel: c.channel === 'voice' ? 'voice' : 'chat',
  });

  const requestOf = async (c: ConversationModel): Promise<ChatRequest> => (await requestsOf([c]))[0]!;

  /** Routing requests for many conversations with two reads for all (visitor names, first visitor messages). */
  async function requestsOf(conversations: ConversationModel[]): Promise<ChatRequest[]> {
    if (conversations.length === 0) return [];
    const visitorIds = [...new Set(conversations.map((c) => c.visitorId))];
    const names = new Map((await Visitor.findAll({ where: { id: { [Op.in]: visitorIds } }, attributes: ['id', 'name'] })).map((v) => [v.id, v.name ?? null]));
    const firstIds = (await db.models.Message.findAll({
      where: { conversationId: { [Op.in]: conversations.map((c) => c.id) }, internal: false, senderType: 'visitor' },
      attributes: [[fn('MIN', col('id')), 'firstId']],
      group: [col('conversation_id')],
      raw: true,
    })) as unknown as Array<{ firstId: number | string }>;
    const firsts = firstIds.length
      ? await db.models.Message.findAll({ where: { id: { [Op.in]: firstIds.map((f) => f.firstId) } }, attributes: ['conversationId', 'body'] })
      : [];
    const bodies = new Map(firsts.map((m) => [m.conversationId, m.body]));
    return conversations.map((c) => requestFrom(c, names.get(c.visitorId) ?? null, bodies.get(c.id) ?? ''));
  }

  /**
   * After a restart of a single node the in-memory state is gone: rebuild it from the database.
   * Waiting chats queue again with their original waiting time, served chats stay with their agent,
   * and agents keep the status they chose, with the reconnect grace to come back.
   */
  async function rebuild(): Promise<void> {
    await loadDepartments();
    const now = nowMs();
    for (const user of await User.findAll({ where: { active: true, presenceStatus: { [Op.ne]: 'offline' } } })) {
      await loadAgentProfile(user.id);
      await store.setStatus(user.id, user.presenceStatus, user.presenceReason ?? null, now);
      await store.disconnect(user.id, '-', now, options.presenceGraceMs);
    }
    const open = await Conversation.findAll({ where: { status: { [Op.in]: ['queued', 'active'] } }, order: [['waitingSince', 'ASC']] });
    // In chunks, two reads each: a restart with thousands of chats waiting is not thousands of round trips.
    for (let i = 0; i < open.length; i += 500) {
      const chunk = open.slice(i, i + 500);
      const requests = await requestsOf(chunk);
      for (const [k, c] of chunk.entries()) {
        if (c.status === 'active' && c.assignedAgentId !== null) {
          if (!(await store.agentProfile(c.assignedAgentId))) await loadAgentProfile(c.assignedAgentId);
          await store.assign(requests[k]!, c.assignedAgentId, now);
        } else {
          await store.enqueue(requests[k]!, now);
        }
      }
    }
  }

  let knownEpoch: string | null = null;

  /**
   * Makes sure the shared state exists. An empty store (first start, or a Redis that restarted
   * and lost everything) is rebuilt from the database by exactly one node; every node then
   * re-announces its own console connections, so agents do not drop into the grace period.
   */
  async function ensureState(): Promise<void> {
    let epoch = await store.epoch();
    if (epoch === null) {
      const mine = randomUUID();
      if (!(await store.claimRebuild(mine))) return; // another node is rebuilding: look again next tick
      log.info({ nodeId: options.nodeId }, 'routing state empty: rebuilding it from the database');
      await rebuild();
      epoch = mine;
    }
    if (epoch === knownEpoch) return;
    knownEpoch = epoch;
    await loadDepartments();
    await reannounce();
  }

  /** Tells the shared state about this node's live console connections again. */
  async function reannounce(): Promise<void> {
    const now = nowMs();
    for (const [agentId, sockets] of localConnections) {
      await loadAgentProfile(agentId);
      for (const socketId of sockets) await store.connect(agentId, connectionId(socketId), now);
      await publishAgent(agentId);
    }
    touchQueue('all');
    kick();
  }

  let heartbeats = 0;
  /**
   * On its own timer, not inside the routing tick: a busy node must still say it is alive. Should
   * it have been declared dead anyway (it stalled longer than NODE_DEAD_AFTER_SECONDS), its agents'
   * connections were dropped elsewhere: announce them again.
   */
  async function heartbeat(): Promise<void> {
    const missing = await store.heartbeat(options.nodeId, nowMs());
    if (missing && heartbeats++ > 0) {
      log.warn({ nodeId: options.nodeId }, 'this node had been declared dead: announcing its connections again');
      await reannounce();
    }
  }

  // ---------------------------------------------------------------- views

  async function agentStates(): Promise<AgentState[]> {
    const profiles = new Map((await store.profiles()).map((p) => [p.agentId, p]));
    return (await store.agents()).filter((a) => profiles.has(a.agentId)).map((a) => stateOf(a, profiles.get(a.agentId)!));
  }

  function stateOf(a: AgentRuntime, profile: AgentProfile): AgentState {
    const load = loadOf(a);
    return {
      agentId: a.agentId,
      name: profile.name,
      status: a.status,
      reason: a.reason,
      busy: a.status === 'available' && load >= profile.maxChats,
      connected: a.connections.length > 0 || (a.graceUntil !== null && a.graceUntil > nowMs()),
      load,
      capacity: profile.maxChats,
      conversationIds: [...a.active],
      since: new Date(a.since).toISOString(),
    };
  }

  async function publishAgent(agentId: number): Promise<void> {
    const profile = await store.agentProfile(agentId);
    if (profile) notifier.agentUpdated(stateOf(await store.agent(agentId), profile));
  }

  const presenceOf = (a: AgentRuntime): Presence => ({ agentId: a.agentId, status: a.status, reason: a.reason, since: new Date(a.since).toISOString() });

  async function queueEntries(departmentIds: number[] | null): Promise<QueueEntry[]> {
    // The departments asked for, each read from its own index: a backlog elsewhere costs nothing here.
    const routes = departmentIds === null ? await store.queue(null) : (await Promise.all(departmentIds.map((id) => store.queue(id)))).flat();
    return routes.map(entryOf);
  }

  const entryOf = (r: QueuedView): QueueEntry => ({
    conversationId: r.conversationId,
    departmentId: r.departmentId,
    visitorName: r.visitorName,
    language: r.language,
    priority: r.priority,
    waitingSince: new Date(r.waitingSince).toISOString(),
    offeredTo: r.state === 'offered' ? r.agentId : null,
    position: r.position,
  });

  // What estimates are computed from; a burst of chat starts asks at once and shares one read.
  const servingState = sharedRead(async (_everyone: 'all') => {
    const [departments, profiles, agents] = await Promise.all([store.departments(), store.profiles(), store.agents()]);
    return { departments, profiles: new Map(profiles.map((p) => [p.agentId, p])), reachable: agents.filter(isReachable) };
  });

  /** Position and estimate for the waiting chats of one department, or just one of them (see docs/routing.md). */
  async function queueStatuses(departmentId: number, only?: string): Promise<QueueStatus[]> {
    const queued = only === undefined ? await store.queue(departmentId) : [await store.queued(only)].filter((r): r is QueuedView => r !== null && r.departmentId === departmentId);
    return statusesOf(departmentId, queued);
  }

  async function statusesOf(departmentId: number, queued: QueuedView[]): Promise<QueueStatus[]> {
    if (queued.length === 0) return [];
    const { departments, profiles, reachable } = await servingState('all');
    const dept = departments.find((d) => d.id === departmentId);
    if (!dept) return [];
    const slotSeconds = (await handleTimes.seconds(departmentId)) + dept.wrapUpMs / 1000;
    const now = nowMs();
    // Chats of the same language at the same widening stage share their serving agents: compute
    // each group once instead of once per waiting chat (a long queue has few groups).
    const groups = new Map<string, ServingAgent[]>();
    return queued.map((route) => {
      const group = groupKey({ ...groupOf(route, dept, now), channel: 'chat' });
      let serving = groups.get(group);
      if (!serving) {
        serving = reachable
          .filter((a) => profiles.has(a.agentId) && isQualified(profiles.get(a.agentId)!, route, dept, now))
          .map((a) => ({ capacity: capacityFor(profiles.get(a.agentId)!, departmentId), load: loadOf(a) }));
        groups.set(group, serving);
      }
      return {
        conversationId: route.conversationId,
        position: route.position,
        estimatedWaitSeconds: estimateWaitSeconds(route.position, serving, slotSeconds),
        agentsAvailable: serving.length,
      };
    });
  }

  // ---------------------------------------------------------------- queue broadcasts

  const dirty = new Set<number>();
  // Departments to look at because their agents changed (presence, connection): their waiting
  // visitors' estimates may move, but with nobody waiting there is nothing to tell anyone.
  const quietIfEmpty = new Set<number>();
  let broadcastTimer: NodeJS.Timeout | null = null;
  const lastSent = new Map<string, { key: string; at: number }>();

  const scheduleBroadcasts = () => {
    broadcastTimer ??= setTimeout(() => void flushQueueBroadcasts(), QUEUE_BROADCAST_DELAY_MS);
  };

  function touchQueue(departmentId: number | 'all'): void {
    if (departmentId === 'all') {
      store
        .departments()
        .then((list) => {
          for (const d of list) quietIfEmpty.add(d.id);
          scheduleBroadcasts();
        })
        .catch((error: unknown) => log.warn({ err: error }, 'could not read the departments to refresh their queues'));
      return;
    }
    dirty.add(departmentId);
    scheduleBroadcasts();
  }

  /** An agent's presence or connection changed: the estimates in their departments may have (and only there). */
  function touchAgentQueues(agentId: number): void {
    store
      .agentProfile(agentId)
      .then((profile) => {
        for (const id of Object.keys(profile?.memberships ?? {})) quietIfEmpty.add(Number(id));
        scheduleBroadcasts();
      })
      .catch((error: unknown) => log.warn({ err: error, agentId }, 'could not read the agent to refresh their queues'));
  }

  async function flushQueueBroadcasts(): Promise<void> {
    broadcastTimer = null;
    const departments = new Set([...dirty, ...quietIfEmpty]);
    const quiet = new Set([...quietIfEmpty].filter((id) => !dirty.has(id)));
    dirty.clear();
    quietIfEmpty.clear();
    for (const departmentId of departments) {
      let retry = false;
      try {
        // One read of the department's queue serves the supervisors' list and every visitor's status.
        const queued = await store.queue(departmentId);
        if (queued.length === 0 && quiet.has(departmentId)) continue;
        notifier.queueChanged(departmentId, queued.slice(0, QUEUE_PUSH_LIMIT).map(entryOf), queued.length);
        const routes = new Map(queued.map((r) => [r.conversationId, r]));
        for (const status of await statusesOf(departmentId, queued)) {
          const key = `${status.position}:${status.estimatedWaitSeconds}:${status.agentsAvailable}`;
          const last = lastSent.get(status.conversationId);
          if (last?.key === key) continue;
          // At most one update a second per visitor: a queue draining fast would otherwise push
          // every waiting visitor four times a second. The skipped change goes out on a later pass.
          const at = performance.now();
          if (last && at - last.at < VISITOR_QUEUE_UPDATE_MS) {
            retry = true;
            continue;
          }
          lastSent.set(status.conversationId, { key, at });
          notifier.queueUpdated(routes.get(status.conversationId)!.visitorId, status);
        }
      } catch (error) {
        log.error({ err: error, departmentId }, 'queue broadcast failed');
      }
      if (retry) touchQueue(departmentId);
    }
  }

  // ---------------------------------------------------------------- routing

  let pass: Promise<void> | null = null;
  let routeAgain = false;

  /** Runs routing soon; calls while it runs make it go round once more. */
  function kick(): void {
    void routeAll();
  }

  const offersInFlight = new Set<Promise<void>>();

  /**
   * One routing pass until nothing more can be offered. A call during a pass makes it go round
   * once more and resolves with it, so whoever awaits this sees every decision their change led
   * to already made in the store.
   */
  function routeAll(): Promise<void> {
    if (pass) {
      routeAgain = true;
      return pass;
    }
    pass = (async () => {
      try {
        do {
          routeAgain = false;
          // Offers are made in batches (each batch one atomic store step; an offer holds its
          // agent's slot) and carried out concurrently: their database writes overlap and share
          // group commits, so a burst is not one chat per round trip.
          for (;;) {
            if (offersInFlight.size >= OFFERS_IN_FLIGHT) {
              await Promise.race(offersInFlight);
              continue;
            }
            const offers = await store.offerBatch(nowMs(), OFFERS_IN_FLIGHT - offersInFlight.size);
            if (offers.length === 0) break;
            for (const offer of offers) {
              const handled: Promise<void> = handleOffer(offer)
                .catch((error: unknown) => log.error({ err: error, conversationId: offer.route.conversationId }, 'offer could not be carried out'))
                .finally(() => offersInFlight.delete(handled));
              offersInFlight.add(handled);
            }
          }
        } while (routeAgain);
      } catch (error) {
        log.error({ err: error }, 'routing pass failed');
      } finally {
        pass = null;
      }
    })();
    return pass;
  }

  const offerOf = (route: ChatRoute, expiresAt: number): Offer => ({
    conversationId: route.conversationId,
    departmentId: route.departmentId,
    visitorName: route.visitorName,
    language: route.language,
    preview: route.preview,
    // Routes stored by an older version have no channel.
    channel: route.channel ?? 'chat',
    waitingSince: new Date(route.waitingSince).toISOString(),
    expiresAt: new Date(expiresAt).toISOString(),
  });

  async function handleOffer(offer: OfferMade): Promise<void> {
    const { route, agentId, expiresAt } = offer;
    log.info({ conversationId: route.conversationId, agentId }, 'chat offered');
    await events.record(route.conversationId, 'offered', { type: 'agent', id: agentId });
    touchQueue(route.departmentId);
    if (offer.autoAccept) {
      // The store has assigned the chat already: only the stored conversation is left to switch.
      try {
        const accepted = await taken(route, agentId, null);
        await accepted.deliver();
      } catch (error) {
        log.warn({ err: error, conversationId: route.conversationId, agentId }, 'auto-accept failed');
      }
      return;
    }
    notifier.offerReceived(agentId, offerOf(route, expiresAt));
    await publishAgent(agentId);
  }

  /** The pending offer of an agent, for a console that (re)connects. */
  async function pendingOffer(agentId: number): Promise<Offer | null> {
    const agent = await store.agent(agentId);
    if (!agent.offer) return null;
    const route = await store.route(agent.offer);
    if (!route || route.state !== 'offered' || route.agentId !== agentId) return null;
    return offerOf(route, route.offerExpiresAt!);
  }

  /**
   * The agent takes the offered chat: the store switches it atomically, then the conversation is
   * stored as active. Returns the agent's view; `deliver` tells the visitor and everyone else.
   */
  async function accept(conversationId: string, agentId: number, exceptSocket: string | null): Promise<{ conversation: AgentConversation; row: ConversationModel; deliver: Deliver }> {
    const route = await store.accept(conversationId, agentId, nowMs());
    if (!route) throw new ConflictError('This chat is no longer offered to you.');
    return taken(route, agentId, exceptSocket);
  }

  /** The store gave the chat to the agent (accepted, or auto-accepted in the offer): store the conversation as theirs. */
  async function taken(route: ChatRoute, agentId: number, exceptSocket: string | null): Promise<{ conversation: AgentConversation; row: ConversationModel; deliver: Deliver }> {
    const { conversationId } = route;
    let conversation: ConversationModel | null;
    let joined: Message;
    let agentName: string;
    try {
      // One conditional UPDATE both checks that the visitor is still waiting and takes the chat.
      const at = deps.now();
      const taken = await deps.sql.write(
        "UPDATE conversations SET status = 'active', assigned_agent_id = ?, accepted_at = ?, updated_at = ? WHERE id = ? AND status = 'queued'",
        [agentId, at, at, conversationId],
      );
      if (taken.affectedRows !== 1) throw new ConflictError('The visitor has left.');
      conversation = await Conversation.findByPk(conversationId);
      if (!conversation) throw new ConflictError('The visitor has left.');
      agentName = (await store.agentProfile(agentId))?.name ?? (await User.findByPk(agentId, { attributes: ['name'] }))?.name ?? '';
      joined = await messages.system(conversationId, conversation.language, 'system.agentJoined', { agent: agentName });
    } catch (error) {
      await store.remove(conversationId).catch(() => undefined);
      const still = await Conversation.findByPk(conversationId);
      if (still?.status === 'queued') {
        await store.enqueue(await requestOf(still), nowMs());
        kick();
      }
      throw error;
    }
    await events.record(conversationId, 'accepted', { type: 'agent', id: agentId });
    log.info({ conversationId, agentId }, 'chat accepted');
    const view = await views.agentView(conversation, new Map([[agentId, agentName]]));
    const visitorView = conversation.toPublic(agentName);
    return {
      conversation: view,
      row: conversation,
      deliver: async () => {
        notifier.joinConversation(agentId, conversationId);
        notifier.conversationAssigned(agentId, view, exceptSocket ?? undefined);
        notifier.conversationUpdatedForVisitor(conversation.visitorId, visitorView);
        notifier.message(conversation.visitorId, joined);
        lastSent.delete(conversationId);
        touchQueue(route.departmentId);
        await publishAgent(agentId);
      },
    };
  }

  async function decline(conversationId: string, agentId: number): Promise<void> {
    const route = await store.decline(conversationId, agentId, nowMs(), options.reofferAfterMs);
    if (!route) throw new NotFoundError('No such offer.');
    await events.record(conversationId, 'declined', { type: 'agent', id: agentId });
    touchQueue(route.departmentId);
    await publishAgent(agentId);
    kick();
  }

  // ---------------------------------------------------------------- presence

  async function setPresence(agentId: number, status: AgentStatus, reason: AwayReason | null): Promise<Presence> {
    const runtime = await store.setStatus(agentId, status, reason, nowMs());
    await User.update({ presenceStatus: status, presenceReason: reason }, { where: { id: agentId } });
    const presence = presenceOf(runtime);
    notifier.presenceChanged(presence);
    await publishAgent(agentId);
    touchAgentQueues(agentId);
    if (status === 'available') kick();
    return presence;
  }

  /** This node's console connections: re-announced when the shared state was rebuilt. */
  const localConnections = new Map<number, Set<string>>();
  const connectionId = (socketId: string) => `${options.nodeId}:${socketId}`;

  async function agentConnected(agentId: number, socketId: string): Promise<Presence> {
    if (!localConnections.has(agentId)) localConnections.set(agentId, new Set());
    localConnections.get(agentId)!.add(socketId);
    if (!(await store.agentProfile(agentId))) await loadAgentProfile(agentId);
    const before = await store.agent(agentId);
    const runtime = await store.connect(agentId, connectionId(socketId), nowMs());
    if (before.connections.length === 0) {
      await publishAgent(agentId);
      if (runtime.status === 'available') {
        touchAgentQueues(agentId);
        kick();
      }
    }
    return presenceOf(runtime);
  }

  async function agentDisconnected(agentId: number, socketId: string): Promise<void> {
    const mine = localConnections.get(agentId);
    mine?.delete(socketId);
    if (mine?.size === 0) localConnections.delete(agentId);
    const runtime = await store.disconnect(agentId, connectionId(socketId), nowMs(), options.presenceGraceMs);
    if (runtime.connections.length === 0) {
      log.info({ agentId, graceMs: options.presenceGraceMs }, 'agent disconnected: grace period started');
      await publishAgent(agentId);
      touchAgentQueues(agentId);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** A new chat waits in its department's queue; `known` spares reading back what the caller just wrote. */
  async function enqueue(conversation: ConversationModel, known?: { visitorName: string | null; firstMessage: string }): Promise<QueueStatus | null> {
    const request: ChatRequest = known
      ? {
          conversationId: conversation.id,
          departmentId: conversation.departmentId,
          visitorId: conversation.visitorId,
          visitorName: known.visitorName,
          language: conversation.language,
          priority: conversation.priority ?? 0,
          waitingSince: conversation.waitingSince.getTime(),
          preview: known.firstMessage.slice(0, 280),
          channel: conversation.channel === 'voice' ? 'voice' : 'chat',
        }
      : await requestOf(conversation);
    await store.enqueue(request, nowMs());
    await events.record(conversation.id, 'queued', { type: 'visitor', id: conversation.visitorId });
    touchQueue(conversation.departmentId);
    return (await queueStatuses(conversation.departmentId, conversation.id))[0] ?? null;
  }

  async function queueStatus(conversationId: string): Promise<QueueStatus | null> {
    const route = await store.route(conversationId);
    if (!route || route.state === 'assigned') return null;
    return (await queueStatuses(route.departmentId, conversationId))[0] ?? null;
  }

  /**
   * The conversation ended (closed by either side): its slot goes into wrap-up, a pending offer is
   * withdrawn, and the agent's consoles stop following it.
   */
  async function ended(conversationId: string): Promise<void> {
    const route = await store.release(conversationId, nowMs());
    lastSent.delete(conversationId);
    if (!route) return;
    handleTimes.invalidate(route.departmentId);
    touchQueue(route.departmentId);
    if (route.agentId !== null) {
      if (route.state === 'offered') notifier.offerRevoked(route.agentId, { conversationId, reason: 'withdrawn' });
      notifier.leaveConversation(route.agentId, conversationId);
      await publishAgent(route.agentId);
    }
    kick();
  }

  async function requeueAfterAgentLoss(conversationId: string, agentId: number): Promise<void> {
    const conversation = await Conversation.findByPk(conversationId);
    if (!conversation || conversation.status === 'closed') {
      await store.remove(conversationId);
      return;
    }
    await conversation.update({ status: 'queued', assignedAgentId: null });
    const notice = await messages.system(conversationId, conversation.language, 'system.requeued');
    await events.record(conversationId, 'requeued', system, { fromAgentId: agentId });
    notifier.leaveConversation(agentId, conversationId);
    notifier.conversationUpdatedForVisitor(conversation.visitorId, await views.visitorView(conversation));
    notifier.message(conversation.visitorId, notice);
    touchQueue(conversation.departmentId);
  }

  // ---------------------------------------------------------------- timers

  let ticking = false;
  let lastWideningCheck = 0;
  let lastReap = 0;
  let lastStateCheck = 0;
  const heartbeatEveryMs = Math.max(500, Math.floor(options.nodeDeadAfterMs / 4));

  async function tick(): Promise<void> {
    if (ticking) return;
    ticking = true;
    try {
      const now = nowMs();
      let changed = false;
      if (now - lastStateCheck >= 1000) {
        lastStateCheck = now;
        await ensureState();
      }
      if (now - lastReap >= heartbeatEveryMs) {
        lastReap = now;
        await heartbeat();
        for (const agentId of await store.reapDeadNodes(now, options.nodeDeadAfterMs, options.presenceGraceMs, options.nodeId)) {
          log.info({ agentId }, 'dropped console connections of a dead node');
          await publishAgent(agentId);
          changed = true;
        }
      }
      for (const { route, agentId } of await store.expireOffers(now, options.reofferAfterMs)) {
        changed = true;
        log.info({ conversationId: route.conversationId, agentId }, 'offer timed out');
        await events.record(route.conversationId, 'offer_timeout', { type: 'agent', id: agentId });
        notifier.offerRevoked(agentId, { conversationId: route.conversationId, reason: 'timeout' });
        touchQueue(route.departmentId);
        if (options.autoAwayOnMissedOffer) await setPresence(agentId, 'away', 'missed_offer');
        else await publishAgent(agentId);
      }
      for (const agentId of await store.expireWrapUps(now)) {
        changed = true;
        await publishAgent(agentId);
      }
      for (const { agent, withdrawnOffer, requeued } of await store.expireGrace(now)) {
        changed = true;
        log.info({ agentId: agent.agentId, requeued: requeued.length }, 'agent offline after grace period');
        await User.update({ presenceStatus: 'offline', presenceReason: null }, { where: { id: agent.agentId } });
        notifier.presenceChanged(presenceOf(agent));
        if (withdrawnOffer) notifier.offerRevoked(agent.agentId, { conversationId: withdrawnOffer, reason: 'withdrawn' });
        for (const conversationId of requeued) await requeueAfterAgentLoss(conversationId, agent.agentId);
        await publishAgent(agent.agentId);
        touchAgentQueues(agent.agentId);
      }
      if (changed || now - lastWideningCheck >= WIDENING_RECHECK_MS) {
        lastWideningCheck = now;
        await routeAll();
      }
    } catch (error) {
      log.error({ err: error }, 'routing timer failed');
    } finally {
      ticking = false;
    }
  }

  let timer: NodeJS.Timeout | null = null;
  let heartbeatTimer: NodeJS.Timeout | null = null;

  return {
    store,
    loadDepartments,
    loadAgentProfile,
    /** The agent's auto-accept preference: stored, and routing offers accordingly from now on. */
    async setAutoAccept(agentId: number, autoAccept: boolean): Promise<void> {
      await db.models.User.update({ autoAccept }, { where: { id: agentId } });
      await loadAgentProfile(agentId);
    },
    ensureState,
    heartbeat,
    kick,
    routeAll,
    tick,
    accept,
    decline,
    pendingOffer,
    setPresence,
    agentConnected,
    agentDisconnected,
    presence: async (agentId: number) => presenceOf(await store.agent(agentId)),
    enqueue,
    queueStatus,
    ended,
    agentStates,
    queueEntries,
    touchQueue,
    publishAgent,
    start(): void {
      timer ??= setInterval(() => void tick(), options.tickMs);
      timer.unref();
      heartbeatTimer ??= setInterval(() => {
        heartbeat().catch((error: unknown) => log.error({ err: error }, 'heartbeat failed'));
      }, heartbeatEveryMs);
      heartbeatTimer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      timer = null;
      heartbeatTimer = null;
      if (broadcastTimer) clearTimeout(broadcastTimer);
      broadcastTimer = null;
      // Offers being carried out finish their writes before the database closes.
      await Promise.allSettled([...offersInFlight]);
    },
  };
}

export type RoutingEngine = ReturnType<typeof createRoutingEngine>;
export type { ChatRoute };
