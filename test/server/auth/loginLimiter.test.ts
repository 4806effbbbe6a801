import assert from 'node:assert/strict';
import { createLoginLimiter } from '../../../server/src/auth/loginLimiter.js';
import { RateLimitedError } from '../../../server/src/errors/errors.js';

describe('login limiter', () => {
  it('blocks an account after the allowed failures and reports when to retry', async () => {
    const limiter = createLoginLimiter(3, 60);
    for (let i = 0; i < 3; i++) {
      await limiter.check('1.1.1.1', 'a@x');
      await limiter.fail('1.1.1.1', 'a@x');
    }
    await assert.rejects(limiter.check('2.2.2.2', 'a@x'), (e: unknown) => e instanceof RateLimitedError && e.retryAfterSeconds > 0 && e.retryAfterSeconds <= 60);
    await limiter.check('1.1.1.1', 'b@x'); // other accounts from the same address still work
  });

  it('blocks an address that tries many accounts', async () => {
    const limiter = createLoginLimiter(2, 60);
    for (let i = 0; i < 20; i++) await limiter.fail('3.3.3.3', `user${i}@x`);
    await assert.rejects(limiter.check('3.3.3.3', 'fresh@x'), RateLimitedError);
    await limiter.check('4.4.4.4', 'fresh@x');
  });

  it('clears the account counter on success', async () => {
    const limiter = createLoginLimiter(2, 60);
    await limiter.fail('1.1.1.1', 'c@x');
    await limiter.succeed('c@x');
    await limiter.fail('1.1.1.1', 'c@x');
    await limiter.check('1.1.1.1', 'c@x');
  });
});
