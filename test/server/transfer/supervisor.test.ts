import assert from 'node:assert/strict';
import type { AgentConversation } from '../../../shared/schemas/chat.js';
import type { ConversationEvent } from '../../../shared/schemas/timeline.js';
import type { Transfer } from '../../../shared/schemas/transfer.js';
import { clientId, eventually, makeAgent, makeDepartment, makeVisitorChat } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, expectOk, nextEvent, request } from '../../support/clients.js';
import { describeEachTarget } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { collect, messageMatching, requestTransfer, servedChat, transferUpdate } from './helpers.js';

describeEachTarget('supervisor: transfers in progress and reassignment', ({ db, redis }) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ db, redis, env: { TRANSFER_TIMEOUT_SECONDS: '120' } });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  const supervisor = () => makeAgent(server, { memberships: [], role: 'supervisor', available: false });
  const reassign = (socket: Awaited<ReturnType<typeof supervisor>>['socket'], conversationId: string, to: { type: 'agent'; agentId: number } | { type: 'department'; departmentId: number }, force = false) =>
    ask(socket, 'supervisor:reassign', { conversationId, clientId: clientId(), to, note: '', force });

  it('sees transfers in progress as they happen and may withdraw one', async () => {
    const dept = await makeDepartment(server);
    const s = await supervisor();
    const a = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const b = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const chat = await servedChat(server, dept, a);
    await b.setStatus('available');
    const watched = collect<Transfer>(s.socket, 'transfer:updated');
    const pending = transferUpdate(s.socket, 'pending');
    const transfer = expectOk(await requestTransfer(a.socket, chat.conversationId, { type: 'agent', agentId: b.user.id }, { note: 'Bitte übernehmen' })).transfer;
    assert.equal((await pending).id, transfer.id);
    const inProgress = expectOk(await ask(s.socket, 'transfer:list', {})).transfers;
    assert.ok(inProgress.some((t) => t.id === transfer.id && t.status === 'pending' && t.note === 'Bitte übernehmen'));
    assert.deepEqual(expectOk(await ask(a.socket, 'transfer:list', {})).transfers.map((t) => t.id), [transfer.id], 'an agent sees their own');

    const toA = transferUpdate(a.socket, 'cancelled');
    const toB = transferUpdate(b.socket, 'cancelled');
    expectOk(await ask(s.socket, 'transfer:cancel', { transferId: transfer.id }));
    assert.equal((await toA).cancelCause, 'withdrawn');
    await toB;
    await eventually(() => watched.some((t) => t.id === transfer.id && t.status === 'cancelled'), 3000, 'the supervisor sees it end');
    assert.ok(!expectOk(await ask(s.socket, 'transfer:list', {})).transfers.some((t) => t.id === transfer.id));
  });

  it('reassigns a served chat to a colleague (over capacity only when forced); the visitor goes on with them', async () => {
    const dept = await makeDepartment(server, { wrapUpSeconds: 20 });
    const other = await makeDepartment(server);
    const s = await supervisor();
    const a = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const c = await makeAgent(server, { memberships: [{ departmentId: other }], maxChats: 1 });
    const chat = await servedChat(server, dept, a);
    await servedChat(server, other, c);

    const refusal = await reassign(s.socket, chat.conversationId, { type: 'agent', agentId: c.user.id });
    assert.equal(!refusal.ok && `${refusal.error.code}:${refusal.error.reason}`, 'CONFLICT:at_capacity');
    const forbidden = await reassign(a.socket, chat.conversationId, { type: 'agent', agentId: c.user.id }, true);
    assert.equal(!forbidden.ok && forbidden.error.code, 'FORBIDDEN');

    const assigned = nextEvent<AgentConversation>(c.socket, 'conversation:assigned');
    const aTold = nextEvent<AgentConversation>(a.socket, 'conversation:updated');
    const joined = messageMatching(chat.socket, new RegExp(`Sie sprechen jetzt mit ${c.user.name}`));
    const done = expectOk(await reassign(s.socket, chat.conversationId, { type: 'agent', agentId: c.user.id }, true));
    assert.deepEqual([done.transfer.status, done.transfer.forced, done.transfer.fromAgentId, done.transfer.requestedById], ['completed', true, a.user.id, s.user.id]);
    assert.equal((await assigned).id, chat.conversationId);
    assert.equal((await aTold).assignedAgentId, c.user.id);
    await joined;
    const toVisitor = messageMatching(chat.socket, /Hier ist C/);
    expectOk(await ask(c.socket, 'message:send', { conversationId: chat.conversationId, clientId: clientId(), text: 'Hier ist C.' }));
    await toVisitor;
    const stateA = await server.zentrale.engine.store.agent(a.user.id);
    assert.deepEqual([stateA.active, stateA.wrapUps.map((w) => w.conversationId)], [[], [chat.conversationId]]);
    assert.equal((await server.zentrale.engine.store.agent(c.user.id)).active.length, 2);
  });

  it('puts a waiting chat straight with an agent, and moves a served one to another department', async () => {
    const dept = await makeDepartment(server);
    const other = await makeDepartment(server);
    const s = await supervisor();
    const away = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    await away.setStatus('away');
    const e = await makeAgent(server, { memberships: [] });
    const chat = await makeVisitorChat(server, dept, { name: 'Wartet' });

    const refused = await reassign(s.socket, chat.conversationId, { type: 'agent', agentId: away.user.id });
    assert.equal(!refused.ok && refused.error.reason, 'away');
    const assigned = nextEvent<AgentConversation>(e.socket, 'conversation:assigned');
    const joined = messageMatching(chat.socket, new RegExp(`Sie sprechen jetzt mit ${e.user.name}`));
    const direct = expectOk(await reassign(s.socket, chat.conversationId, { type: 'agent', agentId: e.user.id }));
    assert.deepEqual([direct.conversation.status, direct.conversation.assignedAgentId, direct.transfer.fromAgentId], ['active', e.user.id, null]);
    await assigned;
    await joined;

    const moved = expectOk(await reassign(s.socket, chat.conversationId, { type: 'department', departmentId: other }));
    assert.deepEqual([moved.conversation.status, moved.conversation.departmentId], ['queued', other]);
    assert.deepEqual((await server.zentrale.engine.store.agent(e.user.id)).active, []);

    const timeline = await request<{ events: ConversationEvent[] }>(server.baseUrl, 'GET', `/api/conversations/${chat.conversationId}/events`, { cookie: s.cookie });
    const types = timeline.body.ok ? timeline.body.data.events.map((ev) => [ev.type, ev.actor.name]) : [];
    assert.deepEqual(types, [['queued', 'Wartet'], ['reassigned', s.user.name], ['reassigned', s.user.name], ['queued', null]]);
  });
});
