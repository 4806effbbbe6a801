import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { Ack } from '../../shared/ack.js';
import type { ClientAck, ClientError } from './errors.js';

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

/** The events of a ClientToServer map (shared/events) that answer with an ack, and their payload and data. */
export type AckEvent<E> = { [K in keyof E]: E[K] extends (payload: never, ack: never) => void ? K : never }[keyof E] & string;
export type AskPayload<F> = F extends (payload: infer P, ack: never) => void ? P : never;
export type AskResult<F> = F extends (payload: never, ack: (response: Ack<infer T>) => void) => void ? T : never;

/**
 * Sends one event and waits for its ack, typed from the socket's event map. The answer keeps the
 * real cause of a failure: the server's error ack as it came (`code`, `message`, `issues`, …);
 * TIMEOUT when the socket was connected and no answer came in time; NETWORK when the connection
 * was lost (or never there) while waiting, so the request may not have reached the server.
 * Never rejects.
 */
export async function ask<L extends object, E extends object, K extends AckEvent<E>>(
  socket: Socket<L, E>,
  event: K,
  payload: AskPayload<E[K]>,
): Promise<ClientAck<AskResult<E[K]>>> {
  // The event map's generic signature is checked above; socket.io's own overloads cannot follow it.
  const raw = socket as unknown as Socket;
  try {
    return (await raw.emitWithAck(event, payload)) as Ack<AskResult<E[K]>>;
  } catch (error) {
    // socket.io rejects after `ackTimeout` ("operation has timed out", also for a request still
    // buffered while offline) or when the connection drops before the answer ("socket has been
    // disconnected"): still connected means the server did not answer in time.
    return { ok: false, error: { code: raw.connected ? 'TIMEOUT' : 'NETWORK', message: String(error) } };
  }
}
