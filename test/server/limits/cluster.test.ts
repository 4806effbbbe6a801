import assert from 'node:assert/strict';
import { clientId, makeDepartment } from '../../support/chatFixtures.js';
import { ask, expectOk, type VisitorSocket } from '../../support/clients.js';
import { dbTargets } from '../../support/dbTargets.js';
import { createTestDatabase } from '../../support/mariadb.js';
import { connectTestRedis, dropPrefix, redisAvailable, testPrefix, testRedisUrl } from '../../support/redis.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { closeSockets, freshAddress, METRICS_TOKEN, newSession, socketAt, visitorAt } from './helpers.js';

// Like the other cluster suites: a shared MariaDB and Redis, which CI provides and requires.
const clusterPossible = dbTargets().includes('mariadb');

(clusterPossible ? describe : describe.skip)('anonymous quotas on two nodes sharing Redis and MariaDB', function () {
  this.timeout(60_000);
  let nodes: [TestServer, TestServer];
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const prefix = testPrefix();

  before(async () => {
    assert.ok(await redisAvailable(), 'the cluster suite needs Redis');
    database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      REDIS_PREFIX: prefix,
      TRUST_PROXY: 'loopback',
      METRICS_TOKEN,
      VISITOR_SESSIONS_PER_ADDRESS_PER_10MIN: '3',
      OPEN_CHATS_PER_ADDRESS: '2',
      TICKETS_PER_VISITOR_PER_HOUR: '2',
    };
    // One after the other: the second finds the schema migrated.
    const a = await startTestServer({ env });
    nodes = [a, await startTestServer({ env })];
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    const client = await connectTestRedis();
    await dropPrefix(client, prefix);
    await client.close();
    await database.drop();
  });
  afterEach(closeSockets);

  it('a budget used on one node is used on the other: new visitors, open chats and tickets per visitor', async () => {
    const [a, b] = nodes;
    const address = freshAddress();
    assert.equal((await newSession(a, address)).status, 200);
    assert.equal((await newSession(a, address)).status, 200);
    assert.equal((await newSession(b, address)).status, 200);
    assert.equal((await newSession(b, address)).status, 429, 'the third new visitor was made on the other node');

    const dept = await makeDepartment(a);
    await b.zentrale.engine.loadDepartments();
    const start = (socket: VisitorSocket) => ask(socket, 'conversation:start', { clientId: clientId(), departmentId: dept, language: 'de', name: 'Erika', text: 'Hallo' });
    const chatAddress = freshAddress();
    expectOk(await start((await visitorAt(a, chatAddress)).socket));
    expectOk(await start((await visitorAt(b, chatAddress)).socket));
    const third = await start((await visitorAt(b, chatAddress)).socket);
    assert.ok(!third.ok && third.error.code === 'RATE_LIMITED', 'two chats are open from this address, one on each node');

    const ticketDept = await makeDepartment(a, { offlineFallback: true });
    await b.zentrale.engine.loadDepartments();
    const v = await visitorAt(a, freshAddress());
    const create = (socket: VisitorSocket) =>
      ask(socket, 'ticket:create', { clientId: clientId(), departmentId: ticketDept, language: 'de', name: 'Erika', text: 'Hallo' });
    expectOk(await create(v.socket));
    const onB = await socketAt(b, v.token, freshAddress());
    expectOk(await create(onB));
    const refused = await create(onB);
    assert.ok(!refused.ok && refused.error.code === 'RATE_LIMITED', 'the visitor’s budget of tickets is the same on both nodes');
  });
});
