import assert from 'node:assert/strict';
import { createLoginLimiter } from '../../../server/src/auth/loginLimiter.js';
import { RateLimitedError } from '../../../server/src/errors/errors.js';
import { describeEachLimitStore, type LimitStoreTarget } from '../../support/limitStores.js';

describeEachLimitStore('login limiter', (open) => {
  let store: LimitStoreTarget;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(() => store.close());

  const refusals = async (node: { metrics: { registry: { getSingleMetricAsString(n: string): Promise<string> } } }, limit: string) => {
    const text = await node.metrics.registry.getSingleMetricAsString('zentrale_limit_refusals_total');
    return Number(new RegExp(`limit="${limit}"} (\\d+)`).exec(text)?.[1] ?? 0);
  };

  it('reserves attempts for an account and reports when to retry; other accounts from the address still work', async () => {
    const node = await store.node();
    const limiter = createLoginLimiter(node.makeLimit, 3, 60);
    for (let i = 0; i < 3; i++) await limiter.reserve('1.1.1.1', 'a@x');
    await assert.rejects(limiter.reserve('2.2.2.2', 'a@x'), (e: unknown) => e instanceof RateLimitedError && e.retryAfterSeconds > 0 && e.retryAfterSeconds <= 60);
    await limiter.reserve('1.1.1.1', 'b@x');
    assert.equal(await refusals(node, 'login:account'), 1);
  });

  it('blocks an address that tries many accounts', async () => {
    const limiter = createLoginLimiter((await store.node()).makeLimit, 2, 60);
    for (let i = 0; i < 20; i++) await limiter.reserve('3.3.3.3', `user${i}@x`);
    await assert.rejects(limiter.reserve('3.3.3.3', 'fresh@x'), RateLimitedError);
    await limiter.reserve('4.4.4.4', 'fresh@x');
  });

  it('starts the account over on success and gives the address its attempt back', async () => {
    const limiter = createLoginLimiter((await store.node()).makeLimit, 2, 60);
    await limiter.reserve('1.1.1.1', 'c@x');
    await limiter.reserve('1.1.1.1', 'c@x');
    await limiter.succeed('1.1.1.1', 'c@x');
    await limiter.reserve('1.1.1.1', 'c@x');
    await limiter.reserve('1.1.1.1', 'c@x');
    await assert.rejects(limiter.reserve('1.1.1.1', 'c@x'), RateLimitedError);
  });

  it('lets a burst of 300 concurrent attempts on two nodes through at most the limit, per account and per address', async () => {
    const a = createLoginLimiter((await store.node()).makeLimit, 5, 60);
    // In memory there is one node; on Redis the second limiter is another node's.
    const b = store.label === 'redis' ? createLoginLimiter((await store.node()).makeLimit, 5, 60) : a;
    const outcomes = await Promise.allSettled(Array.from({ length: 300 }, (_, i) => (i % 2 ? a : b).reserve(`10.0.0.${i % 250}`, 'burst@x')));
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 5, 'five password checks for the account');
    assert.ok(outcomes.every((o) => o.status === 'fulfilled' || o.reason instanceof RateLimitedError));

    const byAddress = await Promise.allSettled(Array.from({ length: 300 }, (_, i) => (i % 2 ? a : b).reserve('9.9.9.9', `many${i}@x`)));
    assert.equal(byAddress.filter((o) => o.status === 'fulfilled').length, 50, 'ten times the account budget per address');
  });
});
