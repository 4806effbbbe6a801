import assert from 'node:assert/strict';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { RateLimitedError, UnavailableError } from '../../../server/src/errors/errors.js';
import { consumeFrom, rateLimited } from '../../../server/src/limits/limits.js';
import { connectTestRedis, testPrefix } from '../../support/redis.js';

describe('limits: every limiter refusal becomes RATE_LIMITED in one place', () => {
  it('says when to retry in whole seconds, never less than one', () => {
    assert.deepEqual([0, 1, 1000, 1001, 59_500].map((ms) => rateLimited(ms).retryAfterSeconds), [1, 1, 1, 2, 60]);
    assert.deepEqual(rateLimited(2500).toBody(), { code: 'RATE_LIMITED', message: 'Too many attempts; retry in 3 s.', retryAfterSeconds: 3 });
  });

  it('a limiter out of points refuses with RATE_LIMITED and the time its window has left', async () => {
    const limiter = new RateLimiterMemory({ keyPrefix: 'refusals-test', points: 2, duration: 60 });
    await consumeFrom(limiter, 'k');
    await consumeFrom(limiter, 'k');
    await assert.rejects(consumeFrom(limiter, 'k'), (e: unknown) => e instanceof RateLimitedError && e.retryAfterSeconds > 55 && e.retryAfterSeconds <= 60);
    await consumeFrom(limiter, 'other');
  });

  if (process.env.TEST_REDIS_URL || process.env.REQUIRE_REDIS === '1' || process.env.TEST_WITH_REDIS === '1') {
    it('a limiter whose store cannot answer is UNAVAILABLE, not a refusal and not INTERNAL', async () => {
      const client = await connectTestRedis();
      const limiter = new RateLimiterRedis({ keyPrefix: testPrefix(), points: 2, duration: 60, storeClient: client, useRedisPackage: true });
      await consumeFrom(limiter, 'k');
      await client.close();
      await assert.rejects(consumeFrom(limiter, 'k'), UnavailableError);
    });
  }
});
