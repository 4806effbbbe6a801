import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createStartWriter, type NewChat } from '../../../server/src/chat/startWriter.js';
import { createSqlRunner } from '../../../server/src/db/sqlRunner.js';
import { ValidationError } from '../../../server/src/errors/errors.js';
import { createLogger } from '../../../server/src/log/logger.js';
import { clientId } from '../../support/chatFixtures.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describeEachDb('chat start writer (group commit)', (db) => {
  let server: TestServer;
  let departmentId: number;
  before(async () => {
    server = await startTestServer({ db });
    departmentId = (await server.zentrale.db.models.Department.create({ slug: 'sw', name: 'SW', languages: ['de'], openingHours: null, fallbackDepartmentId: null })).id;
  });
  after(() => server.close());

  async function visitor(customerNumber: string | null = null): Promise<string> {
    const id = randomUUID();
    await server.zentrale.db.models.Visitor.create({ id, name: null, email: null, language: 'de', customerNumber, lastSeenAt: new Date() });
    return id;
  }

  function chat(visitorId: string, opts: { departmentId?: number; name?: string; customerNumber?: string | null } = {}): NewChat {
    const at = new Date();
    const { Conversation } = server.zentrale.db.models;
    return {
      conversation: Conversation.build(
        {
          id: randomUUID(), visitorId, departmentId: opts.departmentId ?? departmentId, status: 'queued', channel: 'chat', language: 'de', assignedAgentId: null,
          customerNumber: opts.customerNumber ?? null, ticketRef: null, page: null, priority: 0, waitingSince: at, acceptedAt: null, closedAt: null, closedBy: null,
          visitorReadUpTo: 0, agentReadUpTo: 0, transcriptEmail: null, transcriptRequestedAt: null, createdAt: at, updatedAt: at,
        },
        { isNewRecord: false, raw: true },
      ),
      visitor: { name: opts.name ?? 'Besucher', email: 'b@example.com', language: 'de', customerNumber: opts.customerNumber ?? null },
      clientId: clientId(),
      text: 'Hallo, ich brauche Hilfe',
    };
  }

  it('stores many concurrent starts with their first messages and visitor details', async () => {
    const writer = createStartWriter(await createSqlRunner(server.zentrale.db, createLogger('silent')), createLogger('silent'), 50);
    const visitors = await Promise.all(Array.from({ length: 120 }, () => visitor()));
    const chats = visitors.map((v, i) => chat(v, { name: `Gast ${i}` }));
    const outcomes = await Promise.all(chats.map((c) => writer.write(c)));
    const { Conversation, Message, Visitor } = server.zentrale.db.models;
    for (const [i, outcome] of outcomes.entries()) {
      assert.equal(outcome.kind, 'started');
      const message = await Message.findByPk(outcome.kind === 'started' ? outcome.messageId : -1);
      assert.equal(message?.conversationId, chats[i]!.conversation.id, 'each start gets its own first message id');
      assert.equal(message?.senderName, `Gast ${i}`);
    }
    assert.equal(await Conversation.count({ where: { id: chats.map((c) => c.conversation.id) } }), 120);
    const stored = await Visitor.findByPk(visitors[7]!);
    assert.equal(stored?.name, 'Gast 7');
    assert.equal(stored?.email, 'b@example.com');
  });

  it('lets one start per visitor through; a second one finds it open; a bad one fails alone', async () => {
    const writer = createStartWriter(await createSqlRunner(server.zentrale.db, createLogger('silent')), createLogger('silent'));
    const [a, b] = [await visitor('K-1'), await visitor()];
    const [first, second, unknown, other] = await Promise.allSettled([
      writer.write(chat(a)),
      writer.write(chat(a)),
      writer.write(chat(b, { departmentId: 999_999 })),
      writer.write(chat(b)),
    ]);
    assert.equal(first.status === 'fulfilled' && first.value.kind, 'started');
    assert.equal(second.status === 'fulfilled' && second.value.kind, 'open');
    assert.ok(unknown.status === 'rejected' && unknown.reason instanceof ValidationError);
    assert.equal(other.status === 'fulfilled' && other.value.kind, 'started');
    assert.equal(await server.zentrale.db.models.Conversation.count({ where: { visitorId: a } }), 1);
    assert.equal((await server.zentrale.db.models.Visitor.findByPk(a))?.customerNumber, 'K-1', 'a start without a customer number keeps the known one');
  });
});
