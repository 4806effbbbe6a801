import type { Namespace } from 'socket.io';
import { communityEvents, type CommunityClientToServer, type CommunityServerToClient } from '../../../shared/events/community.js';
import { ErrorCode } from '../../../shared/errors.js';
import { sessionCookieFrom } from '../auth/middleware.js';
import type { Sessions } from '../auth/sessions.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { bindHandlers, type Handlers } from '../socket/bindHandlers.js';
import type { Inflight } from '../socket/inflight.js';
import { rooms } from '../socket/rooms.js';
import { addressOf } from '../socket/clientAddress.js';
import { visitorConnectionCaps, type ConnectionGate } from '../socket/connectionGate.js';
import type { EventLimits } from '../socket/eventBudgets.js';
import type { SessionGuard } from '../socket/sessionGuard.js';
import type { Visitors } from '../visitors/visitors.js';
import type { Community, CommunityCaller } from './community.js';

interface CommunitySocketData {
  caller: CommunityCaller;
  /** The client's address (visitors), for per-address budgets. */
  address: string;
  /** Staff: the console session behind the connection, re-checked while it lasts. */
  session: { id: string; expiresAt: Date } | null;
  /** Who this is, for counting people rather than tabs. */
  identity: string;
  roomId: number | null;
}

export type CommunityNamespace = Namespace<CommunityClientToServer, CommunityServerToClient, Record<string, never>, CommunitySocketData>;

export interface CommunityContext {
  caller: CommunityCaller;
  socketId: string;
  /** Moves this connection into a room (one at a time) or out of it. */
  enter(roomId: number | null): Promise<void>;
  present(roomId: number): Promise<number>;
}

export interface CommunityNamespaceDeps {
  community: Community;
  visitors: Visitors;
  sessions: Sessions;
  /** Staff connect with their session cookie from the console's origin only (as on /agent). */
  consoleOrigins: readonly string[];
  trustProxy: boolean | number | string;
  log: Logger;
  metrics: Metrics;
  events: EventLimits;
  gate: ConnectionGate;
  connections: { perVisitor: number; perAddress: number; perStaff: number };
  guard: SessionGuard;
  eventTimeoutMs: number;
  inflight: Inflight;
  /** A socket went away: it leaves the voice room it was in. */
  voiceGone(socketId: string): Promise<void>;
}

