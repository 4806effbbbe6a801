import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Conversation, Message } from '../../../shared/schemas/chat.js';
import { ask, closeAllSockets, connectVisitor, emitRaw, expectOk, nextEvent, noEvent, visitorSession, type VisitorSocket } from '../../support/clients.js';
import { withoutOfflineFallback } from '../../support/chatFixtures.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const clientId = () => randomUUID().replaceAll('-', '');

describeEachDb('visitor chat over the socket', (db) => {
  let server: TestServer;
  let departmentId: number;

  before(async () => {
    server = await startTestServer({ db });
    await server.seedDemo();
    await withoutOfflineFallback(server);
    departmentId = (await server.zentrale.db.models.Department.findOne({ where: { slug: 'technik' } }))!.id;
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  async function startChat(socket: VisitorSocket, text = 'Mein Router blinkt rot.') {
    return expectOk(
      await ask(socket, 'conversation:start', { clientId: clientId(), departmentId, language: 'de', name: 'Erika', text }),
    );
  }

  it('refuses a connection without a valid visitor token', async () => {
    await assert.rejects(connectVisitor(server.baseUrl, undefined), /UNAUTHENTICATED/);
    await assert.rejects(connectVisitor(server.baseUrl, 'not-a-token'), /UNAUTHENTICATED/);
    // A well-formed token signed with another key is just as worthless.
    const forged = (await visitorSession(server.baseUrl)).token.replace(/\.[^.]+$/, '.AAAA');
    await assert.rejects(connectVisitor(server.baseUrl, forged), /UNAUTHENTICATED/);
  });

  it('starts a conversation, stores the first message and resumes it after a reload', async () => {
    const { token } = await visitorSession(server.baseUrl);
    const socket = await connectVisitor(server.baseUrl, token);
    const { conversation, message } = await startChat(socket);
    assert.equal(conversation.status, 'queued');
    assert.equal(message.body, 'Mein Router blinkt rot.');
    assert.ok(message.id > 0);
    socket.close();

    const again = await visitorSession(server.baseUrl, token);
    assert.equal(again.token, token, 'a valid token is kept');
    const reloaded = await connectVisitor(server.baseUrl, token);
    const resumed = expectOk(await ask(reloaded, 'conversation:resume', {}));
    assert.equal(resumed.conversation?.id, conversation.id);
    assert.deepEqual(resumed.messages.map((m) => m.body), ['Mein Router blinkt rot.']);
  });

  it('stores a message once however often it is retried with the same client id', async () => {
    const socket = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);
    const { conversation } = await startChat(socket);
    const payload = { conversationId: conversation.id, clientId: clientId(), text: 'Noch da?' };
    const first = expectOk(await ask(socket, 'message:send', payload));
    const results = await Promise.all([1, 2, 3].map(() => ask(socket, 'message:send', payload)));
    for (const r of results.map(expectOk)) {
      assert.equal(r.duplicate, true);
      assert.equal(r.message.id, first.message.id);
    }
    assert.equal(first.duplicate, false);
    const stored = await server.zentrale.db.models.Message.count({ where: { conversationId: conversation.id, clientId: payload.clientId } });
    assert.equal(stored, 1);
  });

  it('gives a reconnecting client exactly what it missed, in order', async () => {
    const { token } = await visitorSession(server.baseUrl);
    const tab1 = await connectVisitor(server.baseUrl, token);
    const { conversation, message: first } = await startChat(tab1);
    const tab2 = await connectVisitor(server.baseUrl, token);
    const texts = ['eins', 'zwei', 'drei'];
    for (const text of texts) {
      expectOk(await ask(tab2, 'message:send', { conversationId: conversation.id, clientId: clientId(), text }));
    }
    const missed = expectOk(await ask(tab1, 'conversation:sync', { conversationId: conversation.id, afterId: first.id }));
    assert.deepEqual(missed.messages.map((m) => m.body), texts);
    const ids = missed.messages.map((m) => m.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  });

  it("delivers a visitor's message to their other tabs after acking it", async () => {
    const { token } = await visitorSession(server.baseUrl);
    const tab1 = await connectVisitor(server.baseUrl, token);
    const { conversation } = await startChat(tab1);
    const tab2 = await connectVisitor(server.baseUrl, token);
    const delivered = nextEvent<Message>(tab2, 'message:sent');
    const sent = expectOk(await ask(tab1, 'message:send', { conversationId: conversation.id, clientId: clientId(), text: 'Hallo' }));
    assert.equal((await delivered).id, sent.message.id);
    await noEvent(tab1, 'message:sent');
  });

  it("never lets a visitor read or write another visitor's conversation", async () => {
    const alice = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);
    const { conversation } = await startChat(alice, 'Privat: meine Kundennummer ist 4711');
    const mallory = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);
    const sync = await ask(mallory, 'conversation:sync', { conversationId: conversation.id, afterId: 0 });
    assert.equal(sync.ok, false);
    assert.equal(!sync.ok && sync.error.code, 'NOT_FOUND');
    const send = await ask(mallory, 'message:send', { conversationId: conversation.id, clientId: clientId(), text: 'x' });
    assert.equal(!send.ok && send.error.code, 'NOT_FOUND');
    const resumed = expectOk(await ask(mallory, 'conversation:resume', {}));
    assert.equal(resumed.conversation, null);
    await noEvent(mallory, 'message:sent');
  });

  it('answers malformed payloads and unknown events with an error ack and keeps serving', async () => {
    const socket = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);
    const cases: Array<[string, unknown[]]> = [
      ['message:send', [{ conversationId: 'nope', clientId: 'x', text: '' }]],
      ['message:send', [null]],
      ['message:send', ['a string']],
      ['message:send', []],
      ['message:send', [{ conversationId: randomUUID(), clientId: clientId(), text: 'x'.repeat(4001) }]],
      ['conversation:start', [{ clientId: clientId(), departmentId: -1, language: 'deutsch', name: '', text: 'x' }]],
      ['conversation:resume', [{ extra: true }]],
      ['conversation:sync', [{ conversationId: randomUUID(), afterId: 1.5 }]],
      ['__proto__', [{}]],
      ['presence:set', [{ status: 'available' }]], // an agent event: unknown in the visitor namespace
      ['no:such-event', [{}]],
    ];
    for (const [event, args] of cases) {
      const ack = await emitRaw(socket, event, ...args);
      assert.equal(ack.ok, false, `${event} ${JSON.stringify(args)} should fail`);
      if (!ack.ok) {
        assert.match(ack.error.code, /^(VALIDATION_FAILED|UNKNOWN_EVENT)$/);
        assert.ok(ack.error.message.length > 0);
      }
    }
    const unknown = await emitRaw(socket, 'presence:set', { status: 'available' });
    assert.equal(!unknown.ok && unknown.error.code, 'UNKNOWN_EVENT');
    const invalid = await emitRaw(socket, 'conversation:start', { clientId: 'short', departmentId, language: 'de', name: 'E', text: 'hi' });
    assert.equal(!invalid.ok && invalid.error.code, 'VALIDATION_FAILED');
    assert.ok(!invalid.ok && invalid.error.issues?.some((i) => i.path === 'clientId'));
    // Still connected and still served:
    assert.equal(socket.connected, true);
    const { conversation } = await startChat(socket);
    assert.ok(conversation.id);
  });

  it('refuses an unknown department with a field error', async () => {
    const socket = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);
    const ack = await ask(socket, 'conversation:start', { clientId: clientId(), departmentId: 999999, language: 'de', name: 'E', text: 'hi' });
    assert.equal(!ack.ok && ack.error.code, 'VALIDATION_FAILED');
    assert.deepEqual(!ack.ok && ack.error.issues?.map((i) => i.path), ['departmentId']);
  });

  it('returns the same conversation when a start is retried, and refuses a second open one', async () => {
    const socket = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);
    const payload = { clientId: clientId(), departmentId, language: 'en', name: 'Sam', text: 'Hello' };
    const first = expectOk(await ask(socket, 'conversation:start', payload));
    const retry = expectOk(await ask(socket, 'conversation:start', payload));
    assert.equal(retry.conversation.id, first.conversation.id);
    assert.equal(retry.message.id, first.message.id);
    const other = await ask(socket, 'conversation:start', { ...payload, clientId: clientId() });
    assert.equal(!other.ok && other.error.code, 'CONFLICT');
  });

  it('tells other tabs about a new conversation', async () => {
    const { token } = await visitorSession(server.baseUrl);
    const tab1 = await connectVisitor(server.baseUrl, token);
    const tab2 = await connectVisitor(server.baseUrl, token);
    const seen = nextEvent<Conversation>(tab2, 'conversation:updated');
    const { conversation } = await startChat(tab1);
    assert.equal((await seen).id, conversation.id);
  });
});

describe('visitor chat over HTTP long-polling (WebSocket blocked by a proxy)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await server.seedDemo();
    await withoutOfflineFallback(server);
  });
  after(() => server.close());

  it('connects, starts a chat and gets acks without touching Express', async () => {
    const { io } = await import('socket.io-client');
    const { token } = await visitorSession(server.baseUrl);
    const socket = io(`${server.baseUrl}/visitor`, { auth: { token }, transports: ['polling'], reconnection: false, forceNew: true }) as VisitorSocket;
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const departmentId = (await server.zentrale.db.models.Department.findOne({ where: { slug: 'technik' } }))!.id;
      const started = expectOk(await ask(socket, 'conversation:start', { clientId: clientId(), departmentId, language: 'de', name: 'P', text: 'über Polling' }));
      assert.equal(started.message.body, 'über Polling');
      assert.equal(socket.io.engine.transport.name, 'polling');
      assert.equal((await fetch(`${server.baseUrl}/health`)).status, 200, 'the server is still up');
    } finally {
      socket.close();
    }
  });
});
