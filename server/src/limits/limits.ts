import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisClientType } from 'redis';
import { RateLimitedError, UnavailableError } from '../errors/errors.js';
import type { Metrics } from '../metrics/metrics.js';

export interface LimitSpec {
  /** Unique name: the Redis key prefix and the `limit` label of zentrale_limit_refusals_total. */
  name: string;
  /** Points (events, bytes, mails…) one key may use per window. */
  points: number;
  durationSeconds: number;
  /**
   * Redis only: once a key is over its budget, refuse it from this node's memory until the window
   * ends, without asking Redis. For floods (events, connections), so refusals cost next to nothing.
   */
  blockInMemory?: boolean;
}

export interface Limit {
  readonly name: string;
  readonly points: number;
  /**
   * Takes `points` from the key's budget atomically (memory: one thread; Redis: one script), so
   * concurrent callers on any node can never together exceed it. Throws RateLimitedError with
   * retryAfterSeconds when the budget is used up, UnavailableError when the store cannot answer.
   * A refused request's points still count within the window (the window is fixed: refusals never
   * extend it); callers that must not lose them `refund`.
   */
  consume(key: string, points?: number): Promise<void>;
  /** Gives points back (a reserved attempt that turned out fine, an upload that failed). */
  refund(key: string, points?: number): Promise<void>;
  /** Forgets the key's usage. */
  reset(key: string): Promise<void>;
}

export type MakeLimit = (spec: LimitSpec) => Limit;

/** Where budgets live: in the process (one node) or in Redis (shared by every node of a cluster). */
export interface LimitStore {
  redis: { client: RedisClientType; prefix: string } | null;
}

/**
 * The one place a limiter's refusal becomes RATE_LIMITED: `msBeforeNext` (how long until the
 * budget has room again, as rate-limiter-flexible and the per-connection count measure it) turns
 * into whole seconds for `retryAfterSeconds` and Retry-After, at least one so clients never retry at once.
 */
export const rateLimited = (msBeforeNext: number): RateLimitedError => new RateLimitedError(Math.max(1, Math.ceil(msBeforeNext / 1000)));

const storeFailed = (error: unknown) => new UnavailableError(`Limit store unavailable (${error instanceof Error ? error.message : String(error)}).`);

/**
 * Takes points from a rate-limiter-flexible limiter. It rejects with a RateLimiterRes when the
 * budget is used up (RATE_LIMITED, through `rateLimited`) and with an Error when its store
 * cannot answer (UNAVAILABLE): never with anything a client should see as INTERNAL.
 */
export async function consumeFrom(limiter: RateLimiterAbstract, key: string, points = 1): Promise<void> {
  try {
    await limiter.consume(key, points);
  } catch (error) {
    throw error instanceof RateLimiterRes ? rateLimited(error.msBeforeNext) : storeFailed(error);
  }
}

/**
 * The one place budgets are made and enforced: every quota, rate limit and attempt counter of
 * zentrale is a Limit from here, so each refusal has the same shape (RATE_LIMITED with
 * retryAfterSeconds) and is counted in /metrics by name.
 */
export function createLimits(store: LimitStore, metrics: Metrics): MakeLimit {
  const made = new Set<string>();
  return (spec) => {
    if (made.has(spec.name)) throw new Error(`limit "${spec.name}" made twice`);
    made.add(spec.name);
    const options = { keyPrefix: `limit:${spec.name}`, points: spec.points, duration: spec.durationSeconds };
    const limiter: RateLimiterAbstract = store.redis
      ? new RateLimiterRedis({
          ...options,
          keyPrefix: `${store.redis.prefix}${options.keyPrefix}`,
          storeClient: store.redis.client,
          useRedisPackage: true,
          ...(spec.blockInMemory ? { inMemoryBlockOnConsumed: spec.points + 1, inMemoryBlockDuration: spec.durationSeconds } : {}),
          // While Redis cannot answer (the client fails fast, redisCluster.ts), each node keeps the
          // budget on its own: limits still hold per node, and nothing waits for Redis.
          insuranceLimiter: new RateLimiterMemory(options),
        })
      : new RateLimiterMemory(options);
    return {
      name: spec.name,
      points: spec.points,
      async consume(key, points = 1) {
        try {
          await consumeFrom(limiter, key, points);
        } catch (error) {
          if (error instanceof RateLimitedError) metrics.limitRefusals.inc({ limit: spec.name });
          throw error;
        }
      },
      async refund(key, points = 1) {
        await limiter.reward(key, points).catch((error: unknown) => {
          throw storeFailed(error);
        });
      },
      async reset(key) {
        await limiter.delete(key).catch((error: unknown) => {
          throw storeFailed(error);
        });
      },
    };
  };
}
