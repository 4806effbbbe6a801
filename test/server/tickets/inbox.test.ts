import assert from 'node:assert/strict';
import type { AgentTicket } from '../../../shared/schemas/tickets.js';
import { clientId, makeAgent, makeVisitorChat } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, expectOk, nextEvent } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import type { TestServer } from '../../support/server.js';
import { fallbackDepartment, leaveMessage, newVisitor, ticketServer, uniqueWord } from './helpers.js';

describeEachDb('ticket inbox for agents', (db) => {
  let server: TestServer;
  before(async () => {
    server = await ticketServer({ db });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  it('lists by status, urgency, department and assignee, unanswered first, page by page; others’ departments stay hidden', async () => {
    const dept = await fallbackDepartment(server);
    const other = await fallbackDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const outsider = await makeAgent(server, { memberships: [{ departmentId: other }], available: false });
    const supervisor = await makeAgent(server, { memberships: [], role: 'supervisor', available: false });
    const first = (await leaveMessage(server, dept, { text: 'Erste Anfrage' })).created.ticket;
    const second = (await leaveMessage(server, dept, { text: 'Zweite Anfrage' })).created.ticket;
    const third = (await leaveMessage(server, dept, { text: 'Dritte Anfrage' })).created.ticket;
    const elsewhere = (await leaveMessage(server, other, { text: 'Anderswo' })).created.ticket;

    const pushed = nextEvent<AgentTicket>(supervisor.socket, 'ticket:updated');
    expectOk(await ask(agent.socket, 'ticket:reply', { ticketId: first.id, clientId: clientId(), text: 'Erledigt bald.' }));
    assert.equal((await pushed).id, first.id, 'supervisors see changes live');
    expectOk(await ask(agent.socket, 'ticket:update', { ticketId: second.id, urgency: 'show_stopper' }));

    const mine = expectOk(await ask(agent.socket, 'ticket:list', { departmentId: [dept] }));
    assert.deepEqual(mine.tickets.map((t) => t.id), [second.id, third.id, first.id], 'unanswered first, longest waiting first');
    assert.equal(mine.total, 3);
    assert.deepEqual(mine.tickets.map((t) => t.unanswered), [true, true, false]);
    const page = expectOk(await ask(agent.socket, 'ticket:list', { departmentId: [dept], offset: 1, limit: 1 }));
    assert.deepEqual([page.tickets.map((t) => t.id), page.total], [[third.id], 3]);
    assert.deepEqual(expectOk(await ask(agent.socket, 'ticket:list', { departmentId: [dept], urgency: ['show_stopper'] })).tickets.map((t) => t.id), [second.id]);
    assert.deepEqual(expectOk(await ask(agent.socket, 'ticket:list', { departmentId: [dept], status: ['open'] })).tickets.map((t) => t.id), [first.id]);
    assert.deepEqual(expectOk(await ask(agent.socket, 'ticket:list', { assignee: 'me' })).tickets.map((t) => t.id), [first.id], 'replying took it');
    assert.deepEqual(expectOk(await ask(agent.socket, 'ticket:list', { departmentId: [dept], assignee: 'none' })).tickets.map((t) => t.id), [second.id, third.id]);
    assert.ok(!expectOk(await ask(agent.socket, 'ticket:list', {})).tickets.some((t) => t.id === elsewhere.id), 'not my department');
    assert.ok(expectOk(await ask(supervisor.socket, 'ticket:list', {})).tickets.some((t) => t.id === elsewhere.id), 'supervisors see all');
    const hidden = await ask(outsider.socket, 'ticket:get', { ticketId: first.id });
    assert.equal(hidden.ok ? 'ok' : hidden.error.code, 'NOT_FOUND');
    const blocked = await ask(outsider.socket, 'ticket:reply', { ticketId: first.id, clientId: clientId(), text: 'x' });
    assert.equal(blocked.ok ? 'ok' : blocked.error.code, 'NOT_FOUND');
  });

  it('changes status, urgency, assignee and department, each stored as an event', async () => {
    const dept = await fallbackDepartment(server);
    const target = await fallbackDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const colleague = await makeAgent(server, { memberships: [{ departmentId: target }], available: false });
    const { created } = await leaveMessage(server, dept);
    const id = created.ticket.id;
    const arrives = nextEvent<AgentTicket>(colleague.socket, 'ticket:updated');
    const done = expectOk(await ask(agent.socket, 'ticket:update', { ticketId: id, status: 'pending', urgency: 'nice_to_have', assigneeId: colleague.user.id, departmentId: target })).ticket;
    assert.deepEqual([done.status, done.urgency, done.assigneeId, done.assigneeName, done.departmentId], ['pending', 'nice_to_have', colleague.user.id, colleague.user.name, target]);
    assert.equal((await arrives).id, id, 'the new department and assignee are told');
    const detail = expectOk(await ask(colleague.socket, 'ticket:get', { ticketId: id }));
    assert.deepEqual(detail.events.map((e) => e.type), ['created', 'status_changed', 'assigned', 'department_changed', 'urgency_changed']);
    assert.equal(detail.events[1]?.actor.name, agent.user.name);
    const gone = await ask(agent.socket, 'ticket:get', { ticketId: id });
    assert.equal(gone.ok ? 'ok' : gone.error.code, 'NOT_FOUND', 'moved out of the agent’s department');
    const bad = await ask(colleague.socket, 'ticket:update', { ticketId: id, assigneeId: 999_999 });
    assert.equal(bad.ok ? 'ok' : bad.error.code, 'VALIDATION_FAILED');
  });

  it('names the colleagues a ticket can go to: active members of its department, only to those who may work it', async () => {
    const dept = await fallbackDepartment(server);
    const other = await fallbackDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const colleague = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const outsider = await makeAgent(server, { memberships: [{ departmentId: other }], available: false });
    const { created } = await leaveMessage(server, dept);
    const { assignees } = expectOk(await ask(agent.socket, 'ticket:assignees', { ticketId: created.ticket.id }));
    assert.deepEqual(
      assignees.map((a) => a.id).sort((x, y) => x - y),
      [agent.user.id, colleague.user.id].sort((x, y) => x - y),
    );
    assert.equal(assignees.find((a) => a.id === colleague.user.id)?.status, 'available');
    const hidden = await ask(outsider.socket, 'ticket:assignees', { ticketId: created.ticket.id });
    assert.equal(hidden.ok ? 'ok' : hidden.error.code, 'NOT_FOUND');
  });

  it('marks a callback called back (with a note for the team), only for callbacks', async () => {
    const dept = await fallbackDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const v = await newVisitor(server);
    const made = expectOk(await ask(v.socket, 'callback:request', { clientId: clientId(), departmentId: dept, language: 'de', name: 'Rolf', phone: '0171 2345678' }));
    const listed = expectOk(await ask(agent.socket, 'ticket:list', { departmentId: [dept], kind: 'callback' })).tickets;
    assert.deepEqual(listed.map((t) => [t.id, t.callback?.phone]), [[made.ticket.id, '0171 2345678']]);
    const updated = nextEvent<{ status: string }>(v.socket, 'ticket:updated');
    const marked = expectOk(await ask(agent.socket, 'ticket:called-back', { ticketId: made.ticket.id, note: 'Erreicht, Termin vereinbart.' })).ticket;
    assert.ok(marked.callback?.calledBackAt);
    assert.deepEqual([marked.status, marked.unanswered], ['solved', false]);
    assert.equal((await updated).status, 'solved');
    const detail = expectOk(await ask(agent.socket, 'ticket:get', { ticketId: made.ticket.id }));
    assert.ok(detail.messages.some((m) => m.internal && m.body === 'Erreicht, Termin vereinbart.'));
    const visitorView = expectOk(await ask(v.socket, 'ticket:get', { ticketId: made.ticket.id }));
    assert.ok(!visitorView.messages.some((m) => m.body.includes('Termin vereinbart')), 'the note stays internal');
    const message = (await leaveMessage(server, dept)).created.ticket;
    const refused = await ask(agent.socket, 'ticket:called-back', { ticketId: message.id });
    assert.equal(refused.ok ? 'ok' : `${refused.error.code}:${refused.error.reason}`, 'CONFLICT:not_a_callback');
  });

  it('links a customer’s conversations and tickets by customer number, once it is confirmed for each visitor', async () => {
    const dept = await fallbackDepartment(server, { offlineFallback: false });
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const customer = `K-${Date.now()}`;
    const olderVisitor = await leaveMessage(server, dept, { customerNumber: customer, text: 'Alte Anfrage' });
    const older = olderVisitor.created.ticket;
    const chat = await makeVisitorChat(server, dept, { text: 'Ein Chat', customerNumber: customer });
    const newerVisitor = await leaveMessage(server, dept, { customerNumber: customer, text: 'Neue Anfrage' });
    const newer = newerVisitor.created.ticket;
    const unrelated = (await leaveMessage(server, dept, { customerNumber: `${customer}-X` })).created.ticket;
    const typed = expectOk(await ask(agent.socket, 'ticket:get', { ticketId: newer.id }));
    assert.deepEqual(typed.related.tickets, [], 'a typed number links nobody else’s tickets …');
    assert.ok(!typed.related.conversations.some((c) => c.id === chat.conversationId || c.id === older.conversationId), '… nor conversations');

    // Confirmed for each of these visitors (in a chat, by its agent: customer:verify).
    const chatVisitor = (await server.zentrale.db.models.Conversation.findByPk(chat.conversationId))!.visitorId;
    await server.zentrale.db.sequelize.getQueryInterface().bulkInsert(
      'customer_number_verifications',
      [olderVisitor.visitorId, chatVisitor, newerVisitor.visitorId].map((visitorId) => ({ visitor_id: visitorId, customer_number: customer, method: 'agent', verified_by: agent.user.id, conversation_id: null, created_at: new Date() })),
    );
    const detail = expectOk(await ask(agent.socket, 'ticket:get', { ticketId: newer.id }));
    assert.equal(detail.ticket.customerNumber, customer);
    assert.deepEqual(detail.related.tickets.map((t) => t.id), [older.id]);
    assert.ok(!detail.related.tickets.some((t) => t.id === unrelated.id));
    const conversations = detail.related.conversations.map((c) => c.id);
    assert.ok(conversations.includes(chat.conversationId), 'the chat');
    assert.ok(conversations.includes(older.conversationId), 'the older ticket’s thread');
  });

  it('finds earlier tickets with similar text (full-text search)', async () => {
    const dept = await fallbackDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const device = uniqueWord('laserdrucker');
    const part = uniqueWord('papiereinzug');
    const printer = (await leaveMessage(server, dept, { text: `Der ${device} zieht kein Papier ein, ${part} klemmt.` })).created.ticket;
    const alsoPrinter = (await leaveMessage(server, dept, { text: `Unser ${device} meldet einen Fehler.` })).created.ticket;
    const invoice = (await leaveMessage(server, dept, { text: `Die ${uniqueWord('rechnung')} ist doppelt gebucht.` })).created.ticket;
    const opened = (await leaveMessage(server, dept, { text: `Wieder ${device}: ${part} defekt?` })).created.ticket;
    const detail = expectOk(await ask(agent.socket, 'ticket:get', { ticketId: opened.id }));
    const ids = detail.similar.map((t) => t.id);
    assert.equal(ids[0], printer.id, 'the most similar first (two shared words)');
    assert.ok(ids.includes(alsoPrinter.id));
    assert.ok(!ids.includes(invoice.id));
    assert.ok(!ids.includes(opened.id), 'not itself');
    assert.deepEqual(expectOk(await ask(agent.socket, 'ticket:similar', { ticketId: opened.id })).tickets.map((t) => t.id), ids);
  });

  it('numbers tickets uniquely and in order, also when many arrive at once', async () => {
    const dept = await fallbackDepartment(server);
    const made = await Promise.all(Array.from({ length: 12 }, (_, i) => leaveMessage(server, dept, { text: `Gleichzeitig ${i}` })));
    const numbers = made.map((m) => m.created.ticket.number);
    assert.equal(new Set(numbers).size, numbers.length);
    const year = new Date().getUTCFullYear();
    const values = numbers.map((n) => {
      assert.match(n, new RegExp(`^ZT-${year}-\\d{6}$`));
      return Number(n.slice(-6));
    });
    const sorted = [...values].sort((a, b) => a - b);
    assert.equal(sorted[sorted.length - 1]! - sorted[0]!, values.length - 1, 'no gaps within the burst');
  });
});
