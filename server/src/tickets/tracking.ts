import { createHash, createHmac, randomBytes } from 'node:crypto';
import { trackingUrl } from '../../../shared/schemas/tickets.js';

/**
 * Tracking links. The token is an HMAC (SECRET_KEY) of a random nonce: unguessable, and the
 * database alone (nonce and the token's SHA-256) cannot produce it, yet the server can put the
 * same link into every reply mail. Lookups go by the SHA-256, like sessions.
 */
export function createTracking(secret: Uint8Array, publicUrl: string) {
  const tokenFor = (nonce: string) => createHmac('sha256', secret).update(`zentrale:ticket-tracking:${nonce}`).digest('base64url');
  const hash = (token: string) => createHash('sha256').update(token).digest('hex');
  return {
    hash,
    fresh() {
      const nonce = randomBytes(16).toString('hex');
      return { nonce, hash: hash(tokenFor(nonce)) };
    },
    url: (nonce: string) => trackingUrl(publicUrl, tokenFor(nonce)),
  };
}

export type Tracking = ReturnType<typeof createTracking>;
