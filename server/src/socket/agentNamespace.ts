import type { Namespace } from 'socket.io';
import { agentEvents, type AgentClientToServer, type AgentServerToClient } from '../../../shared/events/agent.js';
import { ErrorCode } from '../../../shared/errors.js';
import type { AgentContext, AgentUser } from '../auth/agentUser.js';
import { hasRole, sessionCookieFrom } from '../auth/middleware.js';
import type { Sessions } from '../auth/sessions.js';
import type { Handlers } from '../features/handlers.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { CallState } from '../../../shared/schemas/voice.js';
import { bindHandlers } from './bindHandlers.js';
import type { ConnectionGate } from './connectionGate.js';
import type { EventLimits } from './eventBudgets.js';
import type { SessionGuard } from './sessionGuard.js';
import type { Inflight } from './inflight.js';
import { rooms } from './rooms.js';


interface AgentSocketData {
  user: AgentUser;
  sessionId: string;
  expiresAt: Date;
}

export type AgentNamespace = Namespace<AgentClientToServer, AgentServerToClient, Record<string, never>, AgentSocketData>;

export interface AgentNamespaceDeps {
  sessions: Sessions;
  /** Every feature's console handlers, merged by the composition root. */
  handlers: Handlers<typeof agentEvents, AgentContext>;
  /** What a console connection joins and leaves, beyond its session (supplied by the features). */
  connection: AgentConnectionHooks;
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
}

export interface AgentConnectionHooks {
  /** The agent's departments (their queues). */
  departments(agentId: number): Promise<number[]>;
  /** Conversations the agent follows: their own active chats and those of a pending transfer to them. */
  conversations(agentId: number): Promise<{ active: string[]; followed: string[] }>;
  /** Routing learns of the connection (presence), once its rooms are joined. */
  connected(agentId: number, socketId: string): Promise<void>;
  disconnected(agentId: number, socketId: string): Promise<void>;
  /** The call of a conversation, so a console back after a reload rejoins calls still going on. */
  call(conversationId: string): Promise<CallState>;
  /** What the connection held in voice rooms is let go. */
  leftVoice(socketId: string): Promise<void>;
}

export function setupAgentNamespace(nsp: AgentNamespace, deps: AgentNamespaceDeps): void {
  const { handlers, connection } = deps;

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
      const [departments, { active, followed }] = await Promise.all([connection.departments(user.id), connection.conversations(user.id)]);
      await socket.join([...departments.map(rooms.department), ...active.map(rooms.conversation), ...followed.map(rooms.conversation)]);
      await connection.connected(user.id, socket.id);
      // A console back after a reload or a dropped connection learns of calls still going on (it rejoins them).
      for (const id of active) {
        const call = await connection.call(id);
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
      connection.leftVoice(socket.id).catch((error: unknown) => log.error({ err: error }, 'leaving voice rooms on disconnect failed'));
      void ready
        .then(() => connection.disconnected(user.id, socket.id))
        .catch((error: unknown) => log.error({ err: error }, 'agent disconnect handling failed'));
    });
  });
}
