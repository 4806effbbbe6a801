import assert from 'node:assert/strict';
import type { CallState } from '../../../shared/schemas/voice.js';
import { voiceRoomIds } from '../../../shared/schemas/voice.js';
import type { Database } from '../../../server/src/db/database.js';
import { createUsers } from '../../../server/src/users/users.js';
import { clientId } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectAgent, connectVisitor, eventWhere, expectOk, login, nextEvent, visitorSession } from '../../support/clients.js';
import { startCluster, type TestCluster } from '../../support/cluster.js';
import { dbTargets } from '../../support/dbTargets.js';
import { redisAvailable } from '../../support/redis.js';
import { joinAndProduce } from '../../support/voice.js';

const PASSWORD = 'correct horse battery staple';

async function seed(db: Database): Promise<number> {
  const dept = await db.models.Department.create({ slug: 'technik', name: 'Technik', languages: ['de'], openingHours: null, fallbackDepartmentId: null, wrapUpSeconds: 0, offlineFallback: false });
  const user = await createUsers(db.models).create({ email: 'anna@voice.test', name: 'Anna', password: PASSWORD, role: 'agent', languages: ['de'], maxChats: 3 });
  await db.models.DepartmentMember.create({ userId: user.id, departmentId: dept.id, level: 'L1', maxChats: null });
  return dept.id;
}

// Like the other cluster suites: a shared MariaDB and Redis, which CI provides and requires.
const clusterPossible = dbTargets().includes('mariadb');

(clusterPossible ? describe : describe.skip)('voice in a cluster: a call whose visitor and agent are on different nodes', function () {
  this.timeout(120_000);
  before(async function () {
    assert.ok(await redisAvailable(), 'the cluster suite needs Redis');
  });
  afterEach(closeAllSockets);

  it('both end up in the one room on the node that opened it; hold and hanging up work across nodes', async () => {
    let departmentId = 0;
    const cluster: TestCluster = await startCluster({ nodes: 2, seed: async (db) => void (departmentId = await seed(db)) });
    try {
      const [a, b] = cluster.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0]];
      const agent = await connectAgent(b.url, await login(b.url, 'anna@voice.test', PASSWORD));
      await ask(agent, 'presence:get', {});
      const offered = nextEvent<{ conversationId: string; channel: string }>(agent, 'offer:received', 10_000);
      expectOk(await ask(agent, 'presence:set', { status: 'available' }));

      const visitor = await connectVisitor(a.url, (await visitorSession(a.url)).token);
      const started = expectOk(await ask(visitor, 'conversation:start', { clientId: clientId(), departmentId, language: 'de', name: 'Erika', channel: 'voice', text: 'Frage zum Vertrag' }));
      const offer = await offered;
      assert.equal(offer.channel, 'voice');
      const active = eventWhere<{ status: string }>(visitor, 'conversation:updated', (c) => c.status === 'active', 10_000);
      expectOk(await ask(agent, 'offer:accept', { conversationId: offer.conversationId }));
      await active;

      const roomId = voiceRoomIds.conversation(started.conversation.id);
      const agentSide = await joinAndProduce(agent, roomId);
      const visitorSide = await joinAndProduce(visitor, roomId);
      assert.deepEqual(visitorSide.joined.producers.map((p) => p.producerId), [agentSide.producerId], 'the visitor on node a joined the room opened on node b');
      assert.equal(visitorSide.joined.peers.length, 1);
      await visitorSide.consume(agentSide.producerId);
      await agentSide.consume(visitorSide.producerId);

      const told = eventWhere<CallState>(visitor, 'call:updated', (c) => c.held, 10_000);
      expectOk(await ask(agent, 'call:hold', { conversationId: started.conversation.id, held: true }));
      await told;

      const ended = eventWhere<CallState>(agent, 'call:updated', (c) => !c.active, 10_000);
      expectOk(await ask(visitor, 'voice:leave', { roomId }));
      await ended;
      // The room is gone on its node: joining again opens a new call.
      const again = await joinAndProduce(agent, roomId);
      assert.deepEqual(again.joined.producers, [], 'a fresh room');
    } finally {
      await cluster.close();
    }
  });
});
