import assert from 'node:assert/strict';
import type { Message } from '../../../shared/schemas/chat.js';
import type { Offer } from '../../../shared/schemas/routing.js';
import type { ConsultMessage, Transfer } from '../../../shared/schemas/transfer.js';
import type { Database } from '../../../server/src/db/database.js';
import { createUsers } from '../../../server/src/users/users.js';
import { clientId, eventually, sleep } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectAgent, connectVisitor, expectOk, login, nextEvent, visitorSession, type AgentSocket } from '../../support/clients.js';
import { startCluster, type TestCluster } from '../../support/cluster.js';
import { dbTargets } from '../../support/dbTargets.js';
import { redisAvailable } from '../../support/redis.js';
import { collect, messageMatching, transferUpdate } from './helpers.js';

const PASSWORD = 'correct horse battery staple';

async function seed(db: Database): Promise<number> {
  const dept = await db.models.Department.create({ slug: 'technik', name: 'Technik', languages: ['de'], openingHours: null, fallbackDepartmentId: null, wrapUpSeconds: 0 });
  const users = createUsers(db.models);
  for (const name of ['Anna', 'Bernd']) {
    const user = await users.create({ email: `${name.toLowerCase()}@cluster.test`, name, password: PASSWORD, role: 'agent', languages: ['de'], maxChats: 3 });
    await db.models.DepartmentMember.create({ userId: user.id, departmentId: dept.id, level: 'L1', maxChats: null });
  }
  return dept.id;
}

async function agentOn(url: string, email: string): Promise<AgentSocket> {
  const socket = await connectAgent(url, await login(url, email, PASSWORD));
  await ask(socket, 'presence:get', {});
  return socket;
}

const userId = async (db: Database, email: string) => (await db.models.User.findOne({ where: { email } }))!.id;

// Needs a shared MariaDB and Redis, like the cluster suite; CI provides and requires both.
const clusterPossible = dbTargets().includes('mariadb');

(clusterPossible ? describe : describe.skip)('cluster: a warm transfer across two server processes', function () {
  this.timeout(180_000);
  before(async function () {
    assert.ok(await redisAvailable(), 'the cluster suite needs Redis');
  });
  afterEach(closeAllSockets);

  it('A on node a hands over to B on node b; the visitor on node a keeps chatting with B; a lapse is reported once', async () => {
    let departmentId = 0;
    const cluster: TestCluster = await startCluster({ nodes: 2, env: { TRANSFER_TIMEOUT_SECONDS: '10' }, seed: async (db) => void (departmentId = await seed(db)) });
    try {
      const [nodeA, nodeB] = cluster.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0]];
      const anna = await agentOn(nodeA.url, 'anna@cluster.test');
      const bernd = await agentOn(nodeB.url, 'bernd@cluster.test');
      const annaId = await userId(cluster.db, 'anna@cluster.test');
      const berndId = await userId(cluster.db, 'bernd@cluster.test');
      const offered = nextEvent<Offer>(anna, 'offer:received', 10_000);
      expectOk(await ask(anna, 'presence:set', { status: 'available' }));

      const visitor = await connectVisitor(nodeA.url, (await visitorSession(nodeA.url)).token);
      const leaks: string[] = [];
      visitor.onAny((event: string, ...args: unknown[]) => {
        if (JSON.stringify(args).includes('INTERN')) leaks.push(event);
      });
      const started = expectOk(await ask(visitor, 'conversation:start', { clientId: clientId(), departmentId, language: 'de', name: 'Erika', text: 'Hallo von Knoten a' }));
      const conversationId = started.conversation.id;
      assert.equal((await offered).conversationId, conversationId);
      expectOk(await ask(anna, 'offer:accept', { conversationId }));
      expectOk(await ask(bernd, 'presence:set', { status: 'available' }));

      const incoming = transferUpdate(bernd, 'pending', 10_000);
      const transfer = expectOk(
        await ask(anna, 'transfer:request', { conversationId, clientId: clientId(), to: { type: 'agent', agentId: berndId }, note: 'INTERN: Übergabe', force: false }),
      ).transfer;
      assert.equal((await incoming).id, transfer.id);
      const detail = expectOk(await ask(bernd, 'transfer:get', { transferId: transfer.id }));
      assert.ok(detail.conversation.messages.some((m) => m.body === 'Hallo von Knoten a'));
      const consult = nextEvent<ConsultMessage>(anna, 'consult:sent', 10_000);
      expectOk(await ask(bernd, 'consult:send', { transferId: transfer.id, clientId: clientId(), text: 'INTERN: Rückfrage von b' }));
      assert.equal((await consult).body, 'INTERN: Rückfrage von b');

      const acceptedForAnna = transferUpdate(anna, 'accepted', 10_000);
      const joined = messageMatching(visitor, /Sie sprechen jetzt mit Bernd\./, 10_000);
      expectOk(await ask(bernd, 'transfer:accept', { transferId: transfer.id }));
      await acceptedForAnna;
      await joined;

      const toBernd = messageMatching(bernd, /Geht es weiter\?/, 10_000);
      expectOk(await ask(visitor, 'message:send', { conversationId, clientId: clientId(), text: 'Geht es weiter?' }));
      await toBernd;
      const toVisitor = messageMatching(visitor, /Ja, ich bin jetzt für Sie da/, 10_000);
      expectOk(await ask(bernd, 'message:send', { conversationId, clientId: clientId(), text: 'Ja, ich bin jetzt für Sie da.' }));
      await toVisitor;
      const late = await ask(anna, 'message:send', { conversationId, clientId: clientId(), text: 'zu spät' });
      assert.equal(!late.ok && late.error.code, 'NOT_FOUND');
      const row = await cluster.db.models.Conversation.findByPk(conversationId);
      assert.equal(row?.assignedAgentId, berndId);

      // Bernd asks Anna back and nobody answers: both nodes run the timer, one reports it.
      const lapsedForBernd = collect<Transfer>(bernd, 'transfer:updated');
      const stays = messageMatching(visitor, /Bernd ist weiterhin für Sie da\./, 30_000);
      const back = expectOk(await ask(bernd, 'transfer:request', { conversationId, clientId: clientId(), to: { type: 'agent', agentId: annaId }, note: '', force: false })).transfer;
      await stays;
      await sleep(1500);
      assert.deepEqual(lapsedForBernd.filter((t) => t.id === back.id && t.status === 'expired').length, 1, 'one expiry push');
      const expiredEvents = await cluster.db.models.ConversationEvent.count({ where: { conversationId, type: 'transfer_expired' } });
      assert.equal(expiredEvents, 1);
      const visibleNotices = collect<Message>(visitor, 'message:sent');
      await eventually(async () => (await cluster.db.models.Conversation.findByPk(conversationId))?.assignedAgentId === berndId, 5000, 'Bernd keeps the chat');
      assert.deepEqual(visibleNotices.filter((m) => /weiterhin/.test(m.body)), [], 'the visitor is told once');
      assert.deepEqual(leaks, []);
    } finally {
      await cluster.close();
    }
  });
});
