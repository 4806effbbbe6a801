import type { VoiceRoomPushes } from '../../../shared/events/voice.js';
import type { Database } from '../db/database.js';
import type { Config } from '../config/config.js';
import type { MessageStore } from '../conversations/messageStore.js';
import { Gauge } from 'prom-client';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Notifier } from '../routing/notifier.js';
import type { RoutingStore } from '../routing/routingStore.js';
import type { AgentContext } from '../features/handlers.js';
import type { AgentNamespace } from '../socket/agentNamespace.js';
import { rooms } from '../socket/rooms.js';
import type { VisitorContext, VisitorNamespace } from '../socket/visitorNamespace.js';
import type { RedisClientType } from 'redis';
import { clusterVoice, localVoice, type RpcRequest, type ServerSideRpc, type VoiceNamespace, type VoiceOps } from './clusterVoice.js';
import { callHoldHandler, voiceHandlers } from './handlers.js';
import type { PeerEmit, VoiceCaller } from './peer.js';
import { createVoiceService, type VoiceAccess } from './voiceService.js';
import { listenInfos, startWorkerPool } from './workerPool.js';

/** A namespace whose sockets receive the room pushes of shared/events/voice.ts (every namespace with voice). */
interface VoicePushTarget {
  to(room: string): { emit<E extends keyof VoiceRoomPushes>(event: E, ...payload: Parameters<VoiceRoomPushes[E]>): boolean };
}

export interface VoiceDeps {
  config: Config['voice'];
  db: Database;
  store: RoutingStore;
  messages: MessageStore;
  notifier: Notifier;
  agents: AgentNamespace;
  visitors: VisitorNamespace;
  /** From transfers: may this agent be on the consult line of that transfer? */
  consultParty(transferId: string, agentId: number): Promise<boolean>;
  /** From the community (built later, hence a function): may this caller be in that room's voice? */
  communityAccess: VoiceAccess['community'];
  /** The community namespace, for pushes to its sockets. */
  community: VoicePushTarget;
  /** Cluster mode: rooms are owned by nodes (Redis) and operations travel to the owner. */
  cluster: { redis: RedisClientType; prefix: string; nodeId: string } | null;
  metrics: Metrics;
  log: Logger;
}

/**
 * Server-side emit with acknowledgements over the agent namespace's adapter (every node has it).
 * The adapter times the request out itself (its requestsTimeout); a late or missing answer from a
 * node the request was not for does not matter when the owner's answer is there.
 */
function adapterRpc(agents: AgentNamespace): ServerSideRpc {
  const nsp = agents as unknown as {
    serverSideEmit(event: string, message: RpcRequest, ack: (err: Error | null, answers: unknown[]) => void): void;
    on(event: string, listener: (message: RpcRequest, ack: (answer: unknown) => void) => void): void;
  };
  return {
    call: (message) =>
      new Promise((resolve, reject) =>
        nsp.serverSideEmit('voice:rpc', message, (err, answers) => (!err || (answers ?? []).some((a) => a !== null) ? resolve(answers ?? []) : reject(err))),
      ),
    serve(handler) {
      nsp.on('voice:rpc', (message, ack) => void handler(message).then(ack));
    },
  };
}

/** How often consult lines are checked against their transfer (declined, withdrawn, expired). */
const CONSULT_SWEEP_MS = 2000;

const minutes = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;

