import type { Socket } from 'socket.io';

/**
 * The client's address: behind a trusted proxy (TRUST_PROXY) the first X-Forwarded-For entry,
 * else the peer. Per-address budgets and quotas key on it, as Express's req.ip does for REST.
 */
export function addressOf(socket: Socket, trustProxy: boolean | number | string): string {
  const forwarded = socket.handshake.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string' && forwarded) return forwarded.split(',')[0]!.trim();
  return socket.handshake.address;
}
