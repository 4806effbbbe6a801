import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Ack } from '../../../shared/ack.js';
import type { TicketCreated } from '../../../shared/schemas/tickets.js';
import { clientId, makeDepartment } from '../../support/chatFixtures.js';
import { ask, expectOk, type VisitorSocket } from '../../support/clients.js';
import { describeEachTarget } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { closeSockets, freshAddress, from, METRICS_TOKEN, newSession, refusals, visitorAt } from './helpers.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da6364f8ffbf1e000504020157a3d6f10000000049454e44ae426082', 'hex');
/** A PNG of exactly `size` bytes (the type is read from the first bytes). */
const png = (size: number) => Buffer.concat([PNG, Buffer.alloc(size - PNG.length, 0)]);
/** The start of a WebM file (what MediaRecorder writes), padded to `size` bytes. */
const webm = (size: number) => {
  const header = Buffer.from([
    0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08,
    0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d, 0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02,
  ]);
  return Buffer.concat([header, Buffer.alloc(size - header.length, 7)]);
};

const refusedFor = (ack: Ack<unknown>): number => {
  assert.ok(!ack.ok, `expected a refusal, got ${JSON.stringify(ack)}`);
  assert.equal(ack.error.code, 'RATE_LIMITED');
  assert.ok(typeof ack.error.retryAfterSeconds === 'number' && ack.error.retryAfterSeconds >= 1, 'retryAfterSeconds');
  return ack.error.retryAfterSeconds;
};

/** The same limits for every test; each test works from addresses of its own. */
const TIGHT = {
  TRUST_PROXY: 'loopback',
  METRICS_TOKEN,
  VISITOR_SESSIONS_PER_ADDRESS_PER_10MIN: '3',
  OPEN_CHATS_PER_ADDRESS: '2',
  CHAT_STARTS_PER_ADDRESS_PER_10MIN: '3',
  TICKETS_PER_VISITOR_PER_HOUR: '2',
  TICKETS_PER_ADDRESS_PER_HOUR: '3',
  ATTACHMENT_MAX_BYTES: '4096',
  ATTACHMENT_BYTES_PER_CONVERSATION: '6000',
  ATTACHMENT_BYTES_PER_VISITOR_PER_DAY: '9000',
  VOICEMAILS_PER_VISITOR_PER_HOUR: '1',
  VOICEMAIL_BYTES_PER_ADDRESS_PER_DAY: String(2 * 1024 * 1024),
};