/** Voice, wired: the worker pool, the rooms, who may join what, and the namespaces' handlers. */
export async function createVoice(deps: VoiceDeps) {
  const { db, store, messages, notifier, log } = deps;
  const { Conversation, Visitor } = db.models;
  const pool = await startWorkerPool(deps.config, log);
  if (pool.availability.available) {
    log.info({ workers: pool.availability.workers, binary: pool.availability.binary, listenIp: deps.config.listenIp, announcedAddress: deps.config.announcedAddress }, 'voice is available');
  } else {
    log.warn({ reason: pool.availability.reason, fix: pool.availability.fix }, `voice is NOT available: ${pool.availability.reason}${pool.availability.fix ? ` (fix: ${pool.availability.fix})` : ''}; chat works as usual`);
  }

  const access: VoiceAccess = {
    async conversation(conversationId, caller) {
      const c = await Conversation.findByPk(conversationId, { attributes: ['visitorId', 'assignedAgentId', 'status'] });
      // Calls happen in served conversations only: there has to be someone to talk to.
      if (!c || c.status !== 'active') return null;
      const allowed = caller.role === 'visitor' ? c.visitorId === caller.visitorId : c.assignedAgentId === caller.agentId;
      return allowed ? { visitorId: c.visitorId, agentId: c.assignedAgentId } : null;
    },
    consult: (transferId, agentId) => deps.consultParty(transferId, agentId),
    community: (roomId, caller) => deps.communityAccess(roomId, caller),
    markCall: (conversationId, inCall) => store.markCall(conversationId, inCall),
  };

  async function note(conversationId: string, key: 'system.callStarted' | 'system.callEnded', params: Record<string, string> = {}) {
    const c = await Conversation.findByPk(conversationId, { attributes: ['id', 'visitorId', 'language', 'status'] });
    if (!c || c.status === 'closed') return;
    notifier.message(c.visitorId, await messages.system(c.id, c.language, key, params));
  }

  let roomClosed: (roomId: string) => void = () => undefined;
  const service = createVoiceService({
    ringMs: deps.config.ringMs,
    pool,
    transports: { listenInfos: listenInfos(deps.config), iceServers: deps.config.iceServers },
    access,
    hooks: {
      callUpdated(visitorId, call) {
        deps.visitors.to(rooms.visitor(visitorId)).emit('call:updated', call);
        deps.agents.to(rooms.conversation(call.conversationId)).emit('call:updated', call);
      },
      callStarted: (conversationId) => note(conversationId, 'system.callStarted'),
      callEnded: (conversationId, seconds) => note(conversationId, 'system.callEnded', { duration: minutes(seconds) }),
      roomClosed: (roomId) => roomClosed(roomId),
    },
    log: log.child({ feature: 'voice' }),
  });

  // Load of this node's calls, read when /metrics is scraped.
  new Gauge({
    name: 'zentrale_voice',
    help: 'Voice on this node: open rooms, peers, transports, producers and consumers',
    labelNames: ['what'],
    registers: [deps.metrics.registry],
    collect() {
      for (const [what, n] of Object.entries(service.stats())) this.set({ what }, n);
    },
  });

  const sweep = setInterval(() => {
    service.sweepConsults().catch((error: unknown) => log.error({ err: error }, 'consult sweep failed'));
  }, CONSULT_SWEEP_MS);
  sweep.unref();

  // A room's pushes are the same on every namespace (VoiceRoomPushes); the peer's namespace says where its socket is.
  const pushTargets: Record<VoiceNamespace, VoicePushTarget> = { visitor: deps.visitors, agent: deps.agents, community: deps.community };
  const emitTo = (ns: VoiceNamespace, socketId: string): PeerEmit => (event, ...payload) => {
    pushTargets[ns].to(socketId).emit(event, ...payload);
  };
  let ops: VoiceOps;
  let stopCluster = () => undefined as void;
  if (deps.cluster) {
    const clustered = clusterVoice({ local: service, emitTo, redis: deps.cluster.redis, prefix: deps.cluster.prefix, nodeId: deps.cluster.nodeId, rpc: adapterRpc(deps.agents), log: log.child({ feature: 'voice' }) });
    roomClosed = clustered.roomClosed;
    stopCluster = clustered.stop;
    ops = clustered;
  } else {
    ops = localVoice(service, emitTo);
  }

  const visitorCaller = async (ctx: VisitorContext): Promise<VoiceCaller> => {
    const visitor = await Visitor.findByPk(ctx.visitorId, { attributes: ['name'] });
    return { role: 'visitor', visitorId: ctx.visitorId, name: visitor?.name ?? '' };
  };
  const agentCaller = (ctx: AgentContext): VoiceCaller => ({ role: 'agent', agentId: ctx.user.id, name: ctx.user.name });

  return {
    service,
    pool,
    // The path-free summary: the full reason (paths included) is in the log and the start banner only.
    status: () => ({ available: pool.availability.available, reason: pool.availability.available ? null : pool.availability.summary }),
    /** What the namespaces and hooks call: local, or routed to the room's node in a cluster. */
    ops,
    visitorHandlers: () => voiceHandlers<VisitorContext>(ops, visitorCaller, 'visitor'),
    agentHandlers: () => ({ ...voiceHandlers<AgentContext>(ops, agentCaller, 'agent'), ...callHoldHandler(ops) }),
    async close() {
      clearInterval(sweep);
      stopCluster();
      await service.close();
    },
  };
}

export type Voice = Awaited<ReturnType<typeof createVoice>>;
