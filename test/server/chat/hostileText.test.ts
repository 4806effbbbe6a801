import assert from 'node:assert/strict';
import type { Ack } from '../../../shared/ack.js';
import { accept, clientId, makeAgent, makeDepartment, makeVisitorChat } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectVisitor, emitRaw, request, visitorSession } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const refusedAt = (ack: Ack<unknown>, path: string) => {
  assert.equal(!ack.ok && ack.error.code, 'VALIDATION_FAILED', JSON.stringify(ack));
  assert.equal(!ack.ok && ack.error.issues?.[0]?.path, path);
};

describeEachDb('text no field may hold (U+0000, control characters, lone surrogates)', (db) => {
  let server: TestServer;
  let departmentId: number;
  before(async () => {
    server = await startTestServer({ db });
    departmentId = await makeDepartment(server);
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  it('refuses them with VALIDATION_FAILED on every socket event, naming the field, and stores nothing', async () => {
    const socket = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);
    const before = await server.zentrale.db.models.Conversation.count();
    refusedAt(await emitRaw(socket, 'conversation:start', { clientId: clientId(), departmentId, language: 'de', name: 'Nul', text: 'a\u0000b' }), 'text');
    refusedAt(await emitRaw(socket, 'conversation:start', { clientId: clientId(), departmentId, language: 'de', name: 'x\u0007', text: 'ok' }), 'name');
    refusedAt(await emitRaw(socket, 'ticket:create', { clientId: clientId(), departmentId, name: 'N', email: 'n@example.com', text: 'x\u001by' }), 'text');
    assert.equal(await server.zentrale.db.models.Conversation.count(), before);

    const visitor = await makeVisitorChat(server, departmentId);
    refusedAt(await emitRaw(visitor.socket, 'message:send', { conversationId: visitor.conversationId, clientId: clientId(), text: 'x\ud800y' }), 'text');
    refusedAt(await emitRaw(visitor.socket, 'message:send', { conversationId: visitor.conversationId, clientId: clientId(), text: 'x\udc00' }), 'text');
    // Tabs and line breaks are text; a surrogate pair (an emoji) is one character.
    const fine = await emitRaw(visitor.socket, 'message:send', { conversationId: visitor.conversationId, clientId: clientId(), text: 'a\tb\r\nc 😀' });
    assert.ok(fine.ok);
    assert.equal((fine as { data: { message: { body: string } } }).data.message.body, 'a\tb\r\nc 😀', 'the ack says what is stored');

    const agent = await makeAgent(server, { memberships: [{ departmentId }] });
    const offered = await agent.offerFor(visitor.conversationId);
    await accept(agent, offered.conversationId);
    refusedAt(await emitRaw(agent.socket, 'note:add', { conversationId: offered.conversationId, clientId: clientId(), text: 'intern \u0000' }), 'text');
  });

  it('refuses them in REST bodies before anything else looks at them', async () => {
    const login = await request(server.baseUrl, 'POST', '/api/auth/login', { body: { email: 'someone@example.com', password: 'pass\u0000word' } });
    assert.equal(login.status, 400);
    assert.equal(!login.body.ok && login.body.error.issues?.[0]?.path, 'password');
    const session = await request(server.baseUrl, 'POST', '/api/visitor/session', { body: { token: 'x\ud800' } });
    assert.equal(session.status, 400);
    assert.equal(!session.body.ok && session.body.error.code, 'VALIDATION_FAILED');
  });

  it('a sender of such text never fails anyone else: 300 bystanders write while 30 hostile messages arrive', async () => {
    const chats = await Promise.all(Array.from({ length: 10 }, () => makeVisitorChat(server, departmentId)));
    const attempts = Array.from({ length: 330 }, (_, i) => {
      const chat = chats[i % chats.length]!;
      const hostile = i % 11 === 0;
      return emitRaw(chat.socket, 'message:send', { conversationId: chat.conversationId, clientId: clientId(), text: hostile ? `böse\u0000${i}` : `Nachricht ${i}` }).then((ack) => ({ hostile, ack }));
    });
    const results = await Promise.all(attempts);
    const bystanders = results.filter((r) => !r.hostile);
    assert.equal(bystanders.length, 300);
    assert.deepEqual(bystanders.filter((r) => !r.ack.ok).map((r) => r.ack), [], 'every bystander is acknowledged');
    assert.ok(results.filter((r) => r.hostile).every((r) => !r.ack.ok && r.ack.error.code === 'VALIDATION_FAILED'));
  });
});
