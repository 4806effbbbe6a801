import { createHash, randomBytes } from 'node:crypto';
import { Op } from 'sequelize';
import type { Models, UserModel } from '../db/models/index.js';

export const SESSION_COOKIE = 'zentrale_session';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface Sessions {
  /** Makes a session and returns the secret cookie value. */
  create(userId: number, userAgent: string | undefined): Promise<string>;
  /** The active user behind a cookie value, or null. */
  resolve(token: string | undefined): Promise<{ user: UserModel; sessionId: string } | null>;
  /** Ends the session and returns its id (for closing its live connections). */
  destroy(token: string): Promise<string>;
  destroyAllForUser(userId: number): Promise<void>;
  purgeExpired(): Promise<number>;
}

export function createSessions(models: Models, ttlHours: number): Sessions {
  return {
    async create(userId, userAgent) {
      const token = randomBytes(32).toString('base64url');
      await models.Session.create({
        id: hashToken(token),
        userId,
        expiresAt: new Date(Date.now() + ttlHours * 3600_000),
        userAgent: userAgent?.slice(0, 255) ?? null,
      });
      return token;
    },
    async resolve(token) {
      if (!token || token.length > 128) return null;
      const session = await models.Session.findByPk(hashToken(token));
      if (!session || session.expiresAt.getTime() <= Date.now()) return null;
      const user = await models.User.findByPk(session.userId);
      if (!user || !user.active) return null;
      return { user, sessionId: session.id };
    },
    async destroy(token) {
      const id = hashToken(token);
      await models.Session.destroy({ where: { id } });
      return id;
    },
    async destroyAllForUser(userId) {
      await models.Session.destroy({ where: { userId } });
    },
    purgeExpired: () => models.Session.destroy({ where: { expiresAt: { [Op.lte]: new Date() } } }),
  };
}
