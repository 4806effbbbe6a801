import type { RedisClientType } from 'redis';
import { createLimits, type MakeLimit } from '../../server/src/limits/limits.js';
import { createMetrics, type Metrics } from '../../server/src/metrics/metrics.js';
import { connectTestRedis, dropPrefix, testPrefix } from './redis.js';

export interface LimitNode {
  makeLimit: MakeLimit;
  metrics: Metrics;
  redis: { client: RedisClientType; prefix: string } | null;
}

/**
 * Where budgets live, for suites that run once per store: in memory (one node) and in Redis, where
 * each `node()` is another node with its own connection and limit objects on the same key prefix.
 */
export interface LimitStoreTarget {
  label: string;
  node(): Promise<LimitNode>;
  close(): Promise<void>;
}

export const memoryLimitStore = async (): Promise<LimitStoreTarget> => {
  // One process has one memory store: every "node" here shares it, as the nodes of a cluster share Redis.
  const metrics = createMetrics();
  const makeLimit = createLimits({ redis: null }, metrics);
  return { label: 'memory', node: async () => ({ makeLimit, metrics, redis: null }), close: async () => undefined };
};

export const redisLimitStore = async (): Promise<LimitStoreTarget> => {
  const prefix = testPrefix();
  const clients: RedisClientType[] = [];
  return {
    label: 'redis',
    async node() {
      const client = await connectTestRedis();
      clients.push(client);
      const metrics = createMetrics();
      return { makeLimit: createLimits({ redis: { client, prefix } }, metrics), metrics, redis: { client, prefix } };
    },
    async close() {
      if (clients[0]) await dropPrefix(clients[0], prefix);
      await Promise.all(clients.map((c) => c.close()));
    },
  };
};

/** Declares the suite once per store; Redis always in CI (REQUIRE_REDIS), else when TEST_REDIS_URL is set. */
export function describeEachLimitStore(title: string, body: (open: () => Promise<LimitStoreTarget>) => void): void {
  describe(`${title} [memory]`, () => body(memoryLimitStore));
  if (process.env.TEST_REDIS_URL || process.env.REQUIRE_REDIS === '1' || process.env.TEST_WITH_REDIS === '1') {
    describe(`${title} [redis]`, () => body(redisLimitStore));
  }
}
