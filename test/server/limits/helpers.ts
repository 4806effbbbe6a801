import { randomInt } from 'node:crypto';
import { io } from 'socket.io-client';
import { VISITOR_NAMESPACE } from '../../../shared/events/visitor.js';
import { request, type HttpResult, type VisitorSocket } from '../../support/clients.js';
import type { TestServer } from '../../support/server.js';

export const METRICS_TOKEN = 'metrics-test-token-0123456789';

/** A documentation address (RFC 5737) no other test uses: per-address budgets start fresh. */
export const freshAddress = (): string => `198.51.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/** The server trusts the loopback proxy, so the client's address is whatever X-Forwarded-For says. */
export const from = (address: string) => ({ 'x-forwarded-for': address });

/** POST /api/visitor/session from `address` (a new visitor unless a valid token is given). */
export const newSession = (server: TestServer, address: string, token?: string): Promise<HttpResult<{ visitorId: string; token: string }>> =>
  request(server.baseUrl, 'POST', '/api/visitor/session', { body: token ? { token } : {}, headers: from(address) });

/** A visitor: its session from an address of its own, its socket from `address`. */
export async function visitorAt(server: TestServer, address: string): Promise<{ socket: VisitorSocket; token: string; visitorId: string }> {
  const session = await newSession(server, freshAddress());
  if (!session.body.ok) throw new Error(`session refused: ${JSON.stringify(session.body)}`);
  const { token, visitorId } = session.body.data;
  return { socket: await socketAt(server, token, address), token, visitorId };
}

const opened = new Set<VisitorSocket>();

/** A /visitor socket whose handshake comes from `address`. */
export function socketAt(server: TestServer, token: string, address: string): Promise<VisitorSocket> {
  const socket = io(server.baseUrl + VISITOR_NAMESPACE, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: from(address) }) as VisitorSocket;
  opened.add(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Closes the sockets socketAt opened (afterEach). */
export function closeSockets(): void {
  for (const socket of opened) socket.close();
  opened.clear();
}

/** zentrale_limit_refusals_total for one limit name. */
export async function refusals(server: TestServer, limit: string): Promise<number> {
  const res = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await res.text();
  return Number(new RegExp(`zentrale_limit_refusals_total\\{limit="${limit}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}
