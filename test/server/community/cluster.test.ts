import assert from 'node:assert/strict';
import type { CommunityMessage } from '../../../shared/schemas/community.js';
import { defineCommunityModels } from '../../../server/src/community/models.js';
import type { Database } from '../../../server/src/db/database.js';
import { clientId } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectCommunity, expectOk, nextEvent, visitorSession, type CommunitySocket } from '../../support/clients.js';
import { startCluster, type TestCluster } from '../../support/cluster.js';
import { dbTargets } from '../../support/dbTargets.js';
import { redisAvailable } from '../../support/redis.js';

// Like the other cluster suites: a shared MariaDB and Redis, which CI provides and requires.
const clusterPossible = dbTargets().includes('mariadb');

(clusterPossible ? describe : describe.skip)('community in a cluster: two server processes, one room', function () {
  this.timeout(120_000);
  before(async function () {
    assert.ok(await redisAvailable(), 'the cluster suite needs Redis');
  });
  afterEach(closeAllSockets);

  it('messages and presence cross nodes; a visitor’s post budget is the same on every node', async () => {
    let roomId = 0;
    const seed = async (db: Database) => {
      roomId = (await defineCommunityModels(db.sequelize).Room.create({ slug: 'router', name: 'Router', createdAt: new Date() })).id;
    };
    const cluster: TestCluster = await startCluster({ nodes: 2, env: { COMMUNITY_POSTS_PER_MINUTE: '2' }, seed });
    try {
      const [a, b] = cluster.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0]];
      const enter = async (url: string, name: string, token?: string): Promise<CommunitySocket> => {
        const socket = await connectCommunity(url, { token: token ?? (await visitorSession(url)).token });
        expectOk(await ask(socket, 'community:profile', { displayName: name }));
        expectOk(await ask(socket, 'community:join', { roomId }));
        return socket;
      };
      const { token } = await visitorSession(a.url);
      const onA = await enter(a.url, 'Anja', token);
      const onB = await enter(b.url, 'Ben');
      const presence = expectOk(await ask(onB, 'community:join', { roomId }));
      assert.equal(presence.present, 2, 'counted over both nodes');

      const arrived = nextEvent<CommunityMessage>(onB, 'community:message', 10_000);
      const sent = expectOk(await ask(onA, 'community:post', { roomId, clientId: clientId(), text: 'Hallo von Knoten a' })).message;
      assert.equal((await arrived).id, sent.id, 'posted on node a, seen on node b');

      // The same visitor on node b: the second post uses the budget's last point, the third is refused.
      const sameOnB = await enter(b.url, 'Anja', token);
      expectOk(await ask(sameOnB, 'community:post', { roomId, clientId: clientId(), text: 'zwei' }));
      const third = await ask(sameOnB, 'community:post', { roomId, clientId: clientId(), text: 'drei' });
      assert.equal(!third.ok && third.error.code, 'RATE_LIMITED', 'the limit is shared through Redis');
    } finally {
      await cluster.close();
    }
  });
});
