import assert from 'node:assert/strict';
import type { SessionEndCode } from '../../../shared/schemas/auth.js';
import type { Database } from '../../../server/src/db/database.js';
import { createUsers } from '../../../server/src/users/users.js';
import { ask, closeAllSockets, connectAgent, connectVisitor, emitRaw, login, nextEvent, request, visitorSession } from '../../support/clients.js';
import { startCluster, type TestCluster } from '../../support/cluster.js';
import { dbTargets } from '../../support/dbTargets.js';
import { redisAvailable } from '../../support/redis.js';

const PASSWORD = 'correct horse battery staple';

async function seed(db: Database): Promise<void> {
  const users = createUsers(db.models);
  await users.create({ email: 'admin@revoke.test', name: 'Admin', password: PASSWORD, role: 'admin', languages: ['de'] });
  await users.create({ email: 'agent@revoke.test', name: 'Agent', password: PASSWORD, role: 'agent', languages: ['de'] });
}

// Two real server processes on one MariaDB and one Redis, like the cluster suite; CI provides and requires both.
const clusterPossible = dbTargets().includes('mariadb');

(clusterPossible ? describe : describe.skip)('cluster: revoked rights and shared limits across two server processes', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  before(async function () {
    assert.ok(await redisAvailable(), 'the cluster suite needs Redis');
    cluster = await startCluster({ nodes: 2, env: { CONNECTIONS_PER_VISITOR: '2', SOCKET_EVENTS_PER_VISITOR_PER_10S: '30' }, seed });
  });
  after(async () => {
    closeAllSockets();
    await cluster?.close();
  });

  it('an admin on node a deactivates an agent whose console is on node b: it ends at once', async () => {
    const [a, b] = cluster.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0]];
    const adminCookie = await login(a.url, 'admin@revoke.test', PASSWORD);
    const agentCookie = await login(b.url, 'agent@revoke.test', PASSWORD);
    const agent = await connectAgent(b.url, agentCookie);
    await ask(agent, 'presence:get', {});
    const ended = nextEvent<{ code: SessionEndCode }>(agent, 'session:ended', 10_000);
    const closed = nextEvent<string>(agent, 'disconnect', 10_000);
    const agentId = (await cluster.db.models.User.findOne({ where: { email: 'agent@revoke.test' } }))!.id;
    assert.equal((await request(a.url, 'PATCH', `/api/users/${agentId}`, { cookie: adminCookie, body: { active: false } })).status, 200);
    assert.equal((await ended).code, 'DEACTIVATED');
    assert.equal(await closed, 'io server disconnect');
  });

  it('a visitor\'s connections and events are counted over both nodes', async () => {
    const [a, b] = cluster.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0]];
    const { token } = await visitorSession(a.url);
    const onA = await connectVisitor(a.url, token);
    const onB = await connectVisitor(b.url, token);
    await assert.rejects(connectVisitor(a.url, token), /RATE_LIMITED/, 'a third connection, on either node');
    await assert.rejects(connectVisitor(b.url, token), /RATE_LIMITED/);
    const acks = await Promise.all([onA, onB].flatMap((s) => Array.from({ length: 25 }, () => emitRaw(s, 'nothing:here', {}))));
    assert.equal(acks.filter((x) => !x.ok && x.error.code === 'UNKNOWN_EVENT').length, 30, 'one budget for both nodes');
    assert.equal(acks.filter((x) => !x.ok && x.error.code === 'RATE_LIMITED').length, 20);
  });
});
