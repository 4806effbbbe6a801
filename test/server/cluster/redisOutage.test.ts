import assert from 'node:assert/strict';
import { clientId, eventually, makeDepartment, sleep } from '../../support/chatFixtures.js';
import { closeAllSockets, connectVisitor, emitRaw, login, request, visitorSession } from '../../support/clients.js';
import { startOwnRedis, type OwnRedis } from '../../support/ownRedis.js';
import { redisAvailable } from '../../support/redis.js';
import { startTestServer, type TestServer } from '../../support/server.js';

/**
 * Redis away or stalled: what needs it fails fast with UNAVAILABLE, nothing waits for it, /health
 * says so, and it all comes back by itself. The suite breaks a Redis of its own, not the shared one.
 */
describe('cluster mode with Redis away or stalled', function () {
  this.timeout(60_000);
  let redis: OwnRedis;
  let server: TestServer;
  let departmentId: number;
  before(async function () {
    assert.ok(await redisAvailable(), 'Redis is needed (redis-server starts the suite\'s own)');
    redis = await startOwnRedis();
    server = await startTestServer({ db: 'sqlite', env: { REDIS_URL: redis.url, REDIS_PREFIX: 'zt-outage:', REDIS_COMMAND_TIMEOUT_MS: '600' } });
    departmentId = await makeDepartment(server);
  });
  after(async () => {
    closeAllSockets();
    await server.close();
    await redis.close();
  });

  const start = (socket: Awaited<ReturnType<typeof connectVisitor>>, id = clientId()) =>
    emitRaw(socket, 'conversation:start', { clientId: id, departmentId, language: 'de', name: 'Outage', text: 'Hallo' });
  const health = () => request<{ status: string; failing?: string[] }>(server.baseUrl, 'GET', '/health');

  for (const [what, breakIt, mendIt] of [
    ['killed', () => redis.kill(), () => redis.start()],
    ['stalled (SIGSTOP)', async () => redis.stall(), async () => redis.resume()],
  ] as const) {
    it(`Redis ${what}: chat starts answer UNAVAILABLE, later events still pass, /health is degraded, and it recovers`, async () => {
      const visitor = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);
      const firstTry = clientId();
      assert.equal((await health()).status, 200);
      await breakIt();
      try {
        const refused = await start(visitor, firstTry);
        assert.equal(!refused.ok && refused.error.code, 'UNAVAILABLE', JSON.stringify(refused));
        // The connection's queue did not stall behind it.
        const next = await emitRaw(visitor, 'nothing:here', {});
        assert.equal(!next.ok && next.error.code, 'UNKNOWN_EVENT');
        await eventually(async () => (await health()).status === 503, 10_000, '/health degraded');
        const degraded = await health();
        assert.deepEqual(degraded.body.ok && degraded.body.data, { status: 'degraded', failing: ['redis'] });
      } finally {
        await mendIt();
      }
      // The widget retries with the same client id: the chat it asked for is there, and queued.
      let retried: Awaited<ReturnType<typeof start>> | null = null;
      // As a client would: a retry every quarter second (polling faster would only spend the visitor's event budget).
      for (const until = Date.now() + 30_000; Date.now() < until; await sleep(250)) {
        retried = await start(visitor, firstTry);
        if (retried.ok) break;
      }
      assert.ok(retried && (retried as { ok: boolean }).ok, `the retried start succeeds: ${JSON.stringify(retried)}`);
      const queued = (retried as unknown as { data: { conversation: { id: string } } }).data;
      assert.equal((await server.zentrale.engine.store.route(queued.conversation.id))?.state, 'queued', 'routing has it waiting');
      await eventually(async () => (await health()).status === 200, 10_000, '/health ok again');
    });
  }

  it('signing in does not wait for Redis: limits fall back to this node while it is away', async () => {
    const agent = await server.createUser();
    await redis.kill();
    try {
      const res = await request(server.baseUrl, 'POST', '/api/auth/login', { body: { email: agent.email, password: agent.password } });
      assert.equal(res.status, 200);
    } finally {
      await redis.start();
    }
    await eventually(async () => (await health()).status === 200, 10_000, 'recovered');
    await login(server.baseUrl, agent.email, agent.password);
  });

  it('an event that hangs on a dependency is answered UNAVAILABLE after EVENT_TIMEOUT_SECONDS, and the connection goes on', async () => {
    // A Redis timeout far longer than the event timeout: the event timeout is what answers.
    const slow = await startTestServer({ db: 'sqlite', env: { REDIS_URL: redis.url, REDIS_PREFIX: 'zt-outage-slow:', REDIS_COMMAND_TIMEOUT_MS: '60000', EVENT_TIMEOUT_SECONDS: '1' } });
    try {
      const dept = await makeDepartment(slow);
      const visitor = await connectVisitor(slow.baseUrl, (await visitorSession(slow.baseUrl)).token);
      redis.stall();
      try {
        const hung = await emitRaw(visitor, 'conversation:start', { clientId: clientId(), departmentId: dept, language: 'de', name: 'Hung', text: 'Hallo' });
        assert.equal(!hung.ok && hung.error.code, 'UNAVAILABLE');
        assert.match(!hung.ok ? hung.error.message : '', /No answer within 1000 ms/);
        // Answered, not stuck behind the hung one (its budgets, kept in the stalled Redis, may time out too).
        const next = await emitRaw(visitor, 'nothing:here', {});
        assert.ok(!next.ok && ['UNKNOWN_EVENT', 'UNAVAILABLE'].includes(next.error.code), JSON.stringify(next));
      } finally {
        redis.resume();
      }
    } finally {
      await slow.close();
    }
  });
});
