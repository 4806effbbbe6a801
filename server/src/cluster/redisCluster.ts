import { createShardedAdapter } from '@socket.io/redis-adapter';
import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '../log/logger.js';

export interface RedisCluster {
  /** Commands: routing state, rate limits. */
  client: RedisClientType;
  /** Whether the command connection is up right now (for /health). */
  ready(): boolean;
  /** The Socket.IO adapter factory: broadcasts reach sockets on every node. */
  adapter: ReturnType<typeof createShardedAdapter>;
  close(): Promise<void>;
}

/**
 * Three connections: one for commands, and a publish/subscribe pair for the sharded Socket.IO
 * adapter (Redis 7 sharded pub/sub, the adapter's recommendation). node-redis reconnects by
 * itself and restores the subscriptions.
 *
 * Commands fail fast while Redis is away (no offline queue) and when an answer takes longer than
 * `commandTimeoutMs` (a stalled Redis): the request that needed them fails with UNAVAILABLE
 * instead of hanging, and the connection's later events are not held up behind it.
 */
export async function connectRedisCluster(
  url: string,
  log: Logger,
  onRecovered: () => void = () => undefined,
  options: { commandTimeoutMs: number; /** REDIS_PREFIX: installations sharing one Redis never hear each other's broadcasts. */ prefix: string } = {
    commandTimeoutMs: 2000,
    prefix: 'zentrale:',
  },
): Promise<RedisCluster> {
  const make = (role: string) => {
    const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** retries, 2000);
    // Commands: node-redis's own command timeout only covers commands not yet sent, so a Redis that
    // stalls with commands in flight is found by the socket going quiet: pings keep a healthy idle
    // connection talking, and silence past the timeout fails what waits and reconnects.
    const client = (
      role === 'commands'
        ? createClient({
            url,
            disableOfflineQueue: true,
            commandOptions: { timeout: options.commandTimeoutMs },
            pingInterval: Math.max(100, Math.floor(options.commandTimeoutMs / 3)),
            socket: { reconnectStrategy, socketTimeout: options.commandTimeoutMs, connectTimeout: options.commandTimeoutMs },
          })
        : createClient({ url, socket: { reconnectStrategy } })
    ) as RedisClientType;
    let down = false;
    client.on('error', (error: Error) => {
      if (!down) log.error({ err: error, role }, 'redis connection error');
      down = true;
    });
    client.on('ready', () => {
      if (down) {
        log.info({ role }, 'redis connection restored');
        // Broadcasts handed to the broken connection may be gone: let this node's clients resync.
        if (role === 'subscribe') onRecovered();
      }
      down = false;
    });
    return client;
  };
  const client = make('commands');
  const pub = make('publish');
  const sub = make('subscribe');
  await Promise.all([client.connect(), pub.connect(), sub.connect()]);
  return {
    client,
    ready: () => client.isReady,
    // Static: two channels per namespace. The default ("dynamic") subscribes one channel per room,
    // and zentrale has a room per visitor, conversation and agent; it also subscribes and
    // unsubscribes on every room change without handling failures, which crashes the process when
    // a socket leaves while Redis is away (seen in the Redis restart test).
    adapter: createShardedAdapter(pub, sub, { subscriptionMode: 'static', channelPrefix: `${options.prefix}socket.io` }),
    async close() {
      await Promise.allSettled([client.close(), pub.close(), sub.close()]);
    },
  };
}
