import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import type { AgentConversation, Conversation, Message, MessagesRead, TypingChanged } from '../../../shared/schemas/chat.js';
import type { AgentState } from '../../../shared/schemas/routing.js';
import { accept, clientId, eventually, makeAgent, makeDepartment, makeVisitorChat, type TestAgent, type TestVisitor } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectAgent, emitRaw, expectOk, login, nextEvent, noEvent, fence, request } from '../../support/clients.js';
import { describeEachTarget } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describeEachTarget('live chat between visitor and agent', ({ db, redis }) => {
  let server: TestServer;
  let dept: number;
  before(async () => {
    server = await startTestServer({ db, redis });
    dept = await makeDepartment(server);
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  /** A visitor chat accepted by a fresh agent. */
  async function connected(opts: { customerNumber?: string } = {}): Promise<{ agent: TestAgent; visitor: TestVisitor }> {
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const visitor = await makeVisitorChat(server, dept, { name: 'Erika Muster' });
    if (opts.customerNumber) {
      await server.zentrale.db.models.Conversation.update({ customerNumber: opts.customerNumber }, { where: { id: visitor.conversationId } });
    }
    await eventually(() => agent.offers.some((o) => o.conversationId === visitor.conversationId), 3000, 'offer');
    await accept(agent, visitor.conversationId);
    await agent.setStatus('away'); // no further offers to this agent in later tests
    return { agent, visitor };
  }

  it('the offer shows the first message; accepting gives history and visitor context', async () => {
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const offer = agent.nextOffer();
    const visitor = await makeVisitorChat(server, dept, { name: 'Karl Kunde', text: 'Meine Rechnung stimmt nicht.' });
    const received = await offer;
    assert.equal(received.preview, 'Meine Rechnung stimmt nicht.');
    assert.equal(received.visitorName, 'Karl Kunde');
    const detail = await accept(agent, visitor.conversationId);
    assert.equal(detail.conversation.status, 'active');
    assert.equal(detail.conversation.assignedAgentId, agent.user.id);
    assert.equal(detail.conversation.visitor.name, 'Karl Kunde');
    assert.deepEqual(detail.messages.map((m) => m.senderType), ['visitor', 'system']);
    assert.deepEqual(detail.earlier, []);
    await agent.setStatus('away');
  });

  it('delivers messages both ways after the ack, each exactly once', async () => {
    const { agent, visitor } = await connected();
    const toAgent = nextEvent<Message>(agent.socket, 'message:sent');
    const fromVisitor = expectOk(await ask(visitor.socket, 'message:send', { conversationId: visitor.conversationId, clientId: clientId(), text: 'Hallo?' }));
    assert.equal((await toAgent).id, fromVisitor.message.id);
    const toVisitor = nextEvent<Message>(visitor.socket, 'message:sent');
    const reply = expectOk(await ask(agent.socket, 'message:send', { conversationId: visitor.conversationId, clientId: clientId(), text: 'Guten Tag, wie kann ich helfen?' }));
    const delivered = await toVisitor;
    assert.equal(delivered.id, reply.message.id);
    assert.equal(delivered.senderType, 'agent');
    assert.equal(delivered.senderName, agent.user.name);
    await noEvent(agent.socket, 'message:sent'); // the sender has it from the ack
  });

  it('internal notes reach agents only: never a visitor socket, sync or resume', async () => {
    const { agent, visitor } = await connected();
    const supervisorUser = await server.createUser({ role: 'supervisor' });
    const otherTab = await connectAgent(server.baseUrl, agent.cookie);
    await ask(otherTab, 'presence:get', {});
    await eventually(async () => (await server.zentrale.io.of('/agent').in(`conversation:${visitor.conversationId}`).fetchSockets()).length === 2, 3000, 'second tab joined');
    const noteSeen = nextEvent<Message>(otherTab, 'message:sent');
    let visitorSaw: unknown = null;
    visitor.socket.onAny((event, payload) => {
      if (JSON.stringify(payload ?? '').includes('Kunde wirkt verärgert')) visitorSaw = event;
    });
    const note = expectOk(await ask(agent.socket, 'note:add', { conversationId: visitor.conversationId, clientId: clientId(), text: 'Kunde wirkt verärgert, Kulanz prüfen' }));
    assert.equal(note.message.internal, true);
    assert.equal((await noteSeen).id, note.message.id);
    // The note reached the other tab, so its deliveries ran: anything sent to the visitor is ahead of this round trip.
    await fence(visitor.socket);
    assert.equal(visitorSaw, null, 'the note reached a visitor socket');
    const sync = expectOk(await ask(visitor.socket, 'conversation:sync', { conversationId: visitor.conversationId, afterId: 0 }));
    assert.ok(sync.messages.every((m) => !m.internal && !m.body.includes('verärgert')));
    const resume = expectOk(await ask(visitor.socket, 'conversation:resume', {}));
    assert.ok(resume.messages.every((m) => !m.internal));
    const agentSync = expectOk(await ask(agent.socket, 'conversation:sync', { conversationId: visitor.conversationId, afterId: 0 }));
    assert.ok(agentSync.messages.some((m) => m.id === note.message.id));
    const supervisor = await connectAgent(server.baseUrl, await login(server.baseUrl, supervisorUser.email, supervisorUser.password));
    const viewed = expectOk(await ask(supervisor, 'conversation:get', { conversationId: visitor.conversationId }));
    assert.ok(viewed.messages.some((m) => m.id === note.message.id), 'supervisors see notes');
  });

  it("an agent cannot read or write a colleague's conversation; a supervisor can read it", async () => {
    const { visitor } = await connected();
    const colleague = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    for (const [event, payload] of [
      ['conversation:get', { conversationId: visitor.conversationId }],
      ['conversation:sync', { conversationId: visitor.conversationId, afterId: 0 }],
      ['message:send', { conversationId: visitor.conversationId, clientId: clientId(), text: 'x' }],
      ['note:add', { conversationId: visitor.conversationId, clientId: clientId(), text: 'x' }],
      ['conversation:close', { conversationId: visitor.conversationId }],
      ['offer:accept', { conversationId: visitor.conversationId }],
    ] as const) {
      const ack = await emitRaw(colleague.socket, event, payload);
      assert.equal(ack.ok, false, event);
      assert.match(!ack.ok ? ack.error.code : '', /NOT_FOUND|CONFLICT/, event);
    }
    const snapshot = await ask(colleague.socket, 'supervisor:snapshot', {});
    assert.equal(!snapshot.ok && snapshot.error.code, 'FORBIDDEN');
  });

  it('typing is relayed both ways and never stored', async () => {
    const { agent, visitor } = await connected();
    const agentSees = nextEvent<TypingChanged>(agent.socket, 'typing:changed');
    // Volatile and without an ack, the way the widget sends it.
    (visitor.socket as unknown as Socket).volatile.emit('typing:set', { conversationId: visitor.conversationId, typing: true });
    assert.deepEqual(await agentSees, { conversationId: visitor.conversationId, by: 'visitor', typing: true });
    const visitorSees = nextEvent<TypingChanged>(visitor.socket, 'typing:changed');
    expectOk(await ask(agent.socket, 'typing:set', { conversationId: visitor.conversationId, typing: true }));
    assert.deepEqual(await visitorSees, { conversationId: visitor.conversationId, by: 'agent', typing: true });
    const stored = await server.zentrale.db.models.Message.count({ where: { conversationId: visitor.conversationId } });
    assert.equal(stored, 2, 'first message and the join notice only');
  });

  it('read receipts: each side learns what the other has read', async () => {
    const { agent, visitor } = await connected();
    const sent = expectOk(await ask(visitor.socket, 'message:send', { conversationId: visitor.conversationId, clientId: clientId(), text: 'Gelesen?' }));
    const visitorLearns = nextEvent<MessagesRead>(visitor.socket, 'messages:read');
    expectOk(await ask(agent.socket, 'message:read', { conversationId: visitor.conversationId, upToId: sent.message.id }));
    assert.deepEqual(await visitorLearns, { conversationId: visitor.conversationId, by: 'agent', upToId: sent.message.id });
    const reply = expectOk(await ask(agent.socket, 'message:send', { conversationId: visitor.conversationId, clientId: clientId(), text: 'Ja.' }));
    const agentLearns = nextEvent<MessagesRead>(agent.socket, 'messages:read');
    expectOk(await ask(visitor.socket, 'message:read', { conversationId: visitor.conversationId, upToId: reply.message.id }));
    assert.equal((await agentLearns).upToId, reply.message.id);
    // Marks only move forward.
    const back = expectOk(await ask(visitor.socket, 'message:read', { conversationId: visitor.conversationId, upToId: 1 }));
    assert.equal(back.upToId, reply.message.id);
    const resumed = expectOk(await ask(visitor.socket, 'conversation:resume', {}));
    assert.equal(resumed.conversation?.agentReadUpTo, sent.message.id);
  });

  it('the agent ends the chat: both sides are told, the slot is freed, writing stops', async () => {
    const { agent, visitor } = await connected();
    const visitorTold = nextEvent<Conversation>(visitor.socket, 'conversation:updated');
    const closed = expectOk(await ask(agent.socket, 'conversation:close', { conversationId: visitor.conversationId }));
    assert.equal(closed.conversation.status, 'closed');
    assert.equal(closed.conversation.closedBy, 'agent');
    assert.equal((await visitorTold).status, 'closed');
    const late = await ask(visitor.socket, 'message:send', { conversationId: visitor.conversationId, clientId: clientId(), text: 'noch was' });
    assert.equal(!late.ok && late.error.code, 'CONFLICT');
    const list = expectOk(await ask(agent.socket, 'conversation:list', {}));
    assert.ok(!list.conversations.some((c) => c.id === visitor.conversationId));
  });

  it('the visitor ends the chat and asks for the transcript', async () => {
    const { agent, visitor } = await connected();
    const agentTold = nextEvent<AgentConversation>(agent.socket, 'conversation:updated');
    const ended = expectOk(await ask(visitor.socket, 'conversation:end', { conversationId: visitor.conversationId }));
    assert.equal(ended.conversation.closedBy, 'visitor');
    assert.equal((await agentTold).status, 'closed');
    const noEmail = await ask(visitor.socket, 'transcript:request', { conversationId: visitor.conversationId });
    assert.equal(!noEmail.ok && noEmail.error.code, 'VALIDATION_FAILED');
    const requested = expectOk(await ask(visitor.socket, 'transcript:request', { conversationId: visitor.conversationId, email: 'erika@example.com' }));
    // This server has no SMTP settings: nothing is promised, nothing kept to send later.
    assert.deepEqual(requested, { requested: true, email: 'erika@example.com', mailQueued: false });
    const row = await server.zentrale.db.models.Conversation.findByPk(visitor.conversationId);
    assert.equal(row?.transcriptEmail, null);
  });

  it('a reconnecting agent gets the missed messages in order', async () => {
    const { agent, visitor } = await connected();
    const before = expectOk(await ask(agent.socket, 'conversation:get', { conversationId: visitor.conversationId }));
    const lastSeen = before.messages.at(-1)!.id;
    agent.socket.close();
    for (const text of ['eins', 'zwei', 'drei']) {
      expectOk(await ask(visitor.socket, 'message:send', { conversationId: visitor.conversationId, clientId: clientId(), text }));
    }
    const again = await connectAgent(server.baseUrl, agent.cookie);
    const missed = expectOk(await ask(again, 'conversation:sync', { conversationId: visitor.conversationId, afterId: lastSeen }));
    assert.deepEqual(missed.messages.map((m) => m.body), ['eins', 'zwei', 'drei']);
  });

  // Earlier conversations by customer number (only once confirmed): test/server/conversations/customerNumbers.test.ts.

  it('supervisors see every agent live: status, load and chats', async () => {
    const supervisorUser = await server.createUser({ role: 'supervisor' });
    const supervisor = await connectAgent(server.baseUrl, await login(server.baseUrl, supervisorUser.email, supervisorUser.password));
    await ask(supervisor, 'presence:get', {});
    const updates: AgentState[] = [];
    supervisor.on('agent:updated', (s) => updates.push(s));
    const { agent, visitor } = await connected();
    await eventually(() => updates.some((u) => u.agentId === agent.user.id && u.conversationIds.includes(visitor.conversationId)), 3000, 'agent:updated with the chat');
    const snapshot = expectOk(await ask(supervisor, 'supervisor:snapshot', {}));
    const state = snapshot.agents.find((a) => a.agentId === agent.user.id)!;
    assert.equal(state.load, 1);
    assert.equal(state.status, 'away');
    assert.equal(state.connected, true);
    assert.deepEqual(state.conversationIds, [visitor.conversationId]);
  });

  it('the queue list shows waiting chats of the agent’s departments only', async () => {
    const otherDept = await makeDepartment(server);
    const waitingHere = await makeVisitorChat(server, dept);
    const waitingThere = await makeVisitorChat(server, otherDept);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const { entries } = expectOk(await ask(agent.socket, 'queue:list', {}));
    assert.ok(entries.some((e) => e.conversationId === waitingHere.conversationId));
    assert.ok(!entries.some((e) => e.conversationId === waitingThere.conversationId));
    await request(server.baseUrl, 'GET', '/health');
  });
});
