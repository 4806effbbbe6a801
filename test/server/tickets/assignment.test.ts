import assert from 'node:assert/strict';
import type { AgentTicket, AssignmentRule, Substitute } from '../../../shared/schemas/tickets.js';
import { clientId, makeAgent } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, expectOk, nextEvent, request } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import type { TestServer } from '../../support/server.js';
import { fallbackDepartment, leaveMessage, ticketServer, uniqueWord } from './helpers.js';

describeEachDb('ticket assignment rules and substitutes', (db) => {
  let server: TestServer;
  before(async () => {
    server = await ticketServer({ db });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  const rule = async (cookie: string, body: Record<string, unknown>) => {
    const res = await request<{ rule: AssignmentRule }>(server.baseUrl, 'POST', '/api/assignment-rules', { cookie, body });
    return expectOk(res.body).rule;
  };

  it('first matching rule wins: keywords, product and language send tickets to an agent or a department', async () => {
    const support = await fallbackDepartment(server);
    const billing = await fallbackDepartment(server);
    const supervisor = await makeAgent(server, { memberships: [], role: 'supervisor', available: false });
    const printerExpert = await makeAgent(server, { memberships: [{ departmentId: support }], available: false });
    const englishDesk = await makeAgent(server, { memberships: [{ departmentId: support }], available: false });
    const keyword = uniqueWord('toner');
    const product = uniqueWord('Modell-');
    await rule(supervisor.cookie, { position: 10, departmentId: support, keywords: [keyword], assignToAgentId: printerExpert.user.id });
    await rule(supervisor.cookie, { position: 20, departmentId: support, product, assignToDepartmentId: billing });
    await rule(supervisor.cookie, { position: 30, departmentId: support, language: 'en', assignToAgentId: englishDesk.user.id });
    await rule(supervisor.cookie, { position: 5, departmentId: support, keywords: [keyword], assignToAgentId: englishDesk.user.id, active: false });
    assert.equal((await request(server.baseUrl, 'POST', '/api/assignment-rules', { cookie: printerExpert.cookie, body: { assignToAgentId: printerExpert.user.id } })).status, 403);

    const byKeyword = (await leaveMessage(server, support, { language: 'en', text: `The ${keyword.toUpperCase()} is empty.` })).created.ticket;
    const byProduct = (await leaveMessage(server, support, { product: product.toLowerCase(), text: 'Frage zur Abrechnung' })).created.ticket;
    const byLanguage = (await leaveMessage(server, support, { language: 'en', text: 'Hello there' })).created.ticket;
    const none = (await leaveMessage(server, support, { text: `${keyword}s sind toll` })).created.ticket;
    const view = async (id: number) => expectOk(await ask(supervisor.socket, 'ticket:get', { ticketId: id })).ticket;
    assert.deepEqual([(await view(byKeyword.id)).assigneeId, (await view(byKeyword.id)).departmentId], [printerExpert.user.id, support], 'keyword (whole word, any case) before language');
    assert.deepEqual([(await view(byProduct.id)).assigneeId, (await view(byProduct.id)).departmentId], [null, billing]);
    assert.equal((await view(byLanguage.id)).assigneeId, englishDesk.user.id);
    assert.equal((await view(none.id)).assigneeId, null, 'a longer word does not match the keyword');
    assert.equal(byProduct.departmentId, billing, 'the visitor sees the department it went to');
  });

  it('a substitute sees, is told about and works the tickets of an absent colleague, and only then', async () => {
    const dept = await fallbackDepartment(server);
    const elsewhere = await fallbackDepartment(server);
    const supervisor = await makeAgent(server, { memberships: [], role: 'supervisor', available: false });
    const anna = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const bernd = await makeAgent(server, { memberships: [{ departmentId: elsewhere }], available: false });
    const set = await request<Substitute>(server.baseUrl, 'PUT', `/api/users/${anna.user.id}/substitute`, { cookie: supervisor.cookie, body: { substituteId: bernd.user.id } });
    assert.deepEqual(set.body.ok && set.body.data, { userId: anna.user.id, substituteId: bernd.user.id });
    const self = await request(server.baseUrl, 'PUT', `/api/users/${anna.user.id}/substitute`, { cookie: supervisor.cookie, body: { substituteId: anna.user.id } });
    assert.equal(self.status, 400);

    const visitor = await leaveMessage(server, dept, { text: 'Bitte an Anna' });
    const ticket = visitor.created.ticket;
    expectOk(await ask(anna.socket, 'ticket:update', { ticketId: ticket.id, assigneeId: anna.user.id }));

    const before = await ask(bernd.socket, 'ticket:get', { ticketId: ticket.id });
    assert.equal(before.ok ? 'ok' : before.error.code, 'NOT_FOUND', 'Anna is here: not Bernd’s business');

    await server.zentrale.tickets.tick();
    const standing = nextEvent<AgentTicket>(bernd.socket, 'ticket:updated');
    await anna.setStatus('away');
    await server.zentrale.tickets.tick();
    assert.deepEqual([(await standing).id, (await standing).substituteId], [ticket.id, bernd.user.id], 'told when standing in starts');
    const inbox = expectOk(await ask(bernd.socket, 'ticket:list', { assignee: 'me' })).tickets;
    assert.deepEqual(inbox.map((t) => [t.id, t.assigneeId, t.substituteId]), [[ticket.id, anna.user.id, bernd.user.id]]);
    const told = nextEvent<AgentTicket>(bernd.socket, 'ticket:updated');
    expectOk(await ask(visitor.socket, 'ticket:comment', { ticketId: ticket.id, clientId: clientId(), text: 'Noch eine Frage' }));
    assert.equal((await told).id, ticket.id, 'pushed to the substitute');
    const reply = expectOk(await ask(bernd.socket, 'ticket:reply', { ticketId: ticket.id, clientId: clientId(), text: 'Ich vertrete Anna.' }));
    assert.equal(reply.ticket.assigneeId, anna.user.id, 'still Anna’s ticket');

    const released = nextEvent<AgentTicket>(bernd.socket, 'ticket:updated');
    await anna.setStatus('available');
    await server.zentrale.tickets.tick();
    assert.equal((await released).substituteId, null, 'told when it ends');
    const after = await ask(bernd.socket, 'ticket:get', { ticketId: ticket.id });
    assert.equal(after.ok ? 'ok' : after.error.code, 'NOT_FOUND', 'Anna is back');
    assert.deepEqual(expectOk(await ask(bernd.socket, 'ticket:list', { assignee: 'me' })).tickets, []);
  });
});
