import assert from 'node:assert/strict';
import type { Presence } from '../../../shared/schemas/presence.js';
import type { OfferRevoked, QueueStatus } from '../../../shared/schemas/routing.js';
import type { AgentConversation, Conversation, Message } from '../../../shared/schemas/chat.js';
import { accept, eventually, type TestAgent, makeAgent, makeDepartment, makeVisitorChat, sleep } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectAgent, eventWhere, expectOk, nextEvent } from '../../support/clients.js';
import { describeEachTarget } from '../../support/dbTargets.js';
import { startTestServer, TestClock, type TestServer } from '../../support/server.js';

describeEachTarget('routing: strategies, capacity, fairness, widening', ({ db, redis }) => {
  let server: TestServer;
  const clock = new TestClock();
  before(async () => {
    server = await startTestServer({ db, redis, clock, env: { PRESENCE_GRACE_SECONDS: '30' } });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  const tick = () => server.zentrale.engine.tick();
  /**
   * Runs routing to the end and reads what it decided for the chat: no sleeping and seeing nothing,
   * the store's own state after a complete pass.
   */
  const decided = async (conversationId: string) => {
    await server.zentrale.engine.routeAll();
    const route = await server.zentrale.engine.store.route(conversationId);
    return { state: route?.state, agentId: route?.agentId };
  };
  const waiting = { state: 'queued', agentId: null };

  it('least busy: the agent with fewer chats gets the next one; ties go to the longest idle', async () => {
    const dept = await makeDepartment(server, { strategy: 'least_busy' });
    const a = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    clock.advance(1000);
    const b = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const offerA = a.nextOffer();
    const first = await makeVisitorChat(server, dept);
    assert.equal((await offerA).conversationId, first.conversationId, 'tie on load: A has been idle longer');
    await accept(a, first.conversationId);
    const offerB = b.nextOffer();
    const second = await makeVisitorChat(server, dept);
    assert.equal((await offerB).conversationId, second.conversationId, 'B has no chat, A has one');
    assert.equal(a.offers.length, 1);
  });

  it('longest idle: the agent waiting longest for work gets the chat', async () => {
    const dept = await makeDepartment(server, { strategy: 'longest_idle' });
    const a = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    clock.advance(1000);
    const b = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    clock.advance(1000);
    const offerA = a.nextOffer();
    const first = await makeVisitorChat(server, dept);
    await offerA;
    clock.advance(1000);
    await accept(a, first.conversationId); // A just got work: B is now idle longest
    const offerB = b.nextOffer();
    const second = await makeVisitorChat(server, dept);
    assert.equal((await offerB).conversationId, second.conversationId);
  });

  it('round robin: offers go round the agents in turn', async () => {
    const dept = await makeDepartment(server, { strategy: 'round_robin' });
    const agents: TestAgent[] = [];
    for (let i = 0; i < 3; i++) agents.push(await makeAgent(server, { memberships: [{ departmentId: dept }] }));
    const order: number[] = [];
    for (let i = 0; i < 4; i++) {
      clock.advance(10);
      const chat = await makeVisitorChat(server, dept);
      await eventually(() => agents.some((a) => a.offers.some((o) => o.conversationId === chat.conversationId)), 3000, 'an offer');
      const agent = agents.find((a) => a.offers.some((o) => o.conversationId === chat.conversationId))!;
      order.push(agents.indexOf(agent));
      await accept(agent, chat.conversationId);
    }
    assert.deepEqual(order, [0, 1, 2, 0]);
  });

  it('never puts an agent over capacity, and offers the next chat when one ends', async () => {
    const dept = await makeDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], maxChats: 2 });
    const chats = [];
    for (let i = 0; i < 3; i++) {
      clock.advance(10);
      const chat = await makeVisitorChat(server, dept);
      chats.push(chat);
      if (i < 2) {
        await eventually(() => agent.offers.some((o) => o.conversationId === chat.conversationId), 3000, `offer ${i}`);
        await accept(agent, chat.conversationId);
      }
    }
    assert.deepEqual(await decided(chats[2]!.conversationId), waiting, 'the third chat waits: the agent is at capacity');
    assert.equal(agent.offers.length, 2);
    const third = agent.nextOffer();
    expectOk(await ask(agent.socket, 'conversation:close', { conversationId: chats[0]!.conversationId }));
    assert.equal((await third).conversationId, chats[2]!.conversationId);
  });

  it('per-department capacity overrides the global maximum', async () => {
    const dept = await makeDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept, maxChats: 1 }], maxChats: 5 });
    const first = await makeVisitorChat(server, dept);
    await eventually(() => agent.offers.length === 1, 3000, 'first offer');
    await accept(agent, first.conversationId);
    const second = await makeVisitorChat(server, dept);
    assert.deepEqual(await decided(second.conversationId), waiting, 'one chat is the department maximum');
    assert.equal(agent.offers.length, 1);
  });

  it('serves the oldest waiting chat first when capacity frees up', async () => {
    const dept = await makeDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], maxChats: 1 });
    const busy = await makeVisitorChat(server, dept);
    await eventually(() => agent.offers.length === 1, 3000, 'first offer');
    await accept(agent, busy.conversationId);
    const waiting = [];
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      waiting.push(await makeVisitorChat(server, dept, { name: `Wartend ${i}` }));
    }
    assert.deepEqual(waiting.map((w) => w.queue?.position), [1, 2, 3]);
    const next = agent.nextOffer();
    expectOk(await ask(agent.socket, 'conversation:close', { conversationId: busy.conversationId }));
    assert.equal((await next).conversationId, waiting[0]!.conversationId);
  });

  it('widens to L2 agents only after the configured wait', async () => {
    const dept = await makeDepartment(server, { widenToL2AfterSeconds: 60, widenToL3AfterSeconds: 600 });
    const l2 = await makeAgent(server, { memberships: [{ departmentId: dept, level: 'L2' }] });
    const chat = await makeVisitorChat(server, dept);
    clock.advance(59_000);
    assert.deepEqual(await decided(chat.conversationId), waiting, 'L1 only during the first minute');
    const offer = l2.nextOffer();
    clock.advance(2000);
    await tick();
    assert.equal((await offer).conversationId, chat.conversationId);
  });

  it('widens to the fallback language after the configured wait', async () => {
    const dept = await makeDepartment(server, { fallbackLanguage: 'en', fallbackLanguageAfterSeconds: 30 }, ['de', 'en', 'fr']);
    const englishOnly = await makeAgent(server, { memberships: [{ departmentId: dept }], languages: ['en'] });
    const chat = await makeVisitorChat(server, dept, { language: 'fr', text: 'Bonjour' });
    assert.equal(chat.queue?.agentsAvailable, 0, 'nobody speaks French yet');
    clock.advance(29_000);
    assert.deepEqual(await decided(chat.conversationId), waiting, 'French only during the first 30 s');
    const offer = englishOnly.nextOffer();
    clock.advance(2000);
    await tick();
    assert.equal((await offer).conversationId, chat.conversationId);
  });

  it('passes an unanswered offer to the next agent and sets the first one away', async () => {
    const dept = await makeDepartment(server, { offerTimeoutSeconds: 20 });
    const a = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    clock.advance(1000);
    const b = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const offerA = a.nextOffer();
    const chat = await makeVisitorChat(server, dept);
    await offerA;
    const revoked = nextEvent<OfferRevoked>(a.socket, 'offer:revoked');
    const away = nextEvent<Presence>(a.socket, 'presence:changed');
    const offerB = b.nextOffer();
    clock.advance(21_000);
    await tick();
    assert.deepEqual(await revoked, { conversationId: chat.conversationId, reason: 'timeout' });
    assert.equal((await offerB).conversationId, chat.conversationId);
    const presence = await away;
    assert.equal(presence.status, 'away');
    assert.equal(presence.reason, 'missed_offer');
    const late = await ask(a.socket, 'offer:accept', { conversationId: chat.conversationId });
    assert.equal(!late.ok && late.error.code, 'CONFLICT', 'a revoked offer cannot be accepted');
  });

  it('passes a declined chat to the next agent', async () => {
    const dept = await makeDepartment(server);
    const a = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    clock.advance(1000);
    const b = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const offerA = a.nextOffer();
    const chat = await makeVisitorChat(server, dept);
    await offerA;
    const offerB = b.nextOffer();
    expectOk(await ask(a.socket, 'offer:decline', { conversationId: chat.conversationId }));
    assert.equal((await offerB).conversationId, chat.conversationId);
  });

  it('auto-accept: the chat is assigned without asking, and the visitor is told who answers', async () => {
    const dept = await makeDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], autoAccept: true });
    const assigned = nextEvent<AgentConversation>(agent.socket, 'conversation:assigned');
    const chat = await makeVisitorChat(server, dept);
    const updated = nextEvent<Conversation>(chat.socket, 'conversation:updated');
    const joinedNotice = nextEvent<Message>(chat.socket, 'message:sent');
    assert.equal((await assigned).id, chat.conversationId);
    assert.equal(agent.offers.length, 0);
    const conversation = await updated;
    assert.equal(conversation.status, 'active');
    assert.equal(conversation.agentName, agent.user.name);
    assert.match((await joinedNotice).body, new RegExp(`Sie sprechen jetzt mit ${agent.user.name}`));
  });
});

