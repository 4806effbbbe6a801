import type { Namespace } from 'socket.io';
import { visitorEvents, type VisitorClientToServer, type VisitorServerToClient } from '../../../shared/events/visitor.js';
import { ErrorCode } from '../../../shared/errors.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Handlers, VisitorContext } from '../features/handlers.js';
import { bindHandlers } from './bindHandlers.js';
import { visitorConnectionCaps, type ConnectionGate } from './connectionGate.js';
import type { EventLimits } from './eventBudgets.js';
import type { Inflight } from './inflight.js';
import { rooms } from './rooms.js';
import { addressOf } from './clientAddress.js';

export type { VisitorContext };

interface VisitorSocketData {
  visitorId: string;
  address: string;
}

export type VisitorNamespace = Namespace<VisitorClientToServer, VisitorServerToClient, Record<string, never>, VisitorSocketData>;

export interface VisitorNamespaceDeps {
  /** The visitor id a signed token stands for, or null (visitors/visitors.ts). */
  authenticate(token: unknown): Promise<string | null>;
  /** Every feature's visitor handlers, merged by the composition root. */
  handlers: Handlers<typeof visitorEvents, VisitorContext>;
  /** A connection closed: what it held (a place in a call) is let go. */
  disconnected(socketId: string): Promise<void>;
  log: Logger;
  metrics: Metrics;
  events: EventLimits;
  gate: ConnectionGate;
  connections: { perVisitor: number; perAddress: number };
  eventTimeoutMs: number;
  inflight: Inflight;
  trustProxy: boolean | number | string;
}

export function setupVisitorNamespace(nsp: VisitorNamespace, deps: VisitorNamespaceDeps): void {
  const { handlers } = deps;

  // The token is the visitor's only credential; without a valid one the connection is refused
  // and the widget fetches a new token from POST /api/visitor/session.
  nsp.use(async (socket, next) => {
    try {
      const visitorId = await deps.authenticate(socket.handshake.auth?.token);
      if (!visitorId) return next(new Error(ErrorCode.UNAUTHENTICATED));
      const address = addressOf(socket, deps.trustProxy);
      if (!(await deps.gate.admit(socket.id, visitorConnectionCaps(visitorId, address, deps.connections)))) return next(new Error(ErrorCode.RATE_LIMITED));
      socket.data.visitorId = visitorId;
      socket.data.address = address;
      next();
    } catch (error) {
      deps.log.error({ err: error }, 'visitor authentication failed');
      next(new Error(ErrorCode.UNAVAILABLE));
    }
  });

  nsp.on('connection', (socket) => {
    const { visitorId, address } = socket.data;
    void socket.join(rooms.visitor(visitorId));
    deps.metrics.socketConnections.inc({ namespace: nsp.name });
    socket.on('disconnect', () => {
      deps.gate.release(socket.id);
      deps.metrics.socketConnections.dec({ namespace: nsp.name });
      deps.disconnected(socket.id).catch((error: unknown) => deps.log.error({ err: error, visitorId }, 'leaving voice rooms on disconnect failed'));
    });
    bindHandlers(socket, {
      namespace: nsp.name,
      contract: visitorEvents,
      handlers,
      context: { visitorId, socketId: socket.id, address },
      log: deps.log.child({ visitorId }),
      metrics: deps.metrics,
      budgets: deps.events.budgets({ kind: 'visitor', visitorId, address }),
      inflight: deps.inflight,
      timeoutMs: deps.eventTimeoutMs,
    });
  });
}
