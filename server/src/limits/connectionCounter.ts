import type { RedisClientType } from 'redis';

/**
 * Open connections per key (a visitor, an address, a staff member) over every node. Opening is one
 * atomic check-and-add over all keys of a connection, so concurrent connects on several nodes can
 * never together pass a cap. Each entry expires unless its node refreshes it (`refresh`), so the
 * connections of a node that died stop counting on their own.
 */
export interface ConnectionCounter {
  /** Adds the connection under every key, or nothing: the index of the first key at its cap, else -1. */
  open(entries: Array<{ key: string; cap: number }>, connectionId: string, now: number): Promise<number>;
  close(keys: string[], connectionId: string): Promise<void>;
  /** Keeps this node's open connections counted (call more often than `ttlMs`). */
  refresh(entries: Array<{ keys: string[]; connectionId: string }>, now: number): Promise<void>;
}

export function createMemoryConnectionCounter(ttlMs: number): ConnectionCounter {
  const open = new Map<string, Map<string, number>>();
  const live = (key: string, now: number) => {
    const members = open.get(key) ?? new Map<string, number>();
    for (const [id, until] of members) if (until <= now) members.delete(id);
    open.set(key, members);
    return members;
  };
  return {
    async open(entries, connectionId, now) {
      for (let i = 0; i < entries.length; i++) {
        const members = live(entries[i]!.key, now);
        if (!members.has(connectionId) && members.size >= entries[i]!.cap) return i;
      }
      for (const { key } of entries) live(key, now).set(connectionId, now + ttlMs);
      return -1;
    },
    async close(keys, connectionId) {
      for (const key of keys) {
        const members = open.get(key);
        members?.delete(connectionId);
        if (members?.size === 0) open.delete(key);
      }
    },
    async refresh(entries, now) {
      for (const { keys, connectionId } of entries) for (const key of keys) open.get(key)?.set(connectionId, now + ttlMs);
    },
  };
}

// KEYS: the sets; ARGV: now, expiry, member, cap per key. Returns the 1-based key at its cap, or 0.
const OPEN = `
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1])
  if redis.call('ZSCORE', key, ARGV[3]) == false and redis.call('ZCARD', key) >= tonumber(ARGV[3 + i]) then return i end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[2], ARGV[3])
  redis.call('PEXPIREAT', key, ARGV[2])
end
return 0`;

export function createRedisConnectionCounter(redis: RedisClientType, prefix: string, ttlMs: number): ConnectionCounter {
  const k = (key: string) => `${prefix}conn:${key}`;
  return {
    async open(entries, connectionId, now) {
      const expiry = now + ttlMs;
      const hit = Number(
        await redis.eval(OPEN, {
          keys: entries.map((e) => k(e.key)),
          arguments: [String(now), String(expiry), connectionId, ...entries.map((e) => String(e.cap))],
        }),
      );
      return hit - 1;
    },
    async close(keys, connectionId) {
      if (keys.length === 0) return;
      const multi = redis.multi();
      for (const key of keys) multi.zRem(k(key), connectionId);
      await multi.exec();
    },
    async refresh(entries, now) {
      if (entries.length === 0) return;
      const expiry = now + ttlMs;
      const multi = redis.multi();
      for (const { keys, connectionId } of entries) {
        for (const key of keys) {
          multi.zAdd(k(key), { score: expiry, value: connectionId }, { XX: true });
          multi.pExpireAt(k(key), expiry);
        }
      }
      await multi.exec();
    },
  };
}
