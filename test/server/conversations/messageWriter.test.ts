import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createMessageWriter } from '../../../server/src/conversations/messageWriter.js';
import type { NewMessage } from '../../../server/src/conversations/messageStore.js';
import { createSqlRunner, type SqlRunner } from '../../../server/src/db/sqlRunner.js';
import { NotFoundError } from '../../../server/src/errors/errors.js';
import { createLogger } from '../../../server/src/log/logger.js';
import { clientId } from '../../support/chatFixtures.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describeEachDb('message writer (group commit)', (db) => {
  let server: TestServer;
  let conversations: string[];
  let sql: SqlRunner;
  before(async () => {
    server = await startTestServer({ db });
    sql = await createSqlRunner(server.zentrale.db, createLogger('silent'));
    const { Department, Visitor, Conversation } = server.zentrale.db.models;
    const dept = await Department.create({ slug: 'w', name: 'W', languages: ['de'], openingHours: null, fallbackDepartmentId: null });
    conversations = [];
    for (let i = 0; i < 5; i++) {
      const visitor = await Visitor.create({ id: randomUUID(), name: `V${i}`, email: null, language: 'de', lastSeenAt: new Date() });
      const c = await Conversation.create({ id: randomUUID(), visitorId: visitor.id, departmentId: dept.id, status: 'active', language: 'de', assignedAgentId: null, closedAt: null, waitingSince: new Date() });
      conversations.push(c.id);
    }
  });
  after(() => server.close());

  const message = (conversationId: string, id: string | null, body: string, senderId = 'v'): NewMessage => ({
    conversationId, senderType: 'visitor', senderId, senderName: 'V', clientId: id, body, internal: false, attachmentId: null,
  });

  it('stores concurrent writes in batches and returns each row’s own id', async () => {
    const writer = createMessageWriter(server.zentrale.db, sql, createLogger('silent'), { maxBatch: 50, maxInFlight: 1 });
    const inputs = Array.from({ length: 300 }, (_, i) => message(conversations[i % 5]!, clientId(), `Nachricht ${i}`));
    const results = await Promise.all(inputs.map((m) => writer.write(m, new Date())));
    assert.ok(results.every((r) => !r.duplicate));
    const rows = await server.zentrale.db.models.Message.findAll({ where: { clientId: inputs.map((m) => m.clientId!) } });
    assert.equal(rows.length, 300);
    const byClient = new Map(rows.map((r) => [r.clientId, r]));
    for (const [i, r] of results.entries()) {
      const row = byClient.get(inputs[i]!.clientId)!;
      assert.equal(r.message.id, Number(row.id), 'the returned id is the stored row’s');
      assert.equal(r.message.body, row.body);
    }
    // Arrival order is storage order within a conversation.
    for (const conversationId of conversations) {
      const mine = results.filter((r) => r.message.conversationId === conversationId).map((r) => r.message.id);
      assert.deepEqual(mine, [...mine].sort((a, b) => a - b));
    }
  });

  it('keeps retries idempotent: in the same batch, in a later batch, and refuses a foreign client id', async () => {
    const writer = createMessageWriter(server.zentrale.db, sql, createLogger('silent'), { maxBatch: 50, maxInFlight: 1 });
    const id = clientId();
    const same = await Promise.all([1, 2, 3].map(() => writer.write(message(conversations[0]!, id, 'einmal'), new Date())));
    assert.equal(same.filter((r) => !r.duplicate).length, 1);
    assert.equal(new Set(same.map((r) => r.message.id)).size, 1);
    const later = await writer.write(message(conversations[0]!, id, 'einmal'), new Date());
    assert.equal(later.duplicate, true);
    assert.equal(later.message.id, same[0]!.message.id);
    await assert.rejects(writer.write(message(conversations[0]!, id, 'fremd', 'someone-else'), new Date()), /already used/);
    assert.equal(await server.zentrale.db.models.Message.count({ where: { clientId: id } }), 1);
    const mixed = await Promise.all([writer.write(message(conversations[1]!, clientId(), 'neu'), new Date()), writer.write(message(conversations[0]!, id, 'einmal'), new Date())]);
    assert.deepEqual(mixed.map((r) => r.duplicate), [false, true]);
  });

  it('writes messages without client id (system lines) every time', async () => {
    const writer = createMessageWriter(server.zentrale.db, sql, createLogger('silent'), { maxBatch: 50, maxInFlight: 1 });
    const results = await Promise.all([1, 2].map(() => writer.write({ ...message(conversations[2]!, null, 'System'), senderType: 'system', senderId: null }, new Date())));
    assert.notEqual(results[0]!.message.id, results[1]!.message.id);
  });

  it('checks each sender in the storing transaction: refusals fail alone, names come from the conversation', async () => {
    const writer = createMessageWriter(server.zentrale.db, sql, createLogger('silent'), { maxBatch: 50, maxInFlight: 1 });
    const { Conversation } = server.zentrale.db.models;
    const own = (await Conversation.findByPk(conversations[3]!))!;
    const onlyOwner = (visitorId: string) => (facts: Parameters<NonNullable<Parameters<typeof writer.write>[2]>>[0]) => {
      if (!facts || facts.visitorId !== visitorId) throw new NotFoundError('No such conversation.');
      return { senderName: facts.visitorName };
    };
    const at = new Date('2026-11-23T10:11:12.345Z');
    const [mine, foreign, missing] = await Promise.allSettled([
      writer.write({ ...message(own.id, clientId(), 'meins'), senderId: own.visitorId, senderName: null }, at, onlyOwner(own.visitorId)),
      writer.write(message(own.id, clientId(), 'fremd', 'stranger'), at, onlyOwner('stranger')),
      writer.write(message(randomUUID(), clientId(), 'nirgends', 'stranger'), at, onlyOwner('stranger')),
    ]);
    assert.equal(mine.status, 'fulfilled');
    assert.equal(foreign.status, 'rejected');
    assert.equal(missing.status, 'rejected');
    assert.ok((foreign as PromiseRejectedResult).reason instanceof NotFoundError);
    const stored = (mine as PromiseFulfilledResult<Awaited<ReturnType<typeof writer.write>>>).value;
    assert.equal(stored.message.senderName, 'V3', 'the visitor’s name from the conversation');
    assert.equal(stored.facts?.visitorId, own.visitorId);
    const row = (await server.zentrale.db.models.Message.findByPk(stored.message.id))!;
    assert.equal(row.body, 'meins');
    assert.equal(row.createdAt.toISOString(), at.toISOString(), 'the timestamp survives the round trip in UTC with milliseconds');
    assert.equal(await server.zentrale.db.models.Message.count({ where: { body: ['fremd', 'nirgends'] } }), 0);
  });

  it('fails only the row the database refuses: the rest of its batch is stored', async () => {
    const writer = createMessageWriter(server.zentrale.db, sql, createLogger('silent'), { maxBatch: 50, maxInFlight: 1 });
    const inputs = Array.from({ length: 40 }, (_, i) => message(i === 17 ? randomUUID() : conversations[i % 5]!, clientId(), `Batch ${i}`));
    // Unchecked writes (no authorize): the bad row reaches the INSERT, where the foreign key refuses it.
    const outcomes = await Promise.allSettled(inputs.map((m) => writer.write(m, new Date())));
    assert.equal(outcomes[17]!.status, 'rejected');
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 39, 'every bystander is stored');
    assert.equal(await server.zentrale.db.models.Message.count({ where: { clientId: inputs.map((m) => m.clientId!) } }), 39);
  });

  it('checks a second sender of the same client id in the same batch on its own: a stranger gets nothing', async () => {
    const writer = createMessageWriter(server.zentrale.db, sql, createLogger('silent'), { maxBatch: 50, maxInFlight: 1 });
    const own = (await server.zentrale.db.models.Conversation.findByPk(conversations[4]!))!;
    const onlyOwner = (visitorId: string) => (facts: Parameters<NonNullable<Parameters<typeof writer.write>[2]>>[0]) => {
      if (!facts || facts.visitorId !== visitorId) throw new NotFoundError('No such conversation.');
      return { senderName: facts.visitorName };
    };
    const id = clientId();
    // The first write keeps the writer busy, so the next two wait and go out in one batch.
    const [, owner, stranger] = await Promise.allSettled([
      writer.write(message(conversations[1]!, clientId(), 'vorweg'), new Date()),
      writer.write({ ...message(own.id, id, 'geheim'), senderId: own.visitorId }, new Date(), onlyOwner(own.visitorId)),
      writer.write(message(own.id, id, 'egal', 'stranger'), new Date(), onlyOwner('stranger')),
    ]);
    assert.equal(owner.status, 'fulfilled');
    assert.equal(stranger.status, 'rejected', 'no duplicate ack with the owner\'s text');
    assert.ok((stranger as PromiseRejectedResult).reason instanceof NotFoundError);
  });

  it('stores U+0000 and other characters as bound values, never as SQL text', async () => {
    const writer = createMessageWriter(server.zentrale.db, sql, createLogger('silent'), { maxBatch: 50, maxInFlight: 1 });
    const body = "a\u0000b'; DROP TABLE messages; --\u0001 ? $1 \\";
    const stored = await writer.write(message(conversations[0]!, clientId(), body), new Date());
    const row = (await server.zentrale.db.models.Message.findByPk(stored.message.id))!;
    assert.equal(row.body, body);
  });
});
