import assert from 'node:assert/strict';
import type { Message } from '../../../shared/schemas/chat.js';
import { clientId, eventually, makeAgent, makeDepartment } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectAgent, connectVisitor, expectOk } from '../../support/clients.js';
import { describeEachTarget } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { collect, requestTransfer, servedChat } from './helpers.js';

describeEachTarget('transfer atomicity under a message storm', ({ db, redis }) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ db, redis, env: { SOCKET_EVENTS_PER_10S: '100000' } });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  it('no message sent by anyone during the handover is lost or duplicated; the chat moves exactly once', async function () {
    this.timeout(90_000);
    const dept = await makeDepartment(server);
    const a = await makeAgent(server, { memberships: [{ departmentId: dept }], maxChats: 2 });
    const b = await makeAgent(server, { memberships: [{ departmentId: dept }], maxChats: 2, available: false });
    const chat = await servedChat(server, dept, a);
    await b.setStatus('available');
    const conversationId = chat.conversationId;
    const bTab2 = await connectAgent(server.baseUrl, b.cookie);
    await ask(bTab2, 'presence:get', {});
    const visitorTab2 = await connectVisitor(server.baseUrl, chat.token);
    const { Message: MessageRow } = server.zentrale.db.models;

    const transfer = expectOk(await requestTransfer(a.socket, conversationId, { type: 'agent', agentId: b.user.id }, { note: 'Bitte übernehmen' })).transfer;
    const seenBefore = expectOk(await ask(b.socket, 'transfer:get', { transferId: transfer.id })).conversation.messages;
    const lastIdBefore = Math.max(...seenBefore.map((m) => m.id));

    const liveB = collect<Message>(b.socket, 'message:sent');
    const liveVisitor = collect<Message>(chat.socket, 'message:sent');
    const liveVisitorTab2 = collect<Message>(visitorTab2, 'message:sent');

    // The storm: the visitor and A write as fast as they can while B's two tabs both accept.
    let visitorAcked = 0;
    const visitorSends = Array.from({ length: 80 }, (_, i) =>
      ask(chat.socket, 'message:send', { conversationId, clientId: clientId(), text: `Besucher ${i}` }).then((ack) => {
        visitorAcked++;
        return ack;
      }),
    );
    const agentSends = Array.from({ length: 40 }, (_, i) => ask(a.socket, 'message:send', { conversationId, clientId: clientId(), text: `Agent A ${i}` }));
    await eventually(() => visitorAcked >= 20, 20_000, 'the storm under way');
    const answers = await Promise.all([
      ask(b.socket, 'transfer:accept', { transferId: transfer.id }),
      ask(bTab2, 'transfer:accept', { transferId: transfer.id }),
    ]);
    const fromB = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(b.socket, 'message:send', { conversationId, clientId: clientId(), text: `Agent B ${i}` })));
    const visitorResults = await Promise.all(visitorSends);
    const agentResults = await Promise.all(agentSends);

    // Exactly one tab's accept wins.
    const won = answers.filter((r) => r.ok);
    assert.equal(won.length, 1);
    assert.ok(answers.some((r) => !r.ok && r.error.code === 'CONFLICT'));
    const detail = won[0]!.ok ? won[0]!.data : null;

    // Every acknowledged message is stored once; a refused one (A after the handover) not at all.
    const stored = await MessageRow.findAll({ where: { conversationId }, order: [['id', 'ASC']] });
    const byClientId = new Map<string, number>();
    for (const m of stored) if (m.clientId) byClientId.set(m.clientId, (byClientId.get(m.clientId) ?? 0) + 1);
    for (const r of [...visitorResults, ...fromB]) {
      const message = expectOk(r).message;
      assert.equal(byClientId.get(message.clientId!), 1, message.body);
    }
    let aAccepted = 0;
    for (const r of agentResults) {
      if (r.ok) {
        aAccepted++;
        assert.equal(byClientId.get(r.data.message.clientId!), 1);
      } else {
        assert.equal(r.error.code, 'NOT_FOUND', 'refused after the handover, never half-stored');
      }
    }
    assert.equal(stored.filter((m) => m.senderType === 'agent' && m.body.startsWith('Agent A ')).length, aAccepted);
    assert.equal(stored.filter((m) => /Sie sprechen jetzt mit/.test(m.body) && m.id > lastIdBefore).length, 1, 'one handover notice');

    // The visitor's other tab gets every visible message once; the sending tab every one but its own.
    const visible = stored.filter((m) => !m.internal && m.id > lastIdBefore);
    await eventually(() => new Set(liveVisitorTab2.map((m) => m.id)).size >= visible.length, 15_000, 'the second tab caught up');
    assert.deepEqual(liveVisitorTab2.map((m) => m.id).sort((x, y) => x - y), visible.map((m) => Number(m.id)), 'no gap, no duplicate');
    const othersThanOwn = visible.filter((m) => m.senderType !== 'visitor');
    await eventually(() => liveVisitor.length >= othersThanOwn.length, 15_000, 'the sending tab caught up');
    assert.deepEqual(liveVisitor.map((m) => m.id).sort((x, y) => x - y), othersThanOwn.map((m) => Number(m.id)));

    // B, who followed the conversation from the request on, misses nothing and gets nothing twice.
    const liveIds = liveB.map((m) => m.id);
    assert.equal(new Set(liveIds).size, liveIds.length, 'no push twice');
    const known = new Set([...seenBefore, ...(detail?.messages ?? []), ...liveB, ...fromB.map((r) => expectOk(r).message)].map((m) => m.id));
    await eventually(() => stored.every((m) => known.has(Number(m.id)) || liveB.some((x) => x.id === Number(m.id))), 15_000, 'B has every message');

    // Ownership and capacity moved once and together.
    const row = await server.zentrale.db.models.Conversation.findByPk(conversationId);
    assert.deepEqual([row?.status, row?.assignedAgentId], ['active', b.user.id]);
    const stateA = await server.zentrale.engine.store.agent(a.user.id);
    const stateB = await server.zentrale.engine.store.agent(b.user.id);
    assert.deepEqual(stateA.active, []);
    assert.deepEqual([stateB.active, stateB.reserved], [[conversationId], []]);
    const accepted = await server.zentrale.db.models.ConversationEvent.count({ where: { conversationId, type: 'transfer_accepted' } });
    assert.equal(accepted, 1);
  });
});
