import assert from 'node:assert/strict';
import type { Conversation } from '../../../shared/schemas/chat.js';
import type { PublicDepartment } from '../../../shared/schemas/departments.js';
import type { TicketCreated, WaitExceeded } from '../../../shared/schemas/tickets.js';
import type { ConversationEvent } from '../../../shared/schemas/timeline.js';
import { accept, clientId, eventually, makeAgent, makeDepartment } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, expectOk, nextEvent, noEvent, request } from '../../support/clients.js';
import { describeEachTarget } from '../../support/dbTargets.js';
import { TestClock, type TestServer } from '../../support/server.js';
import { closedToday, fallbackDepartment, newVisitor, ticketServer, type TicketVisitor } from './helpers.js';

const start = (v: TicketVisitor, departmentId: number, text = 'Hallo, mein Router blinkt rot.', id = clientId()) =>
  ask(v.socket, 'conversation:start', { clientId: id, departmentId, language: 'de', name: 'Erika', text });

describeEachTarget('offline fallback: when a chat becomes a ticket', ({ db, redis }) => {
  let server: TestServer;
  const clock = new TestClock();
  before(async () => {
    server = await ticketServer({ db, redis, clock, env: { PRESENCE_GRACE_SECONDS: '30' } });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  const timeline = async (conversationId: string, cookie: string) => {
    const res = await request<{ events: ConversationEvent[] }>(server.baseUrl, 'GET', `/api/conversations/${conversationId}/events`, { cookie });
    return res.body.ok ? res.body.data.events.map((e) => e.type) : [];
  };

  it('1. nobody online: the start itself becomes a ticket, the message stays in its thread', async () => {
    const dept = await fallbackDepartment(server);
    const supervisor = await makeAgent(server, { memberships: [], role: 'supervisor', available: false });
    const v = await newVisitor(server);
    const started = expectOk(await start(v, dept, 'Mein Router blinkt rot.'));
    assert.ok(started.ticket, 'the ack carries the ticket');
    assert.equal(started.ticket.source, 'nobody_online');
    assert.match(started.ticket.ticket.number, /^ZT-\d{4}-\d{6}$/);
    assert.match(started.ticket.trackingUrl, /\/ticket\/#[A-Za-z0-9_-]{43}$/);
    assert.equal(started.conversation.status, 'closed');
    assert.equal(started.queue, null);
    const thread = expectOk(await ask(v.socket, 'ticket:get', { ticketId: started.ticket.ticket.id }));
    assert.deepEqual(thread.messages.filter((m) => m.senderType === 'visitor').map((m) => m.body), ['Mein Router blinkt rot.']);
    assert.ok(thread.messages.some((m) => m.senderType === 'system' && m.body.includes(started.ticket!.ticket.number)), 'the visitor is told in the thread');
    assert.equal(await server.zentrale.engine.store.route(started.conversation.id), null, 'not in routing');
    assert.deepEqual(await timeline(started.conversation.id, supervisor.cookie), ['ticket_created', 'closed']);

    const again = expectOk(await start(v, dept, 'Mein Router blinkt rot.', started.message.clientId!));
    assert.deepEqual([again.ticket?.ticket.id, again.ticket?.duplicate, again.conversation.id], [started.ticket.ticket.id, true, started.conversation.id], 'a retried start returns the ticket');
  });

  it('1. nobody online here, but in the fallback department: the chat goes there', async () => {
    const fallback = await fallbackDepartment(server);
    const dept = await fallbackDepartment(server, {}, { fallbackDepartmentId: fallback });
    const agent = await makeAgent(server, { memberships: [{ departmentId: fallback }] });
    const v = await newVisitor(server);
    const started = expectOk(await start(v, dept));
    assert.equal(started.ticket, null);
    assert.equal(started.conversation.departmentId, fallback);
    const offer = await agent.offerFor(started.conversation.id);
    assert.equal(offer.departmentId, fallback);
  });

  it('2. department closed: a ticket at once, with the next opening; the public list says closed and when it opens', async () => {
    const dept = await fallbackDepartment(server, { offlineFallback: false }, { openingHours: closedToday(clock.now()) });
    const listed = await request<{ departments: PublicDepartment[] }>(server.baseUrl, 'GET', '/api/public/departments');
    const mine = listed.body.ok ? listed.body.data.departments.find((d) => d.id === dept) : undefined;
    assert.equal(mine?.openNow, false);
    assert.ok(mine?.nextOpeningAt);
    await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const v = await newVisitor(server);
    const started = expectOk(await start(v, dept));
    assert.equal(started.ticket?.source, 'department_closed');
    assert.equal(started.ticket?.nextOpeningAt, mine?.nextOpeningAt);
  });

  it('3. past the maximum wait the visitor is offered the choices; keep waiting asks again later; leave a message keeps the thread', async () => {
    const dept = await fallbackDepartment(server, { maxWaitSeconds: 120 });
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    await agent.setStatus('away');
    const v = await newVisitor(server);
    const started = expectOk(await start(v, dept, 'Wo bleibt meine Bestellung?'));
    assert.equal(started.ticket, null, 'an agent is online (on a break): the chat waits');
    await noEvent(v.socket, 'conversation:wait-exceeded');

    clock.advance(121_000);
    const offered = nextEvent<WaitExceeded>(v.socket, 'conversation:wait-exceeded');
    await server.zentrale.tickets.tick();
    const wait = await offered;
    assert.deepEqual([wait.conversationId, wait.maxWaitSeconds, wait.choices], [started.conversation.id, 120, ['keep_waiting', 'leave_message', 'callback']]);
    await server.zentrale.tickets.tick();
    await noEvent(v.socket, 'conversation:wait-exceeded');

    const kept = expectOk(await ask(v.socket, 'conversation:keep-waiting', { conversationId: started.conversation.id }));
    assert.ok(Math.abs(Date.parse(kept.nextChoiceAt) - (clock.now().getTime() + 120_000)) < 2000, 'another maximum wait from now');
    clock.advance(60_000);
    await server.zentrale.tickets.tick();
    await noEvent(v.socket, 'conversation:wait-exceeded');
    clock.advance(61_000);
    const again = nextEvent<WaitExceeded>(v.socket, 'conversation:wait-exceeded');
    await server.zentrale.tickets.tick();
    await again;

    const left = expectOk(await ask(v.socket, 'conversation:leave-message', { conversationId: started.conversation.id, clientId: clientId(), text: 'Bestellnummer 4711.' }));
    assert.equal(left.source, 'leave_message');
    const thread = expectOk(await ask(v.socket, 'ticket:get', { ticketId: left.ticket.id }));
    assert.deepEqual(thread.messages.filter((m) => m.senderType === 'visitor').map((m) => m.body), ['Wo bleibt meine Bestellung?', 'Bestellnummer 4711.']);
    assert.equal(await server.zentrale.engine.store.route(started.conversation.id), null);
  });

  it('3. … or asks for a callback from the waiting chat: a callback ticket with phone and preferred time', async () => {
    const dept = await fallbackDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    await agent.setStatus('away');
    const v = await newVisitor(server);
    const started = expectOk(await start(v, dept));
    const from = new Date(clock.now().getTime() + 3600_000).toISOString();
    const to = new Date(clock.now().getTime() + 7200_000).toISOString();
    const made = expectOk(
      await ask(v.socket, 'callback:request', { clientId: clientId(), conversationId: started.conversation.id, phone: '+49 30 1234567', preferredFrom: from, preferredTo: to }),
    );
    assert.equal(made.ticket.kind, 'callback');
    assert.deepEqual([made.ticket.callback?.phone, made.ticket.callback?.preferredFrom, made.ticket.callback?.preferredTo, made.ticket.callback?.calledBackAt], ['+49 30 1234567', from, to, null]);
    assert.equal(made.source, 'callback_request');
  });

  it('4. the last agent goes offline while visitors wait: their chats convert and they are told', async () => {
    const dept = await fallbackDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], maxChats: 1 });
    await agent.setStatus('away');
    const a = await newVisitor(server);
    const b = await newVisitor(server);
    const startedA = expectOk(await start(a, dept, 'Erste Frage'));
    const startedB = expectOk(await start(b, dept, 'Zweite Frage'));
    const toldA = nextEvent<TicketCreated>(a.socket, 'ticket:created', 5000);
    const toldB = nextEvent<TicketCreated>(b.socket, 'ticket:created', 5000);
    const closedA = nextEvent<Conversation>(a.socket, 'conversation:updated', 5000);
    await agent.setStatus('offline');
    await server.zentrale.tickets.tick();
    const [createdA, createdB] = await Promise.all([toldA, toldB]);
    assert.deepEqual([createdA.source, createdB.source], ['agents_offline', 'agents_offline']);
    assert.equal((await closedA).status, 'closed');
    assert.notEqual(createdA.ticket.number, createdB.ticket.number);
    assert.equal(createdA.ticket.conversationId, startedA.conversation.id);
    assert.equal(createdB.ticket.conversationId, startedB.conversation.id);
    assert.equal(await server.zentrale.engine.store.route(startedA.conversation.id), null);
  });

  it('4. … also when the serving agent’s reconnect grace runs out: the requeued chat converts', async () => {
    const dept = await fallbackDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const v = await newVisitor(server);
    const started = expectOk(await start(v, dept, 'Bitte helfen Sie mir.'));
    await eventually(() => agent.offers.some((o) => o.conversationId === started.conversation.id), 5000, 'the offer');
    await accept(agent, started.conversation.id);
    agent.socket.close();
    await eventually(async () => (await server.zentrale.engine.store.agent(agent.user.id)).connections.length === 0, 5000, 'the disconnect');
    clock.advance(31_000);
    const told = nextEvent<TicketCreated>(v.socket, 'ticket:created', 5000);
    await server.zentrale.engine.tick();
    await server.zentrale.tickets.tick();
    const created = await told;
    assert.equal(created.source, 'agents_offline');
    const thread = expectOk(await ask(v.socket, 'ticket:get', { ticketId: created.ticket.id }));
    assert.ok(thread.messages.some((m) => m.body === 'Bitte helfen Sie mir.'));
  });

  it('5. leave a message at any time, with or without a chat; retries are idempotent; a served chat cannot', async () => {
    const dept = await fallbackDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], maxChats: 1 });
    const v = await newVisitor(server);
    const id = clientId();
    const payload = { clientId: id, departmentId: dept, language: 'en', name: 'John', text: 'My invoice is wrong.' };
    const first = expectOk(await ask(v.socket, 'ticket:create', payload));
    const second = expectOk(await ask(v.socket, 'ticket:create', payload));
    assert.deepEqual([first.duplicate, second.duplicate, second.ticket.id, second.trackingUrl], [false, true, first.ticket.id, first.trackingUrl]);
    assert.equal(first.source, 'leave_message');

    const served = await newVisitor(server);
    const chat = expectOk(await start(served, dept));
    await eventually(() => agent.offers.some((o) => o.conversationId === chat.conversation.id), 5000, 'the offer');
    await accept(agent, chat.conversation.id);
    const refused = await ask(served.socket, 'conversation:leave-message', { conversationId: chat.conversation.id, clientId: clientId() });
    assert.equal(refused.ok ? 'ok' : `${refused.error.code}:${refused.error.reason}`, 'CONFLICT:being_served');

    const waiting = await newVisitor(server);
    const queued = expectOk(await start(waiting, dept));
    assert.equal(queued.ticket, null, 'the agent is online, so it waits');
    const leaveId = clientId();
    const left = expectOk(await ask(waiting.socket, 'conversation:leave-message', { conversationId: queued.conversation.id, clientId: leaveId }));
    const retried = expectOk(await ask(waiting.socket, 'conversation:leave-message', { conversationId: queued.conversation.id, clientId: leaveId }));
    assert.deepEqual([retried.duplicate, retried.ticket.id], [true, left.ticket.id]);
    const list = expectOk(await ask(waiting.socket, 'ticket:list', {}));
    assert.deepEqual(list.tickets.map((t) => t.id), [left.ticket.id]);
    const other = await ask(v.socket, 'conversation:leave-message', { conversationId: queued.conversation.id, clientId: clientId() });
    assert.equal(other.ok ? 'ok' : other.error.code, 'NOT_FOUND', "another visitor's conversation");
  });

  it('a cold transfer to a department nobody is online in makes the chat a ticket', async () => {
    const technik = await makeDepartment(server);
    const empty = await fallbackDepartment(server);
    const a = await makeAgent(server, { memberships: [{ departmentId: technik }] });
    const v = await newVisitor(server);
    const started = expectOk(await start(v, technik));
    await eventually(() => a.offers.some((o) => o.conversationId === started.conversation.id), 5000, 'the offer');
    await accept(a, started.conversation.id);
    const told = nextEvent<TicketCreated>(v.socket, 'ticket:created', 5000);
    expectOk(await ask(a.socket, 'transfer:request', { conversationId: started.conversation.id, clientId: clientId(), to: { type: 'department', departmentId: empty }, note: '', force: false }));
    const created = await told;
    assert.equal(created.source, 'agents_offline');
    assert.equal(created.ticket.departmentId, empty);
  });
});
