import { randomUUID } from 'node:crypto';
import type { Offer } from '../../shared/schemas/routing.js';
import type { Level, Role } from '../../shared/schemas/common.js';
import type { RoutingConfig } from '../../shared/schemas/routing.js';
import { ask, connectAgent, connectVisitor, eventWhere, expectOk, login, nextEvent, visitorSession, type AgentSocket, type VisitorSocket } from './clients.js';
import type { TestServer, TestUser } from './server.js';

export const clientId = () => randomUUID().replaceAll('-', '');

let departmentCounter = 0;

/** A department with routing settings for the test (defaults: least busy, no widening, no wrap-up). */
export async function makeDepartment(server: TestServer, routing: Partial<RoutingConfig> = {}, languages = ['de', 'en']): Promise<number> {
  departmentCounter++;
  const row = await server.zentrale.db.models.Department.create({
    slug: `test-${departmentCounter}-${process.pid}`,
    name: `Test ${departmentCounter}`,
    languages,
    openingHours: null,
    fallbackDepartmentId: null,
    routingStrategy: routing.strategy ?? 'least_busy',
    maxWaitSeconds: routing.maxWaitSeconds ?? 600,
    offerTimeoutSeconds: routing.offerTimeoutSeconds ?? 30,
    wrapUpSeconds: routing.wrapUpSeconds ?? 0,
    widenL2AfterSeconds: routing.widenToL2AfterSeconds ?? null,
    widenL3AfterSeconds: routing.widenToL3AfterSeconds ?? null,
    fallbackLanguage: routing.fallbackLanguage ?? null,
    fallbackLanguageAfterSeconds: routing.fallbackLanguageAfterSeconds ?? null,
    softLimitSeconds: routing.softLimitSeconds ?? null,
    // Routing suites study the queue itself: chats wait even with nobody online unless a test asks for the fallback.
    offlineFallback: routing.offlineFallback ?? false,
  });
  await server.zentrale.engine.loadDepartments();
  return row.id;
}

export interface TestAgent {
  user: TestUser;
  cookie: string;
  socket: AgentSocket;
  offers: Offer[];
  /** Resolves with the next offer this agent receives. */
  nextOffer(ms?: number): Promise<Offer>;
  /** The offer for this conversation, already received or still to come (the offer may beat the visitor's ack). */
  offerFor(conversationId: string, ms?: number): Promise<Offer>;
  setStatus(status: 'available' | 'away' | 'offline'): Promise<void>;
}

export async function makeAgent(
  server: TestServer,
  opts: {
    memberships: Array<{ departmentId: number; level?: Level; maxChats?: number | null }>;
    languages?: string[];
    maxChats?: number;
    role?: Role;
    autoAccept?: boolean;
    available?: boolean;
  },
): Promise<TestAgent> {
  const user = await server.createUser({ role: opts.role ?? 'agent', languages: opts.languages ?? ['de', 'en'] });
  const { User, DepartmentMember } = server.zentrale.db.models;
  await User.update({ maxChats: opts.maxChats ?? 3, autoAccept: opts.autoAccept ?? false }, { where: { id: user.id } });
  for (const m of opts.memberships) {
    await DepartmentMember.create({ userId: user.id, departmentId: m.departmentId, level: m.level ?? 'L1', maxChats: m.maxChats ?? null });
  }
  const cookie = await login(server.baseUrl, user.email, user.password);
  const socket = await connectAgent(server.baseUrl, cookie);
  const offers: Offer[] = [];
  socket.on('offer:received', (offer) => offers.push(offer));
  const agent: TestAgent = {
    user,
    cookie,
    socket,
    offers,
    nextOffer: (ms = 3000) => nextEvent<Offer>(socket, 'offer:received', ms),
    offerFor(conversationId, ms = 3000) {
      const seen = offers.find((o) => o.conversationId === conversationId);
      return seen ? Promise.resolve(seen) : eventWhere<Offer>(socket, 'offer:received', (o) => o.conversationId === conversationId, ms);
    },
    async setStatus(status) {
      expectOk(await ask(socket, 'presence:set', { status }));
    },
  };
  // The connection registers with routing asynchronously; presence:get is answered after it.
  await ask(socket, 'presence:get', {});
  if (opts.available ?? true) await agent.setStatus('available');
  return agent;
}

export interface TestVisitor {
  socket: VisitorSocket;
  token: string;
  conversationId: string;
  queue: Awaited<ReturnType<typeof startChat>>['queue'];
}

async function startChat(socket: VisitorSocket, departmentId: number, language: string, name: string, text: string, customerNumber?: string) {
  return expectOk(await ask(socket, 'conversation:start', { clientId: clientId(), departmentId, language, name, text, ...(customerNumber ? { customerNumber } : {}) }));
}

export async function makeVisitorChat(
  server: TestServer,
  departmentId: number,
  opts: { language?: string; name?: string; text?: string; customerNumber?: string } = {},
): Promise<TestVisitor> {
  const { token } = await visitorSession(server.baseUrl);
  const socket = await connectVisitor(server.baseUrl, token);
  const started = await startChat(socket, departmentId, opts.language ?? 'de', opts.name ?? 'Besucher', opts.text ?? 'Hallo, ich brauche Hilfe.', opts.customerNumber);
  return { socket, token, conversationId: started.conversation.id, queue: started.queue };
}

/** Accepts the given offer and returns the conversation detail. */
export async function accept(agent: TestAgent, conversationId: string) {
  return expectOk(await ask(agent.socket, 'offer:accept', { conversationId }));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds (routing runs asynchronously after acks), or fails after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 3000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Suites about the live chat itself (seeded demo departments, nobody signed in) keep their chats
 * waiting in the queue: the offline fallback's "nobody online → ticket" is switched off.
 */
export async function withoutOfflineFallback(server: TestServer): Promise<void> {
  await server.zentrale.db.models.Department.update({ offlineFallback: false }, { where: {} });
}
