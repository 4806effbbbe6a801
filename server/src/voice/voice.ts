import type { Database } from '../db/database.js';
import type { Config } from '../config/config.js';
import type { MessageStore } from '../chat/messageStore.js';
import type { Logger } from '../log/logger.js';
import type { Notifier } from '../routing/notifier.js';
import type { RoutingStore } from '../routing/routingStore.js';
import type { AgentContext, AgentNamespace } from '../socket/agentNamespace.js';
import { rooms } from '../socket/rooms.js';
import type { VisitorContext, VisitorNamespace } from '../socket/visitorNamespace.js';
import { callHoldHandler, voiceHandlers } from './handlers.js';
import type { VoiceCaller } from './peer.js';
import { createVoiceService, type VoiceAccess } from './voiceService.js';
import { listenInfos, startWorkerPool } from './workerPool.js';

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
  log: Logger;
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
    markCall: (conversationId, inCall) => store.markCall(conversationId, inCall),
  };

  async function note(conversationId: string, key: 'system.callStarted' | 'system.callEnded', params: Record<string, string> = {}) {
    const c = await Conversation.findByPk(conversationId, { attributes: ['id', 'visitorId', 'language', 'status'] });
    if (!c || c.status === 'closed') return;
    notifier.message(c.visitorId, await messages.system(c.id, c.language, key, params));
  }

  const service = createVoiceService({
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
    },
    log: log.child({ feature: 'voice' }),
  });

  const sweep = setInterval(() => {
    service.sweepConsults().catch((error: unknown) => log.error({ err: error }, 'consult sweep failed'));
  }, CONSULT_SWEEP_MS);
  sweep.unref();

  const visitorCaller = async (ctx: VisitorContext): Promise<VoiceCaller> => {
    const visitor = await Visitor.findByPk(ctx.visitorId, { attributes: ['name'] });
    return { role: 'visitor', visitorId: ctx.visitorId, name: visitor?.name ?? '' };
  };
  const agentCaller = (ctx: AgentContext): VoiceCaller => ({ role: 'agent', agentId: ctx.user.id, name: ctx.user.name });

  return {
    service,
    pool,
    status: () => ({ available: pool.availability.available, reason: pool.availability.available ? null : pool.availability.reason }),
    visitorHandlers: () => voiceHandlers<VisitorContext>(service, visitorCaller, (socketId) => (event, payload) => deps.visitors.to(socketId).emit(event as 'call:updated', payload as never)),
    agentHandlers: () => ({
      ...voiceHandlers<AgentContext>(service, agentCaller, (socketId) => (event, payload) => deps.agents.to(socketId).emit(event as 'call:updated', payload as never)),
      ...callHoldHandler(service),
    }),
    async close() {
      clearInterval(sweep);
      await service.close();
    },
  };
}

export type Voice = Awaited<ReturnType<typeof createVoice>>;
