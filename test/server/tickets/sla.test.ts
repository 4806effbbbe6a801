import assert from 'node:assert/strict';
import type { AgentTicket, SlaPolicy, TicketEscalated } from '../../../shared/schemas/tickets.js';
import { clientId, makeAgent } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, expectOk, fence, nextEvent, noEvent, request } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { TestClock, type TestServer } from '../../support/server.js';
import { fallbackDepartment, leaveMessage, ticketServer } from './helpers.js';

describeEachDb('ticket SLA and escalation', (db) => {
  let server: TestServer;
  const clock = new TestClock();
  before(async () => {
    server = await ticketServer({ db, clock });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  it('supervisors set policies per department and urgency; agents may not', async () => {
    const dept = await fallbackDepartment(server);
    const supervisor = await makeAgent(server, { memberships: [], role: 'supervisor', available: false });
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const body = { departmentId: dept, urgency: 'show_stopper', firstResponseMinutes: 15, resolutionMinutes: 240 };
    assert.equal((await request(server.baseUrl, 'PUT', '/api/sla-policies', { cookie: agent.cookie, body })).status, 403);
    const set = await request<{ policy: SlaPolicy }>(server.baseUrl, 'PUT', '/api/sla-policies', { cookie: supervisor.cookie, body });
    assert.equal(set.status, 200);
    const again = await request<{ policy: SlaPolicy }>(server.baseUrl, 'PUT', '/api/sla-policies', { cookie: supervisor.cookie, body: { ...body, firstResponseMinutes: 10 } });
    assert.equal(again.body.ok && again.body.data.policy.id, set.body.ok && set.body.data.policy.id, 'one policy per department and urgency');
    const list = await request<{ policies: SlaPolicy[] }>(server.baseUrl, 'GET', '/api/sla-policies', { cookie: supervisor.cookie });
    assert.deepEqual(list.body.ok && list.body.data.policies.filter((p) => p.departmentId === dept).map((p) => p.firstResponseMinutes), [10]);
    const bad = await request(server.baseUrl, 'PUT', '/api/sla-policies', { cookie: supervisor.cookie, body: { ...body, departmentId: 999_999 } });
    assert.equal(bad.status, 400);
  });

  it('escalates an approaching and then a breached first response (marked, stored, pushed to supervisors); a reply stops the clock', async () => {
    const dept = await fallbackDepartment(server);
    const supervisor = await makeAgent(server, { memberships: [], role: 'supervisor', available: false });
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    for (const urgency of ['limited_usability', 'show_stopper'] as const) {
      expectOk((await request(server.baseUrl, 'PUT', '/api/sla-policies', { cookie: supervisor.cookie, body: { departmentId: dept, urgency, firstResponseMinutes: urgency === 'show_stopper' ? 10 : 60, resolutionMinutes: 600 } })).body);
    }
    const { created } = await leaveMessage(server, dept);
    const id = created.ticket.id;
    let ticket = expectOk(await ask(agent.socket, 'ticket:get', { ticketId: id })).ticket;
    assert.equal(Date.parse(ticket.sla.firstResponseDueAt!) - Date.parse(ticket.createdAt), 60 * 60_000, 'the default urgency’s target');
    ticket = expectOk(await ask(agent.socket, 'ticket:update', { ticketId: id, urgency: 'show_stopper' })).ticket;
    assert.equal(Date.parse(ticket.sla.firstResponseDueAt!) - Date.parse(ticket.createdAt), 10 * 60_000, 'a new urgency, a new target');
    assert.deepEqual([ticket.sla.firstResponse, ticket.escalation], ['ok', 'none']);

    clock.advance(7 * 60_000);
    await server.zentrale.tickets.tick();
    await noEvent(supervisor.socket, 'ticket:escalated');

    clock.advance(60_000 + 1000);
    const approaching = nextEvent<TicketEscalated>(supervisor.socket, 'ticket:escalated');
    await server.zentrale.tickets.tick();
    const warned = await approaching;
    assert.deepEqual([warned.ticket.id, warned.target, warned.level, warned.ticket.escalation], [id, 'first_response', 'approaching', 'approaching']);
    await server.zentrale.tickets.tick();
    await noEvent(supervisor.socket, 'ticket:escalated');

    clock.advance(2 * 60_000);
    const breached = nextEvent<TicketEscalated>(supervisor.socket, 'ticket:escalated');
    const agentToo = nextEvent<TicketEscalated>(agent.socket, 'ticket:escalated');
    await server.zentrale.tickets.tick();
    assert.deepEqual([(await breached).level, (await agentToo).level], ['breached', 'breached'], 'supervisors and the department');

    const escalated = expectOk(await ask(supervisor.socket, 'ticket:list', { escalated: true, departmentId: [dept] })).tickets;
    assert.deepEqual(escalated.map((t) => [t.id, t.escalation]), [[id, 'breached']], 'marked in the inbox');
    const detail = expectOk(await ask(supervisor.socket, 'ticket:get', { ticketId: id }));
    const stored = detail.events.filter((e) => e.type.startsWith('sla_'));
    assert.deepEqual(stored.map((e) => [e.type, e.data?.target]), [['sla_approaching', 'first_response'], ['sla_breached', 'first_response']]);

    const answered = expectOk(await ask(agent.socket, 'ticket:reply', { ticketId: id, clientId: clientId(), text: 'Wir sind dran.' })).ticket;
    assert.deepEqual([answered.sla.firstResponse, answered.escalation], ['breached', 'none'], 'late, but answered');
    assert.ok(answered.sla.firstRespondedAt);
  });

  it('escalates the resolution target; solving in time marks it met', async () => {
    const dept = await fallbackDepartment(server);
    const supervisor = await makeAgent(server, { memberships: [], role: 'supervisor', available: false });
    expectOk((await request(server.baseUrl, 'PUT', '/api/sla-policies', { cookie: supervisor.cookie, body: { departmentId: dept, urgency: 'limited_usability', firstResponseMinutes: null, resolutionMinutes: 100 } })).body);
    const late = (await leaveMessage(server, dept)).created.ticket;
    const inTime = (await leaveMessage(server, dept)).created.ticket;
    const solved = expectOk(await ask(supervisor.socket, 'ticket:update', { ticketId: inTime.id, status: 'solved' })).ticket;
    assert.deepEqual([solved.sla.resolution, solved.sla.firstResponse], ['met', 'none']);
    clock.advance(101 * 60_000);
    const seen: TicketEscalated[] = [];
    supervisor.socket.on('ticket:escalated', (e) => seen.push(e));
    await server.zentrale.tickets.tick();
    await fence(supervisor.socket);
    assert.deepEqual(seen.filter((e) => e.ticket.id === late.id || e.ticket.id === inTime.id).map((e) => [e.ticket.id, e.target, e.level]), [[late.id, 'resolution', 'breached']]);
    const row: AgentTicket = expectOk(await ask(supervisor.socket, 'ticket:get', { ticketId: late.id })).ticket;
    assert.equal(row.sla.resolution, 'breached');
  });
});
