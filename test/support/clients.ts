import { COMMUNITY_NAMESPACE, type CommunityClientToServer, type CommunityServerToClient } from '../../shared/events/community.js';
import { io, type Socket } from 'socket.io-client';
import type { Ack } from '../../shared/ack.js';
import { AGENT_NAMESPACE, type AgentClientToServer, type AgentServerToClient } from '../../shared/events/agent.js';
import { VISITOR_NAMESPACE, type VisitorClientToServer, type VisitorServerToClient } from '../../shared/events/visitor.js';

export interface HttpResult<T = unknown> {
  status: number;
  body: Ack<T>;
  headers: Headers;
}

export async function request<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; cookie?: string; headers?: Record<string, string>; raw?: string } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined || options.raw !== undefined) headers['content-type'] ??= 'application/json';
  if (options.cookie) headers.cookie = options.cookie;
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Ack<T>, headers: res.headers };
}

/** Signs in and returns the session cookie ("zentrale_session=…") for later requests. */
export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await request(baseUrl, 'POST', '/api/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('zentrale_session='));
  if (!cookie) throw new Error('no session cookie');
  return cookie.split(';')[0]!;
}

export async function visitorSession(baseUrl: string, token?: string): Promise<{ visitorId: string; token: string }> {
  const res = await request<{ visitorId: string; token: string }>(baseUrl, 'POST', '/api/visitor/session', { body: token ? { token } : {} });
  if (!res.body.ok) throw new Error(`visitor session failed: ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export type VisitorSocket = Socket<VisitorServerToClient, VisitorClientToServer>;
export type AgentSocket = Socket<AgentServerToClient, AgentClientToServer>;

const tracked = new Set<Socket>();

/** Resolves once connected; rejects with the server's refusal code on connect_error. */
function connected<S extends Socket>(socket: S): Promise<S> {
  tracked.add(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

export function connectVisitor(baseUrl: string, token: string | undefined, opts: { origin?: string } = {}): Promise<VisitorSocket> {
  return connected(
    io(baseUrl + VISITOR_NAMESPACE, {
      auth: token === undefined ? {} : { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: opts.origin ? { origin: opts.origin } : {},
    }) as VisitorSocket,
  );
}

export function connectAgent(baseUrl: string, cookie: string | undefined, opts: { origin?: string } = {}): Promise<AgentSocket> {
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (opts.origin) headers.origin = opts.origin;
  return connected(
    io(baseUrl + AGENT_NAMESPACE, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: headers }) as AgentSocket,
  );
}

export type CommunitySocket = Socket<CommunityServerToClient, CommunityClientToServer>;

/** The community namespace, as a visitor (`{ token }`) or as staff (`{ cookie }`). */
export function connectCommunity(baseUrl: string, who: { token: string } | { cookie: string }): Promise<CommunitySocket> {
  return connected(
    io(baseUrl + COMMUNITY_NAMESPACE, {
      auth: 'token' in who ? { token: who.token } : {},
      extraHeaders: 'cookie' in who ? { cookie: who.cookie } : {},
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    }) as CommunitySocket,
  );
}

/** Closes every socket the helpers opened (call in afterEach). */
export function closeAllSockets(): void {
  for (const socket of tracked) socket.close();
  tracked.clear();
}

/** Sends any event name with any arguments, bypassing the typed map (for hostile-input tests). */
export function emitRaw(socket: Socket, event: string, ...args: unknown[]): Promise<Ack<unknown>> {
  return (socket.timeout(15_000) as unknown as { emitWithAck(e: string, ...a: unknown[]): Promise<Ack<unknown>> }).emitWithAck(event, ...args);
}

/** The next occurrence of a server event, or a rejection after `ms`. */
export function nextEvent<T>(socket: Socket, event: string, ms = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" within ${ms} ms`)), ms);
    (socket as unknown as { once(e: string, f: (v: T) => void): void }).once(event, (value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** Like nextEvent, but skips events that do not match: across nodes, an earlier broadcast may still be in flight. */
export function eventWhere<T>(socket: Socket, event: string, matches: (value: T) => boolean, ms = 3000): Promise<T> {
  const target = socket as unknown as { on(e: string, f: (v: T) => void): void; off(e: string, f: (v: T) => void): void };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.off(event, listener);
      reject(new Error(`no matching "${event}" within ${ms} ms`));
    }, ms);
    const listener = (value: T): void => {
      if (!matches(value)) return;
      clearTimeout(timer);
      target.off(event, listener);
      resolve(value);
    };
    target.on(event, listener);
  });
}

/**
 * Waits until everything the server sent this socket before now has arrived: a request and its
 * ack travel the same connection, in order, behind any earlier push. (A push from another node
 * crosses Redis first and is not covered.)
 */
export async function fence(socket: Socket): Promise<void> {
  const ack = await emitRaw(socket, 'test:fence', {});
  if (ack.ok || !['UNKNOWN_EVENT', 'RATE_LIMITED'].includes(ack.error.code)) throw new Error(`unexpected fence answer ${JSON.stringify(ack)}`);
}

/**
 * Asserts that the server did not send `event` to the socket. Call it after the decision it is
 * about has been made (the action's ack, another client's delivery, an awaited timer tick): the
 * fence then proves the push would have arrived, without guessing a time to wait.
 */
export async function noEvent(socket: Socket, event: string): Promise<void> {
  let seen: unknown = undefined;
  const listener = (value: unknown) => (seen = value ?? true);
  (socket as unknown as { on(e: string, f: (v: unknown) => void): void }).on(event, listener);
  try {
    await fence(socket);
  } finally {
    (socket as unknown as { off(e: string, f: (v: unknown) => void): void }).off(event, listener);
  }
  if (seen !== undefined) throw new Error(`unexpected "${event}": ${JSON.stringify(seen)}`);
}

export function expectOk<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`expected ok, got ${JSON.stringify(ack.error)}`);
  return ack.data;
}

type AckOf<F> = F extends (payload: never, ack: (response: infer R) => void) => void ? R : never;

/** Emits a typed event and resolves with its ack (timeout 15 s), keeping the contract's types. */
// The namespace's event map, read off the socket's type arguments: both namespaces have events of
// the same name (ticket:get, message:send), and Socket.IO's socket types are assignable to each other.
type EmitMap<S> = S extends Socket<infer _Listen, infer Emit> ? Emit : never;
type PayloadOf<F> = F extends (payload: infer P, ack: never) => void ? P : never;
export function ask<S extends VisitorSocket | AgentSocket | CommunitySocket, E extends keyof EmitMap<S> & string>(
  socket: S,
  event: E,
  payload: PayloadOf<EmitMap<S>[E]>,
): Promise<AckOf<EmitMap<S>[E]>>;
export function ask(socket: Socket, event: string, payload: unknown): Promise<unknown> {
  return emitRaw(socket, event, payload);
}
