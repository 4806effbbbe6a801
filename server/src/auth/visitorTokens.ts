import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

const ISSUER = 'zentrale';
const AUDIENCE = 'zentrale:visitor';

export interface VisitorTokens {
  issue(visitorId: string): Promise<string>;
  /** The visitor id, or null for anything not a valid, unexpired visitor token of ours. */
  verify(token: string): Promise<string | null>;
}

/**
 * Visitors are anonymous: the token is the only thing that ties a browser to its visitor record.
 * The audience claim keeps it from ever being accepted where an agent credential is expected.
 */
export function createVisitorTokens(key: Uint8Array, ttlDays: number): VisitorTokens {
  return {
    issue: (visitorId) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(visitorId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${ttlDays}d`)
        .sign(key),
    verify: async (token) => {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
        return typeof payload.sub === 'string' ? payload.sub : null;
      } catch {
        return null;
      }
    },
  };
}