describeEachTarget('quotas on what anonymous visitors create', (target) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ db: target.db, redis: target.redis, env: TIGHT });
  });
  after(() => server.close());
  afterEach(closeSockets);

  const start = (socket: VisitorSocket, departmentId: number, id = clientId()) =>
    ask(socket, 'conversation:start', { clientId: id, departmentId, language: 'de', name: 'Erika', text: 'Hallo' });

  it('new visitors per address: past the budget RATE_LIMITED with retryAfterSeconds (429, Retry-After), counted in /metrics; known visitors resume, other addresses go on', async () => {
    const address = freshAddress();
    const before = await refusals(server, 'visitor-sessions-per-address');
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const made = await newSession(server, address);
      assert.equal(made.status, 200);
      if (made.body.ok) tokens.push(made.body.data.token);
    }
    const refused = await newSession(server, address);
    assert.equal(refused.status, 429);
    assert.ok(refusedFor(refused.body) <= 600);
    assert.equal(refused.headers.get('retry-after'), String(!refused.body.ok && refused.body.error.retryAfterSeconds));
    assert.equal(await refusals(server, 'visitor-sessions-per-address'), before + 1);

    const resumed = await newSession(server, address, tokens[0]);
    assert.equal(resumed.status, 200, 'a widget coming back with its token is never refused');
    assert.equal(resumed.body.ok && resumed.body.data.token, tokens[0]);
    assert.equal((await newSession(server, freshAddress())).status, 200, 'another address has its own budget');
  });

  it('open chats per address: a third waiting chat from one address is refused, a visitor elsewhere is not; a chat that ends frees a place; a retried start still gets its chat', async () => {
    const dept = await makeDepartment(server);
    const address = freshAddress();
    const [a, b, c] = [await visitorAt(server, address), await visitorAt(server, address), await visitorAt(server, address)];
    const firstId = clientId();
    const first = expectOk(await start(a.socket, dept, firstId));
    expectOk(await start(b.socket, dept));
    const before = await refusals(server, 'chats-open-per-address');
    refusedFor(await start(c.socket, dept));
    assert.equal(await refusals(server, 'chats-open-per-address'), before + 1);
    assert.equal(await server.zentrale.db.models.Conversation.count({ where: { visitorId: c.visitorId } }), 0, 'nothing stored for the refused start');

    const retried = expectOk(await start(a.socket, dept, firstId));
    assert.equal(retried.conversation.id, first.conversation.id, 'the lost ack of a start is answered, not refused');

    const elsewhere = await visitorAt(server, freshAddress());
    expectOk(await start(elsewhere.socket, dept));

    expectOk(await ask(a.socket, 'conversation:end', { conversationId: first.conversation.id }));
    expectOk(await start(c.socket, dept));
  });

  it('chat starts per address: starting and ending chats in a loop runs out of starts; the last start retried is still answered', async () => {
    const dept = await makeDepartment(server);
    const v = await visitorAt(server, freshAddress());
    for (let i = 0; i < 2; i++) {
      const { conversation } = expectOk(await start(v.socket, dept));
      expectOk(await ask(v.socket, 'conversation:end', { conversationId: conversation.id }));
    }
    const lastId = clientId();
    const last = expectOk(await start(v.socket, dept, lastId));
    assert.equal(expectOk(await start(v.socket, dept, lastId)).conversation.id, last.conversation.id, 'a retry with every start used');
    expectOk(await ask(v.socket, 'conversation:end', { conversationId: last.conversation.id }));
    const before = await refusals(server, 'chat-starts-per-address');
    refusedFor(await start(v.socket, dept));
    assert.equal(await refusals(server, 'chat-starts-per-address'), before + 1);
  });

  it('tickets per visitor and per address per hour; a retry is not counted', async () => {
    const dept = await makeDepartment(server, { offlineFallback: true });
    const address = freshAddress();
    const v = await visitorAt(server, address);
    const create = (socket: VisitorSocket, id = clientId()) =>
      ask(socket, 'ticket:create', { clientId: id, departmentId: dept, language: 'de', name: 'Erika', text: 'Bitte um Rückruf', email: 'erika@example.com' });
    const firstId = clientId();
    expectOk(await create(v.socket, firstId));
    expectOk(await create(v.socket));
    assert.equal(expectOk(await create(v.socket, firstId)).duplicate, true, 'a retry with the budget used up is answered');
    refusedFor(await create(v.socket));
    const tickets = () => server.zentrale.tickets.models.Ticket.count({ where: { visitorId: v.visitorId } });
    assert.equal(await tickets(), 2);

    // The address's budget (3) is shared by every visitor there.
    const neighbour = await visitorAt(server, address);
    expectOk(await create(neighbour.socket));
    const before = await refusals(server, 'tickets-per-address');
    refusedFor(await create(neighbour.socket));
    assert.equal(await refusals(server, 'tickets-per-address'), before + 1);
    expectOk(await create((await visitorAt(server, freshAddress())).socket));
  });

  it('attachment bytes per conversation and per visitor: refused before anything is stored, by the declared or the streamed size; retries and refusals use nothing up', async () => {
    const dept = await makeDepartment(server);
    const address = freshAddress();
    const v = await visitorAt(server, address);
    const upload = async (conversationId: string, body: Buffer, opts: { id?: string; streamed?: boolean } = {}) => {
      const headers = { authorization: `Bearer ${v.token}`, 'x-client-id': opts.id ?? clientId(), 'x-filename': 'bild.png', 'content-type': 'application/octet-stream', ...from(address) };
      const res = await fetch(`${server.baseUrl}/api/conversations/${conversationId}/attachments`, {
        method: 'POST',
        headers,
        // A stream has no Content-Length: the size is only known once read.
        body: opts.streamed ? new ReadableStream({ start: (c) => (c.enqueue(new Uint8Array(body)), c.close()) }) : new Uint8Array(body),
        ...(opts.streamed ? { duplex: 'half' } : {}),
      } as RequestInit);
      return { status: res.status, body: (await res.json()) as Ack<unknown> };
    };
    const files = async () => (await readdir(path.join(server.zentrale.config.dataDir, 'attachments')).catch(() => [])).length;
    const { conversation } = expectOk(await start(v.socket, dept));

    const firstId = clientId();
    assert.equal((await upload(conversation.id, png(3000), { id: firstId })).status, 201);
    const stored = await files();
    const tooMuch = await upload(conversation.id, png(3500));
    assert.equal(tooMuch.status, 429);
    refusedFor(tooMuch.body);
    assert.equal(await files(), stored, 'the refused file was not stored');
    assert.equal(await server.zentrale.db.models.Attachment.count({ where: { conversationId: conversation.id } }), 1);
    assert.equal((await upload(conversation.id, png(3000), { id: firstId })).status, 200, 'a retry is answered and not counted again');
    assert.equal((await upload(conversation.id, png(2500))).status, 201, 'the refused file took nothing from the budget');
    const streamed = await upload(conversation.id, png(1000), { streamed: true });
    assert.equal(streamed.status, 429, 'without Content-Length the streamed size counts');

    // A new conversation has a new conversation budget, but the visitor's day is nearly used (5500 of 9000).
    expectOk(await ask(v.socket, 'conversation:end', { conversationId: conversation.id }));
    const next = expectOk(await start(v.socket, dept)).conversation;
    assert.equal((await upload(next.id, png(3000))).status, 201);
    const before = await refusals(server, 'attachment-bytes-per-visitor');
    assert.equal((await upload(next.id, png(1000))).status, 429);
    assert.equal(await refusals(server, 'attachment-bytes-per-visitor'), before + 1);
  });

  it('voicemails per visitor per hour and recording bytes per address per day; a retry is not counted', async () => {
    const dept = await makeDepartment(server, { offlineFallback: true });
    const address = freshAddress();
    const leave = async (token: string, body: Buffer, id = clientId()) => {
      const qs = new URLSearchParams({ clientId: id, durationSeconds: '30', departmentId: String(dept), language: 'de', name: 'Erika' });
      const res = await fetch(`${server.baseUrl}/api/visitor/voicemail?${qs}`, {
        method: 'POST',
        headers: { 'content-type': 'audio/webm', authorization: `Bearer ${token}`, ...from(address) },
        body: new Uint8Array(body),
      });
      return { status: res.status, body: (await res.json()) as Ack<TicketCreated> };
    };
    const tickets = () => server.zentrale.tickets.models.Ticket.count({ where: { kind: 'voicemail', departmentId: dept } });
    const one = await visitorAt(server, address);
    const firstId = clientId();
    assert.equal((await leave(one.token, webm(1_200_000), firstId)).status, 201);
    assert.equal((await leave(one.token, webm(1_200_000), firstId)).status, 200, 'a retry');
    const second = await leave(one.token, webm(5000));
    assert.equal(second.status, 429, 'one voicemail per visitor and hour');
    refusedFor(second.body);

    const other = await visitorAt(server, address);
    const before = await refusals(server, 'voicemail-bytes-per-address');
    const big = await leave(other.token, webm(1_200_000));
    assert.equal(big.status, 429, 'the address has 2 MiB of recordings a day');
    assert.equal(await refusals(server, 'voicemail-bytes-per-address'), before + 1);
    assert.equal(await tickets(), 1, 'no ticket for a refused voicemail');
    assert.equal((await leave(other.token, webm(5000))).status, 201, 'a short one still fits');
  });
});

describeEachTarget('installation-wide caps on anonymous creation', (target) => {
  it('new visitors of the whole installation: a refusal by one address’s budget takes nothing from the installation’s', async () => {
    const server = await startTestServer({
      db: target.db,
      redis: target.redis,
      env: { TRUST_PROXY: 'loopback', METRICS_TOKEN, VISITOR_SESSIONS_PER_ADDRESS_PER_10MIN: '3', VISITOR_SESSIONS_PER_10MIN: '4' },
    });
    try {
      const a = freshAddress();
      for (let i = 0; i < 3; i++) assert.equal((await newSession(server, a)).status, 200);
      assert.equal((await newSession(server, a)).status, 429);
      assert.equal((await newSession(server, freshAddress())).status, 200, 'the fourth of the installation');
      const refused = await newSession(server, freshAddress());
      assert.equal(refused.status, 429);
      refusedFor(refused.body);
      assert.equal(await refusals(server, 'visitor-sessions'), 1);
    } finally {
      await server.close();
    }
  });
});
