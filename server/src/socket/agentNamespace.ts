import type { Namespace } from 'socket.io';
import { agentEvents, type AgentClientToServer, type AgentServerToClient } from '../../../shared/events/agent.js';
import { ErrorCode } from '../../../shared/errors.js';
import type { Role } from '../../../shared/schemas/common.js';
import { hasRole, sessionCookieFrom } from '../auth/middleware.js';
import type { Sessions } from '../auth/sessions.js';
import type { CannedResponses } from '../canned/cannedResponses.js';
import { agentChatHandlers } from '../chat/agentHandlers.js';
import type { ChatService } from '../chat/chatService.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { presenceHandlers } from '../presence/handlers.js';
import { routingHandlers } from '../routing/agentHandlers.js';
import type { RoutingEngine } from '../routing/routingEngine.js';
import type { AgentTicketEvents } from '../tickets/handlers.js';
import type { TransferEvents } from '../transfer/handlers.js';
import type { VoiceEvents } from '../voice/handlers.js';
import type { CallState } from '../../../shared/schemas/voice.js';
import { bindHandlers, type Handlers } from './bindHandlers.js';
import type { ConnectionGate } from './connectionGate.js';
import type { EventLimits } from './eventBudgets.js';
import type { SessionGuard } from './sessionGuard.js';
import type { Inflight } from './inflight.js';
import { rooms } from './rooms.js';

export interface AgentUser {
  id: number;
  name: string;
  role: Role;
}

export interface AgentContext {
  user: AgentUser;
  socketId: string;
}

interface AgentSocketData {
  user: AgentUser;
  sessionId: string;
  expiresAt: Date;
}

export type AgentNamespace = Namespace<AgentClientToServer, AgentServerToClient, Record<string, never>, AgentSocketData>;

export interface AgentNamespaceDeps {
  sessions: Sessions;
  engine: RoutingEngine;
  chat: ChatService;
  canned: CannedResponses;
  db: Database;
  /** Origins the console is served from; a browser connecting from anywhere else is refused. */
  consoleOrigins: readonly string[];
  log: Logger;
  metrics: Metrics;
  events: EventLimits;
  /** Caps on open connections (per staff member). */
  gate: ConnectionGate;
  connectionsPerStaff: number;
  guard: SessionGuard;
  eventTimeoutMs: number;
  inflight: Inflight;
  transfers: {
    handlers: Handlers<TransferEvents, AgentContext>;
    /** Conversations the agent follows as the colleague of a pending transfer. */
    followed(agentId: number): Promise<string[]>;
  };
  tickets: Handlers<AgentTicketEvents, AgentContext>;
  voice: {
    handlers: Handlers<VoiceEvents & Pick<typeof agentEvents, 'call:hold'>, AgentContext>;
    disconnected(socketId: string): Promise<void>;
    call(conversationId: string): Promise<CallState>;
  };
}

export function setupAgentNamespace(nsp: AgentNamespace, deps: AgentNamespaceDeps): void {
  const { engine, db } = deps;
  const memberDepartments = async (agentId: number) =>
    (await db.models.DepartmentMember.findAll({ where: { userId: agentId }, attributes: ['departmentId'] })).map((m) => m.departmentId);

  const handlers: Handlers<typeof agentEvents, AgentContext> = {
    ...presenceHandlers(engine),
    ...routingHandlers(engine, deps.chat, db, (agentId, autoAccept, socketId) =>
      nsp.to(rooms.agent(agentId)).except(socketId).emit('preferences:changed', { autoAccept }),
    ),
    ...agentChatHandlers(deps.chat, engine.pendingOffer),
    ...deps.transfers.handlers,
    ...deps.tickets,
    ...deps.voice.handlers,
    'canned:list': async (_p, { user }) => ({
      responses: await deps.canned.list(hasRole(user.role, 'supervisor') ? null : await memberDepartments(user.id)),
    }),
  };

  nsp.use(async (socket, next) => {
    // Cross-site WebSocket hijacking: a foreign page could otherwise ride on the agent's cookie.
    const origin = socket.handshake.headers.origin;
    if (origin !== undefined && !deps.consoleOrigins.includes(origin)) return next(new Error(ErrorCode.FORBIDDEN));
    try {
      const resolved = await deps.sessions.resolve(sessionCookieFrom(socket.handshake.headers.cookie));
      if (!resolved) return next(new Error(ErrorCode.UNAUTHENTICATED));
      const { user } = resolved;
      if (!(await deps.gate.admit(socket.id, [{ limit: 'connections:staff', key: `staff:${user.id}`, cap: deps.connectionsPerStaff }]))) {
        return next(new Error(ErrorCode.RATE_LIMITED));
      }
      socket.data.user = { id: user.id, name: user.name, role: user.role };
      socket.data.sessionId = resolved.sessionId;
      socket.data.expiresAt = resolved.expiresAt;
      next();
    } catch (error) {
      deps.log.error({ err: error }, 'agent authentication failed');
      next(new Error(ErrorCode.UNAVAILABLE));
    }
  });

  nsp.on('connection', (socket) => {
    const { user, sessionId, expiresAt } = socket.data;
    const log = deps.log.child({ agentId: user.id });
    const guard = deps.guard.watch({ socket, sessionId, userId: user.id, role: user.role, expiresAt });
    deps.metrics.socketConnections.inc({ namespace: nsp.name });
    const joined = [rooms.agent(user.id), rooms.session(sessionId)];
    if (hasRole(user.role, 'supervisor')) joined.push(rooms.supervisors());
    void socket.join(joined);
    // Rooms that depend on stored state: the agent's departments (queue), conversations and the
    // conversations followed as a transfer's colleague.
    const ready = (async () => {
      const [departments, active, followed] = await Promise.all([
        memberDepartments(user.id),
        db.models.Conversation.findAll({ where: { assignedAgentId: user.id, status: 'active' }, attributes: ['id'] }),
        deps.transfers.followed(user.id),
      ]);
      await socket.join([...departments.map(rooms.department), ...active.map((c) => rooms.conversation(c.id)), ...followed.map(rooms.conversation)]);
      await engine.agentConnected(user.id, socket.id);
      // A console back after a reload or a dropped connection learns of calls still going on (it rejoins them).
      for (const c of active) {
        const call = await deps.voice.call(c.id);
        if (call.active) socket.emit('call:updated', call);
      }
    })().catch((error: unknown) => log.error({ err: error }, 'agent connection setup failed'));

    bindHandlers(socket, {
      namespace: nsp.name,
      contract: agentEvents,
      handlers,
      context: { user, socketId: socket.id },
      log,
      metrics: deps.metrics,
      budgets: deps.events.budgets({ kind: 'staff', userId: user.id }),
      inflight: deps.inflight,
      timeoutMs: deps.eventTimeoutMs,
      guard,
      // Nothing the console asks is answered before routing knows this connection and its rooms
      // are joined (docs/protocol.md: routing knows the agent once presence:get is answered).
      after: ready,
    });

    socket.on('disconnect', () => {
      deps.gate.release(socket.id);
      deps.metrics.socketConnections.dec({ namespace: nsp.name });
      deps.voice.disconnected(socket.id).catch((error: unknown) => log.error({ err: error }, 'leaving voice rooms on disconnect failed'));
      void ready
        .then(() => engine.agentDisconnected(user.id, socket.id))
        .catch((error: unknown) => log.error({ err: error }, 'agent disconnect handling failed'));
    });
  });
}
