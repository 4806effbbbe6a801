import assert from 'node:assert/strict';
import type { Ack } from '../../../shared/ack.js';
import type { Conversation, Message } from '../../../shared/schemas/chat.js';
import type { ConversationEvent } from '../../../shared/schemas/timeline.js';
import type { ConsultMessage, Transfer } from '../../../shared/schemas/transfer.js';
import { clientId, eventually, makeAgent, makeDepartment } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectVisitor, emitRaw, expectOk, fence, nextEvent, request } from '../../support/clients.js';
import { describeEachTarget } from '../../support/dbTargets.js';
import { startTestServer, TestClock, type TestServer } from '../../support/server.js';
import { collect, messageMatching, requestTransfer, servedChat, transferUpdate } from './helpers.js';

describeEachTarget('warm transfer between agents', ({ db, redis }) => {
  let server: TestServer;
  const clock = new TestClock();
  before(async () => {
    server = await startTestServer({ db, redis, clock, env: { TRANSFER_TIMEOUT_SECONDS: '45', PRESENCE_GRACE_SECONDS: '30' } });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  const store = () => server.zentrale.engine.store;
  const conversationRow = (id: string) => server.zentrale.db.models.Conversation.findByPk(id);

  /** A department with agent A serving a visitor, and colleague B available. */
  async function team(opts: { language?: string; wrapUpSeconds?: number } = {}) {
    const dept = await makeDepartment(server, { wrapUpSeconds: opts.wrapUpSeconds ?? 30 });
    const a = await makeAgent(server, { memberships: [{ departmentId: dept }], maxChats: 2 });
    const b = await makeAgent(server, { memberships: [{ departmentId: dept }], maxChats: 2, available: false });
    const chat = await servedChat(server, dept, a, { name: 'Erika Muster', text: 'Mein Router blinkt rot.', language: opts.language ?? 'de' });
    await b.setStatus('available');
    return { dept, a, b, chat };
  }

  it('accepted: B first sees history, visitor and note; then chat, capacity and rooms move together', async () => {
    const { dept, a, b, chat } = await team();
    const conversationId = chat.conversationId;

    const candidates = expectOk(await ask(a.socket, 'transfer:candidates', { conversationId }));
    const forB = candidates.agents.find((c) => c.agentId === b.user.id)!;
    assert.deepEqual(
      { refusal: forB.refusal, status: forB.status, load: forB.load, capacity: forB.capacity, levels: forB.levels, languages: forB.languages },
      { refusal: null, status: 'available', load: 0, capacity: 2, levels: [{ departmentId: dept, level: 'L1' }], languages: ['de', 'en'] },
    );
    assert.ok(!candidates.agents.some((c) => c.agentId === a.user.id), 'not oneself');

    const incoming = transferUpdate(b.socket, 'pending');
    const pleaseWait = messageMatching(chat.socket, new RegExp(`${a.user.name} verbindet Sie mit einer Kollegin oder einem Kollegen`));
    const requested = expectOk(await requestTransfer(a.socket, conversationId, { type: 'agent', agentId: b.user.id }, { note: 'Router neu gestartet, blinkt weiter rot.' }));
    assert.equal(requested.transfer.status, 'pending');
    assert.equal(Date.parse(requested.transfer.expiresAt!) - Date.parse(requested.transfer.createdAt), 45_000, 'TRANSFER_TIMEOUT_SECONDS');
    const offered = await incoming;
    assert.equal(offered.id, requested.transfer.id);
    assert.equal(offered.note, 'Router neu gestartet, blinkt weiter rot.');
    assert.equal(offered.fromAgentName, a.user.name);
    assert.equal(offered.visitorName, 'Erika Muster');
    await pleaseWait;
    assert.deepEqual((await store().agent(b.user.id)).reserved, [conversationId], 'a slot is held for the chat');

    const detail = expectOk(await ask(b.socket, 'transfer:get', { transferId: offered.id }));
    assert.equal(detail.conversation.conversation.visitor.name, 'Erika Muster');
    assert.ok(detail.conversation.messages.some((m) => m.body === 'Mein Router blinkt rot.'), 'the full history');
    assert.equal(detail.transfer.note, 'Router neu gestartet, blinkt weiter rot.');

    // While deciding, B follows the conversation live, and A and B can talk privately.
    const live = messageMatching(b.socket, /Hallo\? Noch da\?/);
    expectOk(await ask(chat.socket, 'message:send', { conversationId, clientId: clientId(), text: 'Hallo? Noch da?' }));
    await live;
    const consultToA = nextEvent<ConsultMessage>(a.socket, 'consult:sent');
    expectOk(await ask(b.socket, 'consult:send', { transferId: offered.id, clientId: clientId(), text: 'Welches Modell hat sie?' }));
    assert.equal((await consultToA).body, 'Welches Modell hat sie?');

    const acceptedForA = transferUpdate(a.socket, 'accepted');
    const visitorUpdated = nextEvent<Conversation>(chat.socket, 'conversation:updated');
    const joined = messageMatching(chat.socket, new RegExp(`Sie sprechen jetzt mit ${b.user.name}\\.`));
    const handed = expectOk(await ask(b.socket, 'transfer:accept', { transferId: offered.id }));
    assert.equal(handed.conversation.assignedAgentId, b.user.id);
    assert.ok(handed.messages.some((m) => m.body === 'Hallo? Noch da?'));
    assert.equal((await acceptedForA).toAgentId, b.user.id);
    assert.equal((await visitorUpdated).agentName, b.user.name);
    await joined;

    const row = await conversationRow(conversationId);
    assert.deepEqual([row?.status, row?.assignedAgentId], ['active', b.user.id]);
    const stateA = await store().agent(a.user.id);
    assert.deepEqual(stateA.active, []);
    assert.deepEqual(stateA.wrapUps.map((w) => w.conversationId), [conversationId], 'A is released into wrap-up');
    const stateB = await store().agent(b.user.id);
    assert.deepEqual([stateB.active, stateB.reserved], [[conversationId], []]);
    assert.deepEqual(expectOk(await ask(a.socket, 'conversation:list', {})).conversations.map((c) => c.id), []);
    assert.deepEqual(expectOk(await ask(b.socket, 'conversation:list', {})).conversations.map((c) => c.id), [conversationId]);

    // From now on the visitor talks to B; A can no longer write and no longer follows.
    const late = await ask(a.socket, 'message:send', { conversationId, clientId: clientId(), text: 'zu spät' });
    assert.equal(!late.ok && late.error.code, 'NOT_FOUND', 'no longer A\'s chat');
    await fence(a.socket); // what was sent to A before now is in; collect only what comes after
    const seenByA = collect<Message>(a.socket, 'message:sent');
    const toB = messageMatching(b.socket, /^Danke!$/);
    expectOk(await ask(chat.socket, 'message:send', { conversationId, clientId: clientId(), text: 'Danke!' }));
    await toB;
    const toVisitor = messageMatching(chat.socket, /Ich übernehme gern/);
    expectOk(await ask(b.socket, 'message:send', { conversationId, clientId: clientId(), text: 'Ich übernehme gern.' }));
    await toVisitor;
    await fence(a.socket); // B's message was delivered: had A still followed, it would be ahead of this
    assert.deepEqual(seenByA.map((m) => m.body), []);

    const timeline = await request<{ events: ConversationEvent[] }>(server.baseUrl, 'GET', `/api/conversations/${conversationId}/events`, { cookie: b.cookie });
    assert.equal(timeline.status, 200);
    const types = timeline.body.ok ? timeline.body.data.events.map((e) => e.type) : [];
    assert.deepEqual(types, ['queued', 'offered', 'accepted', 'transfer_requested', 'transfer_accepted']);
    const requestedEvent = timeline.body.ok ? timeline.body.data.events[3]! : null;
    assert.deepEqual([requestedEvent?.actor.name, requestedEvent?.data?.toAgentId], [a.user.name, b.user.id]);
    const stranger = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    assert.equal((await request(server.baseUrl, 'GET', `/api/conversations/${conversationId}/events`, { cookie: stranger.cookie })).status, 404);
  });

  it('tells an English-speaking visitor in English', async () => {
    const { a, b, chat } = await team({ language: 'en' });
    const pleaseWait = messageMatching(chat.socket, new RegExp(`${a.user.name} is connecting you with a colleague`));
    const transfer = expectOk(await requestTransfer(a.socket, chat.conversationId, { type: 'agent', agentId: b.user.id })).transfer;
    await pleaseWait;
    const joined = messageMatching(chat.socket, new RegExp(`You are now talking to ${b.user.name}\\.`));
    expectOk(await ask(b.socket, 'transfer:accept', { transferId: transfer.id }));
    await joined;
  });

  it('declined: A keeps the chat and is told why; the visitor hears that A stays', async () => {
    const { a, b, chat } = await team();
    const conversationId = chat.conversationId;
    const transfer = expectOk(await requestTransfer(a.socket, conversationId, { type: 'agent', agentId: b.user.id }, { note: 'Bitte übernehmen' })).transfer;
    const declinedForA = transferUpdate(a.socket, 'declined');
    const stays = messageMatching(chat.socket, new RegExp(`${a.user.name} ist weiterhin für Sie da\\.`));
    const declined = expectOk(await ask(b.socket, 'transfer:decline', { transferId: transfer.id, message: 'Bin gleich im Meeting.' }));
    assert.equal(declined.transfer.status, 'declined');
    const told = await declinedForA;
    assert.equal(told.declineMessage, 'Bin gleich im Meeting.');
    await stays;

    assert.equal((await conversationRow(conversationId))?.assignedAgentId, a.user.id);
    assert.deepEqual((await store().agent(a.user.id)).active, [conversationId]);
    assert.deepEqual((await store().agent(b.user.id)).reserved, []);
    expectOk(await ask(a.socket, 'message:send', { conversationId, clientId: clientId(), text: 'Ich bleibe bei Ihnen.' }));
    const late = await ask(b.socket, 'transfer:accept', { transferId: transfer.id });
    assert.equal(!late.ok && late.error.code, 'CONFLICT');

    await fence(b.socket);
    const seenByB = collect<Message>(b.socket, 'message:sent');
    const toA = messageMatching(a.socket, /Noch eine Frage/);
    expectOk(await ask(chat.socket, 'message:send', { conversationId, clientId: clientId(), text: 'Noch eine Frage' }));
    await toA;
    await fence(b.socket);
    assert.deepEqual(seenByB.map((m) => m.body), [], 'B stopped following');
    const events = await request<{ events: ConversationEvent[] }>(server.baseUrl, 'GET', `/api/conversations/${conversationId}/events`, { cookie: a.cookie });
    const last = events.body.ok ? events.body.data.events.at(-1) : null;
    assert.deepEqual([last?.type, last?.data?.message], ['transfer_declined', 'Bin gleich im Meeting.']);
  });

  it('timed out: after the configured time A keeps the chat; a late accept is refused', async () => {
    const { a, b, chat } = await team();
    const transfer = expectOk(await requestTransfer(a.socket, chat.conversationId, { type: 'agent', agentId: b.user.id })).transfer;
    clock.advance(44_000);
    await server.zentrale.transfers.tick();
    assert.deepEqual(expectOk(await ask(b.socket, 'transfer:list', {})).transfers.map((t) => [t.id, t.status]), [[transfer.id, 'pending']]);
    const expiredForA = transferUpdate(a.socket, 'expired');
    const expiredForB = transferUpdate(b.socket, 'expired');
    const stays = messageMatching(chat.socket, /ist weiterhin für Sie da/);
    clock.advance(2000);
    await server.zentrale.transfers.tick();
    await expiredForA;
    await expiredForB;
    await stays;
    const late = await ask(b.socket, 'transfer:accept', { transferId: transfer.id });
    assert.equal(!late.ok && late.error.code, 'CONFLICT');
    assert.equal((await conversationRow(chat.conversationId))?.assignedAgentId, a.user.id);
    assert.deepEqual((await store().agent(b.user.id)).reserved, []);
    assert.deepEqual(expectOk(await ask(b.socket, 'transfer:list', {})).transfers, []);
  });

  it('refused with a clear reason: offline, away, not connected, at capacity (a supervisor may force), one at a time', async () => {
    const { dept, a, b, chat } = await team();
    const conversationId = chat.conversationId;
    const to = (agentId: number, extra: { force?: boolean; clientId?: string } = {}) => requestTransfer(a.socket, conversationId, { type: 'agent', agentId }, extra);
    const reasonOf = (ack: Ack<unknown>) => (ack.ok ? 'ok' : `${ack.error.code}:${ack.error.reason ?? ''}`);

    const neverSignedIn = await server.createUser();
    assert.equal(reasonOf(await to(neverSignedIn.id)), 'CONFLICT:offline');
    const away = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    await away.setStatus('away');
    assert.equal(reasonOf(await to(away.user.id)), 'CONFLICT:away');
    const gone = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    gone.socket.close();
    await eventually(async () => (await server.zentrale.engine.store.agent(gone.user.id)).connections.length === 0, 3000, 'the server saw the console close');
    assert.equal(reasonOf(await to(gone.user.id)), 'CONFLICT:not_connected');
    const other = await makeDepartment(server);
    const full = await makeAgent(server, { memberships: [{ departmentId: other }], maxChats: 1 });
    await servedChat(server, other, full);
    assert.equal(reasonOf(await to(full.user.id)), 'CONFLICT:at_capacity');
    assert.equal(reasonOf(await to(full.user.id, { force: true })), 'FORBIDDEN:', 'only supervisors force');
    assert.equal(reasonOf(await to(a.user.id)), 'CONFLICT:same_agent');
    assert.equal(reasonOf(await to(999_999)), 'NOT_FOUND:');
    const notHers = await requestTransfer(b.socket, conversationId, { type: 'agent', agentId: full.user.id });
    assert.equal(reasonOf(notHers), 'NOT_FOUND:', 'somebody else\'s chat');

    const once = clientId();
    const first = expectOk(await to(b.user.id, { clientId: once }));
    const retry = expectOk(await to(b.user.id, { clientId: once }));
    assert.equal(retry.transfer.id, first.transfer.id, 'a retry is the same request');
    assert.equal(reasonOf(await to(away.user.id)), 'CONFLICT:pending');
    const stranger = await ask(full.socket, 'consult:send', { transferId: first.transfer.id, clientId: clientId(), text: 'hallo' });
    assert.equal(reasonOf(stranger), 'NOT_FOUND:');

    const withdrawn = transferUpdate(b.socket, 'cancelled');
    const cancelled = expectOk(await ask(a.socket, 'transfer:cancel', { transferId: first.transfer.id }));
    assert.equal(cancelled.transfer.cancelCause, 'withdrawn');
    assert.equal((await withdrawn).cancelCause, 'withdrawn');
    assert.deepEqual((await store().agent(b.user.id)).reserved, []);

    // A supervisor serving a chat may hand it to a colleague who is full.
    const supervisorDept = await makeDepartment(server);
    const supervisor = await makeAgent(server, { memberships: [{ departmentId: supervisorDept }], role: 'supervisor' });
    const supervised = await servedChat(server, supervisorDept, supervisor);
    const forced = expectOk(await requestTransfer(supervisor.socket, supervised.conversationId, { type: 'agent', agentId: full.user.id }, { force: true }));
    assert.equal(forced.transfer.forced, true);
    expectOk(await ask(full.socket, 'transfer:accept', { transferId: forced.transfer.id }));
    assert.equal((await store().agent(full.user.id)).active.length, 2, 'over capacity on the supervisor\'s word');
  });

  it('ends by itself when the visitor leaves or the colleague goes offline', async () => {
    const { a, b, chat } = await team();
    const first = expectOk(await requestTransfer(a.socket, chat.conversationId, { type: 'agent', agentId: b.user.id })).transfer;
    const closed = transferUpdate(b.socket, 'cancelled');
    expectOk(await ask(chat.socket, 'conversation:end', { conversationId: chat.conversationId }));
    await server.zentrale.transfers.tick();
    const ended = await closed;
    assert.deepEqual([ended.id, ended.cancelCause], [first.id, 'conversation_closed']);
    assert.deepEqual((await store().agent(b.user.id)).reserved, []);

    const { a: a2, b: b2, chat: chat2 } = await team();
    const second = expectOk(await requestTransfer(a2.socket, chat2.conversationId, { type: 'agent', agentId: b2.user.id })).transfer;
    const dropped = transferUpdate(a2.socket, 'cancelled', 10_000);
    b2.socket.close();
    await eventually(async () => (await server.zentrale.engine.store.agent(b2.user.id)).connections.length === 0, 3000, 'the server saw the console close');
    clock.advance(31_000);
    await server.zentrale.engine.tick();
    await server.zentrale.transfers.tick();
    clock.advance(5000);
    await server.zentrale.transfers.tick();
    const unavailable = await dropped;
    assert.deepEqual([unavailable.id, unavailable.cancelCause], [second.id, 'colleague_unavailable']);
    assert.equal((await conversationRow(chat2.conversationId))?.assignedAgentId, a2.user.id);
  });

  it('the handover note and the consult thread never reach the visitor', async () => {
    const { a, b, chat } = await team();
    const conversationId = chat.conversationId;
    const leaks: string[] = [];
    chat.socket.onAny((event: string, ...args: unknown[]) => {
      const text = JSON.stringify(args);
      if (text.includes('GEHEIM')) leaks.push(`${event}: ${text}`);
    });
    const transfer = expectOk(await requestTransfer(a.socket, conversationId, { type: 'agent', agentId: b.user.id }, { note: 'GEHEIM-NOTIZ: Kundin ist verärgert' })).transfer;
    expectOk(await ask(a.socket, 'consult:send', { transferId: transfer.id, clientId: clientId(), text: 'GEHEIM-CONSULT-1' }));
    expectOk(await ask(b.socket, 'consult:send', { transferId: transfer.id, clientId: clientId(), text: 'GEHEIM-CONSULT-2' }));
    expectOk(await ask(a.socket, 'note:add', { conversationId, clientId: clientId(), text: 'GEHEIM-INTERN' }));
    expectOk(await ask(b.socket, 'transfer:accept', { transferId: transfer.id }));
    expectOk(await ask(a.socket, 'consult:send', { transferId: transfer.id, clientId: clientId(), text: 'GEHEIM-CONSULT-3 nach der Übergabe' }));
    expectOk(await ask(b.socket, 'message:send', { conversationId, clientId: clientId(), text: 'Sichtbar für die Kundin' }));
    await messageMatching(chat.socket, /Sichtbar für die Kundin/);
    await fence(chat.socket);
    assert.deepEqual(leaks, []);

    const again = await connectVisitor(server.baseUrl, chat.token);
    const resumed = expectOk(await ask(again, 'conversation:resume', {}));
    const synced = expectOk(await ask(again, 'conversation:sync', { conversationId, afterId: 0 }));
    for (const m of [...resumed.messages, ...synced.messages]) assert.ok(!m.body.includes('GEHEIM') && !m.internal, m.body);
    assert.ok(resumed.messages.some((m) => m.body === 'Sichtbar für die Kundin'));
    const probe = await emitRaw(again, 'transfer:get', { transferId: transfer.id });
    assert.equal(!probe.ok && probe.error.code, 'UNKNOWN_EVENT', 'visitors have no transfer events');

    const thread = expectOk(await ask(b.socket, 'transfer:get', { transferId: transfer.id })).consult.map((m) => m.body);
    assert.deepEqual(thread, ['GEHEIM-CONSULT-1', 'GEHEIM-CONSULT-2', 'GEHEIM-CONSULT-3 nach der Übergabe']);
    const everything = expectOk(await ask(b.socket, 'transfer:list', { conversationId })).transfers;
    assert.deepEqual(everything.map((t: Transfer) => [t.id, t.status]), [[transfer.id, 'accepted']]);
  });
});