export function setupCommunityNamespace(nsp: CommunityNamespace, deps: CommunityNamespaceDeps, handlers: Handlers<typeof communityEvents, CommunityContext>): void {
  const { community, log } = deps;

  nsp.use(async (socket, next) => {
    try {
      const token = socket.handshake.auth?.token;
      if (typeof token === 'string' && token) {
        const visitorId = await deps.visitors.authenticate(token);
        if (!visitorId) return next(new Error(ErrorCode.UNAUTHENTICATED));
        const address = addressOf(socket, deps.trustProxy);
        const ipHash = community.ipHash(address);
        const sanction = await community.activeSanction(visitorId, ipHash);
        if (sanction?.kind === 'ban') {
          const refused = new Error(ErrorCode.FORBIDDEN) as Error & { data?: unknown };
          refused.data = { reason: 'banned', until: sanction.until.toISOString() };
          return next(refused);
        }
        if (!(await deps.gate.admit(socket.id, visitorConnectionCaps(visitorId, address, deps.connections)))) return next(new Error(ErrorCode.RATE_LIMITED));
        socket.data = { caller: { kind: 'visitor', visitorId, ipHash }, identity: `v:${visitorId}`, roomId: null, address, session: null };
        await community.seen(visitorId, ipHash);
        return next();
      }
      const origin = socket.handshake.headers.origin;
      if (origin !== undefined && !deps.consoleOrigins.includes(origin)) return next(new Error(ErrorCode.FORBIDDEN));
      const resolved = await deps.sessions.resolve(sessionCookieFrom(socket.handshake.headers.cookie));
      if (!resolved) return next(new Error(ErrorCode.UNAUTHENTICATED));
      const user = { id: resolved.user.id, name: resolved.user.name, role: resolved.user.role };
      if (!(await deps.gate.admit(socket.id, [{ limit: 'connections:staff', key: `staff:${user.id}`, cap: deps.connections.perStaff }]))) {
        return next(new Error(ErrorCode.RATE_LIMITED));
      }
      socket.data = { caller: { kind: 'staff', user }, identity: `s:${user.id}`, roomId: null, address: '', session: { id: resolved.sessionId, expiresAt: resolved.expiresAt } };
      next();
    } catch (error) {
      log.error({ err: error }, 'community authentication failed');
      next(new Error(ErrorCode.UNAVAILABLE));
    }
  });

  // Presence: people (not tabs) in a room, counted over every node, pushed at most twice a second.
  const recounts = new Map<number, NodeJS.Timeout>();
  async function present(roomId: number): Promise<number> {
    const sockets = await nsp.in(rooms.community(roomId)).fetchSockets();
    return new Set(sockets.map((s) => s.data.identity)).size;
  }
  function recount(roomId: number): void {
    if (recounts.has(roomId)) return;
    const timer = setTimeout(() => {
      recounts.delete(roomId);
      present(roomId)
        .then((n) => nsp.to(rooms.community(roomId)).volatile.emit('community:presence', { roomId, present: n }))
        .catch((error: unknown) => log.warn({ err: error, roomId }, 'community presence count failed'));
    }, 500);
    timer.unref();
    recounts.set(roomId, timer);
  }

  nsp.on('connection', (socket) => {
    const { caller, session } = socket.data;
    deps.metrics.socketConnections.inc({ namespace: nsp.name });
    // Staff also join their own and their session's room: a revoked right ends this connection too.
    void socket.join(
      caller.kind === 'visitor' ? [rooms.communityVisitor(caller.visitorId)] : [rooms.communityStaff(), rooms.agent(caller.user.id), rooms.session(session!.id)],
    );
    const guard =
      caller.kind === 'staff' ? deps.guard.watch({ socket, sessionId: session!.id, userId: caller.user.id, role: caller.user.role, expiresAt: session!.expiresAt }) : undefined;
    const enter = async (roomId: number | null) => {
      const before = socket.data.roomId;
      if (before !== null && before !== roomId) {
        await socket.leave(rooms.community(before));
        recount(before);
      }
      socket.data.roomId = roomId;
      if (roomId !== null) {
        await socket.join(rooms.community(roomId));
        recount(roomId);
      }
    };
    bindHandlers(socket, {
      namespace: nsp.name,
      contract: communityEvents,
      handlers,
      context: { caller, socketId: socket.id, enter, present },
      log: log.child(caller.kind === 'visitor' ? { visitorId: caller.visitorId } : { agentId: caller.user.id }),
      metrics: deps.metrics,
      budgets: deps.events.budgets(caller.kind === 'visitor' ? { kind: 'visitor', visitorId: caller.visitorId, address: socket.data.address } : { kind: 'staff', userId: caller.user.id }),
      inflight: deps.inflight,
      timeoutMs: deps.eventTimeoutMs,
      ...(guard ? { guard } : {}),
    });
    socket.on('disconnect', () => {
      deps.gate.release(socket.id);
      deps.metrics.socketConnections.dec({ namespace: nsp.name });
      if (socket.data.roomId !== null) recount(socket.data.roomId);
      deps.voiceGone(socket.id).catch((error: unknown) => log.error({ err: error }, 'leaving the community voice room on disconnect failed'));
    });
  });

  community.bindPushes({
    message: (m) => nsp.to(rooms.community(m.roomId)).emit('community:message', m),
    updated: (m) => nsp.to(rooms.community(m.roomId)).emit('community:updated', m),
    reported: (r) => nsp.to(rooms.communityStaff()).emit('community:reported', r),
    room: (r) => nsp.to(rooms.community(r.id)).emit('community:room', r),
    sanctioned(visitorId, me) {
      nsp.to(rooms.communityVisitor(visitorId)).emit('community:sanctioned', me);
      // A ban ends the visitor's community connections (after they were told why).
      if (me.kind === 'ban') setTimeout(() => nsp.in(rooms.communityVisitor(visitorId)).disconnectSockets(true), 200).unref();
    },
  });
}
