import assert from 'node:assert/strict';
import { redisAvailable, testPrefix } from '../../support/redis.js';
import { startTestServer, type TestServer } from '../../support/server.js';

/** README: "several installations may share a Redis" (REDIS_PREFIX). Broadcasts must stay apart too. */
describe('two installations on one Redis', () => {
  let one: TestServer;
  let other: TestServer;
  before(async function () {
    assert.ok(await redisAvailable(), 'Redis is needed');
    one = await startTestServer({ db: 'sqlite', redis: true, env: { REDIS_PREFIX: testPrefix() } });
    other = await startTestServer({ db: 'sqlite', redis: true, env: { REDIS_PREFIX: testPrefix() } });
  });
  after(async () => {
    await one?.close();
    await other?.close();
  });

  it('each counts only its own nodes on the broadcast channels (REDIS_PREFIX prefixes them)', async () => {
    const servers = async (s: TestServer) => (s.zentrale.io.of('/agent').adapter as unknown as { serverCount(): Promise<number> }).serverCount();
    assert.equal(await servers(one), 1);
    assert.equal(await servers(other), 1);
  });
});
