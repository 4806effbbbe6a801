import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { Ack } from '../../shared/ack.js';
import { timeoutError, type ClientAck } from './errors.js';

export const ACK_TIMEOUT_MS = 10_000;

/**
 * Typed Socket.IO connection with the defaults both clients want. `ServerToClient` and
 * `ClientToServer` come from shared/events, so payloads and acks are checked against the one
 * contract. `ackTimeout` makes every `emitWithAck` reject when no answer comes; we do not use
 * `socket.timeout(ms)` because its typings lose the ack's result type.
 */
export function connectSocket<ServerToClient extends object, ClientToServer extends object>(
  url: string,
  options: Partial<ManagerOptions & SocketOptions> = {},
): Socket<ServerToClient, ClientToServer> {
  return io(url, {
    // WebSocket first (no sticky sessions needed behind a load balancer, fewer requests);
    // long-polling only when a proxy blocks WebSockets.
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    ackTimeout: ACK_TIMEOUT_MS,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
    ...options,
  });
}

/**
 * Awaits an ack from `socket.emitWithAck(...)`. A missing answer (timeout or a
 * disconnect while waiting) becomes a TIMEOUT error instead of a rejected promise.
 */
export async function settle<T>(pending: Promise<Ack<T>>): Promise<ClientAck<T>> {
  try {
    return await pending;
  } catch {
    return { ok: false, error: timeoutError() };
  }
}
