import type { Namespace, Socket } from 'socket.io';
import type { SessionEndCode } from '../../../shared/schemas/auth.js';
import type { Role } from '../../../shared/schemas/common.js';
import type { Sessions } from '../auth/sessions.js';
import { UnauthenticatedError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import { rooms } from './rooms.js';

/** A signed-in console connection on this node (on /agent or /community). */
export interface StaffConnection {
  socket: Socket;
  sessionId: string;
  userId: number;
  /** The role the connection was set up with (its rooms and handlers assume it). */
  role: Role;
  expiresAt: Date;
}

export interface SessionGuard {
  /**
   * Registers a connection; returns the check that runs before each of its events. The check asks
   * the database again once `recheckMs` has passed since the last look, and ends the connection
   * when the session ended, expired, the account was deactivated or its role changed.
   */
  watch(connection: StaffConnection): () => Promise<void>;
  /** Ends every live console connection of the user on every node and namespace (except one session's). */
  endUser(userId: number, code: SessionEndCode, keepSessionId?: string): void;
  /** Ends the live connections of one session on every node (sign-out). */
  endSession(sessionId: string, code: SessionEndCode): void;
  /** Re-checks every console connection of this node at once (runs on a timer; tests call it). */
  sweep(): Promise<void>;
  stop(): void;
}

type StaffNamespace = Namespace;

/**
 * Rights are never taken from the handshake alone. Three mechanisms, so a right revoked is revoked
 * on live sockets too:
 * - a push: deactivation, a role or password change end the user's connections on every node at
 *   once (through the adapter);
 * - a per-event check, bounded by `recheckMs`, in case such a push was lost (Redis away);
 * - a sweep of this node's connections every `recheckMs`, so a silent connection that only
 *   receives pushes (queue, supervisor views) ends too, as does one whose session expires.
 */
export function createSessionGuard(deps: { sessions: Sessions; namespaces: StaffNamespace[]; recheckMs: number; now: () => Date; log: Logger }): SessionGuard {
  const local = new Map<string, StaffConnection & { checkedAt: number }>();

  const endLocal = (connection: StaffConnection, code: SessionEndCode) => {
    local.delete(connection.socket.id);
    deps.log.info({ userId: connection.userId, code }, 'console connection ended: its session no longer stands');
    connection.socket.emit('session:ended', { code });
    // After the current tick: the refusal of the event that found out still reaches the client.
    setImmediate(() => connection.socket.disconnect(true));
  };

  /** Why the connection may not go on, or null when it may. */
  const verdict = (connection: StaffConnection, standing: { role: Role; expiresAt: Date } | undefined): SessionEndCode | null => {
    if (!standing) return connection.expiresAt.getTime() <= deps.now().getTime() ? 'EXPIRED' : 'REVOKED';
    if (standing.expiresAt.getTime() <= deps.now().getTime()) return 'EXPIRED';
    if (standing.role !== connection.role) return 'ROLE_CHANGED';
    return null;
  };

  async function check(ids: string[]): Promise<void> {
    const connections = ids.map((id) => local.get(id)).filter((c): c is NonNullable<typeof c> => c !== undefined);
    if (connections.length === 0) return;
    const standing = await deps.sessions.standing([...new Set(connections.map((c) => c.sessionId))]);
    const at = deps.now().getTime();
    for (const connection of connections) {
      const code = verdict(connection, standing.get(connection.sessionId));
      if (code) endLocal(connection, code);
      else connection.checkedAt = at;
    }
  }

  const timer = setInterval(() => {
    check([...local.keys()]).catch((error: unknown) => deps.log.warn({ err: error }, 'session sweep failed'));
  }, deps.recheckMs);
  timer.unref();

  const broadcast = (room: string, code: SessionEndCode, except?: string) => {
    for (const nsp of deps.namespaces) {
      const target = except ? nsp.in(room).except(except) : nsp.in(room);
      target.emit('session:ended', { code });
      target.disconnectSockets(true);
    }
  };

  return {
    watch(connection) {
      const id = connection.socket.id;
      local.set(id, { ...connection, checkedAt: deps.now().getTime() });
      connection.socket.once('disconnect', () => local.delete(id));
      return async () => {
        const entry = local.get(id);
        if (!entry) throw new UnauthenticatedError('This connection\'s session has ended.');
        if (deps.now().getTime() - entry.checkedAt < deps.recheckMs && entry.expiresAt.getTime() > deps.now().getTime()) return;
        await check([id]);
        if (!local.has(id)) throw new UnauthenticatedError('This connection\'s session has ended.');
      };
    },
    endUser: (userId, code, keepSessionId) => broadcast(rooms.agent(userId), code, keepSessionId ? rooms.session(keepSessionId) : undefined),
    endSession: (sessionId, code) => broadcast(rooms.session(sessionId), code),
    sweep: () => check([...local.keys()]),
    stop: () => clearInterval(timer),
  };
}
