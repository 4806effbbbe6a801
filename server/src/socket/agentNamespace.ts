import type { Namespace } from 'socket.io';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { agentEvents, type AgentClientToServer, type AgentServerToClient } from '../../../shared/events/agent.js';
import { ErrorCode } from '../../../shared/errors.js';
import type { Role } from '../../../shared/schemas/common.js';
import { hasRole, sessionCookieFrom } from '../auth/middleware.js';
import type { Sessions } from '../auth/sessions.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { presenceHandlers } from '../presence/handlers.js';
import type { PresenceStore } from '../presence/presenceStore.js';
import { bindHandlers } from './bindHandlers.js';
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
}

export type AgentNamespace = Namespace<AgentClientToServer, AgentServerToClient, Record<string, never>, AgentSocketData>;

export interface AgentNamespaceDeps {
  sessions: Sessions;
  presence: PresenceStore;
  /** Origins the console is served from; a browser connecting from anywhere else is refused. */
  consoleOrigins: readonly string[];
  log: Logger;
  metrics: Metrics;
  eventsPer10s: number;
  inflight: Inflight;
  now: () => Date;
}

export function setupAgentNamespace(nsp: AgentNamespace, deps: AgentNamespaceDeps): void {
  const limiter = new RateLimiterMemory({ keyPrefix: 'agent-events', points: deps.eventsPer10s, duration: 10 });
  const handlers = { ...presenceHandlers(deps.presence, nsp as unknown as Namespace, deps.now) };

  nsp.use(async (socket, next) => {
    // Cross-site WebSocket hijacking: a foreign page could otherwise ride on the agent's cookie.
    const origin = socket.handshake.headers.origin;
    if (origin !== undefined && !deps.consoleOrigins.includes(origin)) return next(new Error(ErrorCode.FORBIDDEN));
    try {
      const resolved = await deps.sessions.resolve(sessionCookieFrom(socket.handshake.headers.cookie));
      if (!resolved) return next(new Error(ErrorCode.UNAUTHENTICATED));
      const { user } = resolved;
      socket.data.user = { id: user.id, name: user.name, role: user.role };
      socket.data.sessionId = resolved.sessionId;
      next();
    } catch (error) {
      deps.log.error({ err: error }, 'agent authentication failed');
      next(new Error(ErrorCode.UNAVAILABLE));
    }
  });

  nsp.on('connection', (socket) => {
    const { user, sessionId } = socket.data;
    const joined = [rooms.agent(user.id), rooms.session(sessionId)];
    if (hasRole(user.role, 'supervisor')) joined.push(rooms.supervisors());
    void socket.join(joined);
    deps.metrics.socketConnections.inc({ namespace: nsp.name });
    socket.on('disconnect', () => deps.metrics.socketConnections.dec({ namespace: nsp.name }));
    bindHandlers(socket, {
      namespace: nsp.name,
      contract: agentEvents,
      handlers,
      context: { user, socketId: socket.id },
      log: deps.log.child({ agentId: user.id }),
      metrics: deps.metrics,
      limiter,
      inflight: deps.inflight,
    });
  });
}

/** Ends the live connections of one console session (sign-out). */
export function endSessionSockets(nsp: AgentNamespace, sessionId: string): void {
  nsp.to(rooms.session(sessionId)).emit('session:ended', { code: 'SIGNED_OUT' });
  nsp.in(rooms.session(sessionId)).disconnectSockets(true);
}
