import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';

/**
 * Redis for tests: TEST_REDIS_URL, else the local default. CI sets REQUIRE_REDIS=1, so an
 * unreachable Redis fails the run instead of quietly testing only the in-memory store.
 */
export const testRedisUrl = (): string => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function redisAvailable(): Promise<boolean> {
  const client = createClient({ url: testRedisUrl(), socket: { reconnectStrategy: false, connectTimeout: 1000 } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    if (process.env.REQUIRE_REDIS === '1') throw new Error(`REQUIRE_REDIS=1 but Redis at ${testRedisUrl()} is not reachable`);
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** A fresh key prefix, so suites never see each other's state on the shared Redis. */
export const testPrefix = (): string => `zt:${randomBytes(6).toString('hex')}:`;

export async function connectTestRedis(): Promise<RedisClientType> {
  const client = createClient({ url: testRedisUrl() }) as RedisClientType;
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Deletes every key under a prefix. */
export async function dropPrefix(client: RedisClientType, prefix: string): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (keys.length) await client.del(keys);
  }
}