describeEachTarget('presence: several tabs, reconnect grace, requeue', ({ db, redis }) => {
  let server: TestServer;
  const clock = new TestClock();
  before(async () => {
    server = await startTestServer({ db, redis, clock, env: { PRESENCE_GRACE_SECONDS: '30' } });
  });
  after(() => server.close());
  afterEach(closeAllSockets);
  const tick = () => server.zentrale.engine.tick();
  /** The server has seen the agent's last console go (observed in the routing state, not waited for). */
  const disconnected = (agent: TestAgent) =>
    eventually(async () => (await server.zentrale.engine.store.agent(agent.user.id)).connections.length === 0, 5000, `agent ${agent.user.id} disconnected`);

  it('a reload within the grace period keeps the agent and their chats', async () => {
    const dept = await makeDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const chat = await makeVisitorChat(server, dept);
    await eventually(() => agent.offers.length === 1, 3000, 'offer');
    await accept(agent, chat.conversationId);
    agent.socket.close();
    clock.advance(10_000);
    await tick();
    const again = await connectAgent(server.baseUrl, agent.cookie);
    const list = expectOk(await ask(again, 'conversation:list', {}));
    assert.deepEqual(list.conversations.map((c) => c.id), [chat.conversationId]);
    assert.equal(expectOk(await ask(again, 'presence:get', {})).status, 'available');
    clock.advance(60_000);
    await tick();
    assert.equal(expectOk(await ask(again, 'presence:get', {})).status, 'available', 'reconnected: no expiry');
  });

  it('after the grace period the agent is offline and their chats return to the queue', async () => {
    const dept = await makeDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const supervisor = await makeAgent(server, { memberships: [], role: 'supervisor', available: false });
    const chat = await makeVisitorChat(server, dept);
    await eventually(() => agent.offers.length === 1, 3000, 'offer');
    const joined = nextEvent<Message>(chat.socket, 'message:sent');
    await accept(agent, chat.conversationId);
    // The "agent joined" line first, so that the next message the visitor gets is the requeue notice.
    await joined;
    const notice = nextEvent<Message>(chat.socket, 'message:sent');
    const offline = new Promise<Presence>((resolve) => {
      supervisor.socket.on('presence:changed', (p) => {
        if (p.agentId === agent.user.id && p.status === 'offline') resolve(p);
      });
    });
    agent.socket.close();
    await disconnected(agent);
    clock.advance(31_000);
    await tick();
    assert.equal((await offline).agentId, agent.user.id);
    assert.match((await notice).body, /nächsten freien/);
    const row = await server.zentrale.db.models.Conversation.findByPk(chat.conversationId);
    assert.equal(row?.status, 'queued');
    assert.equal(row?.assignedAgentId, null);
    const replacement = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    await eventually(() => replacement.offers.some((o) => o.conversationId === chat.conversationId), 3000, 'requeued offer');
  });

  it('sends no offers to an agent whose consoles are all disconnected: a connected colleague gets the chat', async () => {
    const dept = await makeDepartment(server);
    const gone = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    clock.advance(1000);
    const present = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    // Both available and idle; the one about to disconnect has waited longer, so routing would pick them first.
    gone.socket.close();
    await disconnected(gone);
    const offered = present.nextOffer();
    const chat = await makeVisitorChat(server, dept);
    assert.equal((await offered).conversationId, chat.conversationId);
    assert.equal((await server.zentrale.engine.store.route(chat.conversationId))?.agentId, present.user.id);
    const runtime = await server.zentrale.engine.store.agent(gone.user.id);
    assert.equal(runtime.offer, null);
    assert.equal(runtime.status, 'available', 'still within the reconnect grace');
  });
});

