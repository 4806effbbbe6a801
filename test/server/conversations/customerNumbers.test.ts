import assert from 'node:assert/strict';
import type { ConversationDetail } from '../../../shared/events/agent.js';
import type { AgentConversation } from '../../../shared/schemas/chat.js';
import type { ConversationEvent } from '../../../shared/schemas/timeline.js';
import { accept, eventually, makeAgent, makeDepartment, makeVisitorChat, type TestAgent, type TestVisitor } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectAgent, eventWhere, expectOk, login, request } from '../../support/clients.js';
import { describeEachTarget } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describeEachTarget('customer numbers: typed by the visitor, linked only once confirmed', ({ db, redis }) => {
  let server: TestServer;
  let dept: number;
  let agent: TestAgent;
  before(async () => {
    server = await startTestServer({ db, redis });
    dept = await makeDepartment(server);
    agent = await makeAgent(server, { memberships: [{ departmentId: dept }] });
  });
  after(() => server.close());
  after(closeAllSockets);

  /** A chat with this customer number typed in the pre-chat form, served by the test's agent. */
  async function served(name: string, customerNumber: string, text: string): Promise<{ visitor: TestVisitor; detail: ConversationDetail }> {
    const visitor = await makeVisitorChat(server, dept, { name, customerNumber, text });
    await eventually(() => agent.offers.some((o) => o.conversationId === visitor.conversationId), 3000, 'offer');
    return { visitor, detail: await accept(agent, visitor.conversationId) };
  }

  it('someone typing a customer’s number sees (and shows the agent) nothing of that customer until the serving agent confirms it', async () => {
    const number = `K-${Date.now()}`;
    // The real customer; the agent confirms their number in their chat.
    const customer = await served('Erika Muster', number, 'Meine Rechnung vom März ist doppelt abgebucht.');
    assert.equal(customer.detail.conversation.visitor.customerNumber, number);
    assert.equal(customer.detail.conversation.visitor.customerNumberVerified, false, 'a typed number is not verified');
    const confirmed = expectOk(await ask(agent.socket, 'customer:verify', { conversationId: customer.visitor.conversationId, customerNumber: number }));
    assert.equal(confirmed.conversation.visitor.customerNumberVerified, true);
    expectOk(await ask(agent.socket, 'conversation:close', { conversationId: customer.visitor.conversationId }));

    // Someone else types the same number: the agent sees only this visitor's own (empty) history.
    const other = await served('Mallory', number, 'Was hatte ich letztens gefragt?');
    assert.equal(other.detail.conversation.visitor.customerNumber, number, 'the number is shown …');
    assert.equal(other.detail.conversation.visitor.customerNumberVerified, false, '… as not verified');
    assert.deepEqual(other.detail.earlier, [], 'nothing of the real customer, not even a first message');
    const got = expectOk(await ask(agent.socket, 'conversation:get', { conversationId: other.visitor.conversationId }));
    assert.deepEqual(got.earlier, []);

    // Only the agent serving the chat confirms, and only the number they were shown.
    const supervisorUser = await server.createUser({ role: 'supervisor' });
    const supervisor = await connectAgent(server.baseUrl, await login(server.baseUrl, supervisorUser.email, supervisorUser.password));
    const bySupervisor = await ask(supervisor, 'customer:verify', { conversationId: other.visitor.conversationId, customerNumber: number });
    assert.equal(!bySupervisor.ok && bySupervisor.error.code, 'CONFLICT', 'a supervisor looking on does not confirm');
    const bystander = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const byOther = await ask(bystander.socket, 'customer:verify', { conversationId: other.visitor.conversationId, customerNumber: number });
    assert.equal(!byOther.ok && byOther.error.code, 'NOT_FOUND', 'another agent does not even see the chat');
    const unseen = await ask(agent.socket, 'customer:verify', { conversationId: other.visitor.conversationId, customerNumber: 'K-0' });
    assert.equal(!unseen.ok && unseen.error.code, 'CONFLICT', 'not a number the agent was not shown');
    const malformed = await ask(agent.socket, 'customer:verify', { conversationId: other.visitor.conversationId, customerNumber: 'x'.repeat(41) } as never);
    assert.equal(!malformed.ok && malformed.error.code, 'VALIDATION_FAILED');
    assert.equal(expectOk(await ask(agent.socket, 'conversation:get', { conversationId: other.visitor.conversationId })).conversation.visitor.customerNumberVerified, false);

    // Confirmed (say, the visitor proved it): the history by customer number shows, and is recorded.
    const otherTab = await connectAgent(server.baseUrl, agent.cookie);
    await ask(otherTab, 'presence:get', {}); // answered once the connection joined its chats' rooms
    const updated = eventWhere<AgentConversation>(otherTab, 'conversation:updated', (c) => c.id === other.visitor.conversationId, 3000);
    const verified = expectOk(await ask(agent.socket, 'customer:verify', { conversationId: other.visitor.conversationId, customerNumber: number }));
    assert.equal(verified.conversation.visitor.customerNumberVerified, true);
    const earlier = verified.earlier.find((e) => e.id === customer.visitor.conversationId);
    assert.equal(earlier?.firstMessage, 'Meine Rechnung vom März ist doppelt abgebucht.');
    assert.equal((await updated).visitor.customerNumberVerified, true, 'the agent’s other tabs see it confirmed');
    const again = expectOk(await ask(agent.socket, 'customer:verify', { conversationId: other.visitor.conversationId, customerNumber: number }));
    assert.equal(again.conversation.visitor.customerNumberVerified, true, 'confirming twice changes nothing');
    const timeline = await request<{ events: ConversationEvent[] }>(server.baseUrl, 'GET', `/api/conversations/${other.visitor.conversationId}/events`, { cookie: agent.cookie });
    const recorded = expectOk(timeline.body).events.filter((e) => e.type === 'customer_number_verified');
    assert.equal(recorded.length, 1, 'recorded once');
    assert.deepEqual(recorded[0]!.data, { customerNumber: number });
    assert.equal(recorded[0]!.actor.id, String(agent.user.id));
    await agent.setStatus('away');
  });
});
