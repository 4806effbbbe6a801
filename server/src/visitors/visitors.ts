import { randomUUID } from 'node:crypto';
import type { VisitorSession } from '../../../shared/schemas/chat.js';
import type { VisitorTokens } from '../auth/visitorTokens.js';
import type { Models } from '../db/models/index.js';

export interface Visitors {
  /**
   * Resumes the visitor behind a valid token, or makes a new visitor. `admitNew` runs before a
   * new visitor is made (the per-address and installation quotas) and may refuse it by throwing.
   */
  session(token: string | undefined, admitNew?: () => Promise<unknown>): Promise<VisitorSession>;
  /** The visitor id behind a token, if the token is valid and the visitor exists. */
  authenticate(token: unknown): Promise<string | null>;
}

export function createVisitors(models: Models, tokens: VisitorTokens): Visitors {
  const authenticate = async (token: unknown) => {
    if (typeof token !== 'string' || token.length > 2048) return null;
    const id = await tokens.verify(token);
    if (!id) return null;
    const visitor = await models.Visitor.findByPk(id, { attributes: ['id'] });
    if (!visitor) return null;
    await models.Visitor.update({ lastSeenAt: new Date() }, { where: { id } });
    return id;
  };
  return {
    authenticate,
    async session(token, admitNew) {
      const existing = token ? await authenticate(token) : null;
      if (existing) return { visitorId: existing, token: token!, renewed: false };
      await admitNew?.();
      const visitor = await models.Visitor.create({ id: randomUUID(), name: null, email: null, language: null, lastSeenAt: new Date() });
      return { visitorId: visitor.id, token: await tokens.issue(visitor.id), renewed: token !== undefined };
    },
  };
}