describeEachTarget('queue position and wait estimate', ({ db, redis }) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ db, redis, env: { DEFAULT_HANDLE_SECONDS: '240' } });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  it('says honestly that nobody is available', async () => {
    const dept = await makeDepartment(server);
    const chat = await makeVisitorChat(server, dept);
    assert.deepEqual(chat.queue, { conversationId: chat.conversationId, position: 1, estimatedWaitSeconds: null, agentsAvailable: 0 });
  });

  it('estimates from real capacity and handle time, and updates positions live', async () => {
    const dept = await makeDepartment(server, { wrapUpSeconds: 60 });
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], maxChats: 2 });
    const served = [];
    for (let i = 0; i < 2; i++) {
      const chat = await makeVisitorChat(server, dept);
      await eventually(() => agent.offers.some((o) => o.conversationId === chat.conversationId), 3000, 'offer');
      await accept(agent, chat.conversationId);
      served.push(chat);
    }
    const first = await makeVisitorChat(server, dept);
    const second = await makeVisitorChat(server, dept);
    // 2 slots, both busy; a slot frees every (240 s handle + 60 s wrap-up) / 2 slots = 150 s.
    assert.equal(first.queue?.position, 1);
    assert.equal(first.queue?.estimatedWaitSeconds, 150);
    assert.equal(second.queue?.position, 2);
    assert.equal(second.queue?.estimatedWaitSeconds, 300);
    assert.equal(second.queue?.agentsAvailable, 1);

    // Pushes are coalesced: an earlier one (position 2) may still arrive; wait for the move.
    const moved = new Promise<QueueStatus>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no queue:updated with position 1')), 5000);
      second.socket.on('queue:updated', (status) => {
        if (status.position !== 1) return;
        clearTimeout(timer);
        resolve(status);
      });
    });
    expectOk(await ask(first.socket, 'conversation:end', { conversationId: first.conversationId }));
    const status = await moved;
    assert.equal(status.position, 1);
    assert.equal(status.estimatedWaitSeconds, 150);
  });

  it('a waiting visitor hears when an agent who could serve them goes away and comes back', async () => {
    const dept = await makeDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], maxChats: 1 });
    const served = await makeVisitorChat(server, dept);
    await eventually(() => agent.offers.length === 1, 3000, 'offer');
    await accept(agent, served.conversationId);
    const waiting = await makeVisitorChat(server, dept);
    assert.deepEqual([waiting.queue?.agentsAvailable, waiting.queue?.estimatedWaitSeconds], [1, 240]);
    const gone = eventWhere<QueueStatus>(waiting.socket, 'queue:updated', (q) => q.agentsAvailable === 0, 5000);
    expectOk(await ask(agent.socket, 'presence:set', { status: 'away', reason: 'break' }));
    assert.equal((await gone).estimatedWaitSeconds, null, 'nobody who could serve is available');
    const back = eventWhere<QueueStatus>(waiting.socket, 'queue:updated', (q) => q.agentsAvailable === 1, 5000);
    expectOk(await ask(agent.socket, 'presence:set', { status: 'available' }));
    assert.equal((await back).estimatedWaitSeconds, 240);
  });
});

