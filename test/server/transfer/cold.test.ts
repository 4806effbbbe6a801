import assert from 'node:assert/strict';
import type { Ack } from '../../../shared/ack.js';
import type { Conversation } from '../../../shared/schemas/chat.js';
import type { QueueStatus } from '../../../shared/schemas/routing.js';
import type { ConversationEvent } from '../../../shared/schemas/timeline.js';
import { accept, makeAgent, makeDepartment, makeVisitorChat, sleep } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, expectOk, nextEvent, request } from '../../support/clients.js';
import { describeEachTarget } from '../../support/dbTargets.js';
import { startTestServer, TestClock, type TestServer } from '../../support/server.js';
import { messageMatching, requestTransfer, servedChat } from './helpers.js';

describeEachTarget('cold transfer to a department', ({ db, redis }) => {
  let server: TestServer;
  const clock = new TestClock();
  before(async () => {
    server = await startTestServer({ db, redis, clock });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  const departmentName = async (id: number) => (await server.zentrale.db.models.Department.findByPk(id))!.name;

  it('goes to the front of the other queue with its original waiting time and the note, and that department routes it', async () => {
    const technik = await makeDepartment(server, { wrapUpSeconds: 30 });
    const buchhaltung = await makeDepartment(server);
    const a = await makeAgent(server, { memberships: [{ departmentId: technik }] });
    const colleague = await makeAgent(server, { memberships: [{ departmentId: technik }], available: false });
    const accountant = await makeAgent(server, { memberships: [{ departmentId: buchhaltung }], available: false });
    const supervisor = await makeAgent(server, { memberships: [], role: 'supervisor', available: false });
    const waitedLonger = await makeVisitorChat(server, buchhaltung, { name: 'Wartet länger' });
    clock.advance(60_000);
    const chat = await servedChat(server, technik, a, { name: 'Erika' });
    const waitingSince = (await server.zentrale.db.models.Conversation.findByPk(chat.conversationId))!.waitingSince.toISOString();
    clock.advance(60_000);
    const newer = await makeVisitorChat(server, buchhaltung, { name: 'Kam später' });
    await colleague.setStatus('available');

    const visitorQueued = nextEvent<Conversation>(chat.socket, 'conversation:updated');
    const told = messageMatching(chat.socket, new RegExp(`Wir verbinden Sie mit ${await departmentName(buchhaltung)}`));
    const position = nextEvent<QueueStatus>(chat.socket, 'queue:updated');
    const moved = expectOk(await requestTransfer(a.socket, chat.conversationId, { type: 'department', departmentId: buchhaltung }, { note: 'Rechnungsfrage; technisch ist alles in Ordnung.' }));
    assert.deepEqual(
      [moved.transfer.kind, moved.transfer.status, moved.transfer.fromAgentId, moved.transfer.fromDepartmentId, moved.transfer.toDepartmentId],
      ['department', 'completed', a.user.id, technik, buchhaltung],
    );
    assert.deepEqual([moved.conversation.status, moved.conversation.departmentId, moved.conversation.assignedAgentId], ['queued', buchhaltung, null]);
    assert.equal(moved.conversation.waitingSince, waitingSince, 'original waiting time');
    const seen = await visitorQueued;
    assert.deepEqual([seen.status, seen.departmentId, seen.agentName], ['queued', buchhaltung, null]);
    await told;
    assert.equal((await position).position, 1);

    const queue = expectOk(await ask(supervisor.socket, 'queue:list', {})).entries.filter((e) => e.departmentId === buchhaltung);
    assert.deepEqual(queue.map((e) => e.conversationId), [chat.conversationId, waitedLonger.conversationId, newer.conversationId], 'at the front, even ahead of a longer wait');
    assert.equal(queue[0]!.waitingSince, waitingSince);
    const stateA = await server.zentrale.engine.store.agent(a.user.id);
    assert.deepEqual([stateA.active, stateA.wrapUps.map((w) => w.conversationId)], [[], [chat.conversationId]], 'A goes into wrap-up');

    await sleep(150);
    await server.zentrale.engine.tick();
    assert.ok(!colleague.offers.some((o) => o.conversationId === chat.conversationId), 'Technik no longer routes it');
    const offer = accountant.nextOffer();
    await accountant.setStatus('available');
    assert.equal((await offer).conversationId, chat.conversationId, 'first in Buchhaltung');
    const detail = await accept(accountant, chat.conversationId);
    const note = detail.messages.find((m) => m.body === 'Rechnungsfrage; technisch ist alles in Ordnung.');
    assert.deepEqual([note?.internal, note?.senderName], [true, a.user.name], 'the note is attached for the next agent');

    const timeline = await request<{ events: ConversationEvent[] }>(server.baseUrl, 'GET', `/api/conversations/${chat.conversationId}/events`, { cookie: accountant.cookie });
    const types = timeline.body.ok ? timeline.body.data.events.map((e) => e.type) : [];
    assert.deepEqual(types, ['queued', 'offered', 'accepted', 'transferred', 'queued', 'offered', 'accepted']);
    const transferred = timeline.body.ok ? timeline.body.data.events[3]! : null;
    assert.deepEqual([transferred?.data?.fromDepartmentId, transferred?.data?.toDepartmentId], [technik, buchhaltung]);
  });

  it('waits in the new queue when nobody there can take it', async () => {
    const technik = await makeDepartment(server);
    const empty = await makeDepartment(server);
    const a = await makeAgent(server, { memberships: [{ departmentId: technik }] });
    const chat = await servedChat(server, technik, a);
    const status = nextEvent<QueueStatus>(chat.socket, 'queue:updated');
    expectOk(await requestTransfer(a.socket, chat.conversationId, { type: 'department', departmentId: empty }));
    const waiting = await status;
    assert.deepEqual([waiting.position, waiting.estimatedWaitSeconds, waiting.agentsAvailable], [1, null, 0], 'honest: nobody is there yet');
    assert.equal((await server.zentrale.db.models.Conversation.findByPk(chat.conversationId))?.status, 'queued');
  });

  it('refuses its own department, an unknown one, and a chat with a warm transfer pending', async () => {
    const technik = await makeDepartment(server);
    const other = await makeDepartment(server);
    const a = await makeAgent(server, { memberships: [{ departmentId: technik }] });
    const b = await makeAgent(server, { memberships: [{ departmentId: technik }], available: false });
    const chat = await servedChat(server, technik, a);
    await b.setStatus('available');
    const reasonOf = (ack: Ack<unknown>) => (ack.ok ? 'ok' : `${ack.error.code}:${ack.error.reason ?? ''}`);
    assert.equal(reasonOf(await requestTransfer(a.socket, chat.conversationId, { type: 'department', departmentId: technik })), 'CONFLICT:same_department');
    assert.equal(reasonOf(await requestTransfer(a.socket, chat.conversationId, { type: 'department', departmentId: 999_999 })), 'VALIDATION_FAILED:');
    expectOk(await requestTransfer(a.socket, chat.conversationId, { type: 'agent', agentId: b.user.id }));
    assert.equal(reasonOf(await requestTransfer(a.socket, chat.conversationId, { type: 'department', departmentId: other })), 'CONFLICT:pending');
  });
});
