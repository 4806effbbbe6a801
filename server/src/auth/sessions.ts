import { createHash, randomBytes } from 'node:crypto';
import { Op } from 'sequelize';
import type { Role } from '../../../shared/schemas/common.js';
import type { Models, UserModel } from '../db/models/index.js';

export const SESSION_COOKIE = 'zentrale_session';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** What a live connection's right to stay is decided on, read afresh (never only at the handshake). */
export interface SessionStanding {
  userId: number;
  role: Role;
  name: string;
  expiresAt: Date;
}

export interface Sessions {
  /** Makes a session and returns the secret cookie value. */
  create(userId: number, userAgent: string | undefined): Promise<string>;
  /** The active user behind a cookie value, or null. */
  resolve(token: string | undefined): Promise<{ user: UserModel; sessionId: string; expiresAt: Date } | null>;
  /** The standing of sessions by id: only those still valid, of active users. */
  standing(sessionIds: string[]): Promise<Map<string, SessionStanding>>;
  /** The id (as stored) of a cookie value. */
  idOf(token: string): string;
  /** Ends the session and returns its id (for closing its live connections). */
  destroy(token: string): Promise<string>;
  /** Ends every session of the user, except `keepSessionId` (one's own, after changing one's own password). */
  destroyAllForUser(userId: number, keepSessionId?: string): Promise<void>;
  purgeExpired(): Promise<number>;
}

export function createSessions(models: Models, ttlHours: number, now: () => Date = () => new Date()): Sessions {
  return {
    async create(userId, userAgent) {
      const token = randomBytes(32).toString('base64url');
      await models.Session.create({
        id: hashToken(token),
        userId,
        expiresAt: new Date(now().getTime() + ttlHours * 3600_000),
        userAgent: userAgent?.slice(0, 255) ?? null,
      });
      return token;
    },
    async resolve(token) {
      if (!token || token.length > 128) return null;
      const session = await models.Session.findByPk(hashToken(token));
      if (!session || session.expiresAt.getTime() <= now().getTime()) return null;
      const user = await models.User.findByPk(session.userId);
      if (!user || !user.active) return null;
      return { user, sessionId: session.id, expiresAt: session.expiresAt };
    },
    async standing(sessionIds) {
      const result = new Map<string, SessionStanding>();
      if (sessionIds.length === 0) return result;
      const sessions = await models.Session.findAll({ where: { id: sessionIds, expiresAt: { [Op.gt]: now() } } });
      const users = new Map(
        (await models.User.findAll({ where: { id: [...new Set(sessions.map((s) => s.userId))], active: true }, attributes: ['id', 'role', 'name'] })).map((u) => [u.id, u]),
      );
      for (const s of sessions) {
        const user = users.get(s.userId);
        if (user) result.set(s.id, { userId: user.id, role: user.role, name: user.name, expiresAt: s.expiresAt });
      }
      return result;
    },
    idOf: hashToken,
    async destroy(token) {
      const id = hashToken(token);
      await models.Session.destroy({ where: { id } });
      return id;
    },
    async destroyAllForUser(userId, keepSessionId) {
      await models.Session.destroy({ where: { userId, ...(keepSessionId ? { id: { [Op.ne]: keepSessionId } } : {}) } });
    },
    purgeExpired: () => models.Session.destroy({ where: { expiresAt: { [Op.lte]: now() } } }),
  };
}