describeEachTarget('routing under concurrency', ({ db, redis }) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ db, redis, env: { SOCKET_EVENTS_PER_10S: '100000' } });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  it('hundreds of simultaneous requests and status changes: no double offer, nobody over capacity, all served', async function () {
    this.timeout(90_000);
    const dept = await makeDepartment(server);
    const capacity = 3;
    const agents = await Promise.all(Array.from({ length: 12 }, () => makeAgent(server, { memberships: [{ departmentId: dept }], maxChats: capacity })));
    const holder = new Map<string, number>();
    const active = new Map<number, Set<string>>(agents.map((a) => [a.user.id, new Set()]));
    let doubleOffers = 0;
    let overCapacity = 0;
    const served = new Set<string>();

    for (const agent of agents) {
      agent.socket.on('offer:received', (offer) => {
        const current = holder.get(offer.conversationId);
        if (current !== undefined && current !== agent.user.id) doubleOffers++;
        holder.set(offer.conversationId, agent.user.id);
        void (async () => {
          const ack = await ask(agent.socket, 'offer:accept', { conversationId: offer.conversationId });
          holder.delete(offer.conversationId);
          if (!ack.ok) return; // e.g. revoked meanwhile: routing offers it again
          const mine = active.get(agent.user.id)!;
          mine.add(offer.conversationId);
          if (mine.size > capacity) overCapacity++;
          await sleep(5 + Math.random() * 20);
          mine.delete(offer.conversationId);
          served.add(offer.conversationId);
          await ask(agent.socket, 'conversation:close', { conversationId: offer.conversationId });
        })();
      });
    }
    // Agents flap between away and available while the requests arrive.
    const flapping = (async () => {
      for (let round = 0; round < 20; round++) {
        const agent = agents[round % agents.length]!;
        await ask(agent.socket, 'presence:set', { status: 'away', reason: 'break' });
        await sleep(10);
        await ask(agent.socket, 'presence:set', { status: 'available' });
      }
    })();
    const visitors = await Promise.all(Array.from({ length: 300 }, (_, i) => makeVisitorChat(server, dept, { name: `Besucher ${i}` })));
    await flapping;
    await eventually(() => served.size === visitors.length, 60_000, `all ${visitors.length} chats served (served ${served.size})`);
    assert.equal(doubleOffers, 0, 'a chat was offered to two agents at once');
    assert.equal(overCapacity, 0, 'an agent went over capacity');
    const stillQueued = await server.zentrale.db.models.Conversation.count({ where: { departmentId: dept, status: 'queued' } });
    assert.equal(stillQueued, 0);
  });
});
