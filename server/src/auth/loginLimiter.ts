import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors/errors.js';

export interface LoginLimiter {
  /** Throws RateLimitedError when this address or account has used up its attempts. */
  check(ip: string, email: string): Promise<void>;
  /** Counts a failed attempt. */
  fail(ip: string, email: string): Promise<void>;
  /** A successful login clears the account's counter (not the address's). */
  succeed(email: string): Promise<void>;
}

/**
 * Two budgets: per account (slows guessing one password from many addresses) and per address,
 * with ten times the room (slows one address trying many accounts, but lets an office share it).
 */
export function createLoginLimiter(
  maxAttempts: number,
  windowSeconds: number,
  make: (opts: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract = (o) =>
    new RateLimiterMemory(o),
): LoginLimiter {
  const byAccount = make({ keyPrefix: 'login:account', points: maxAttempts, duration: windowSeconds });
  const byAddress = make({ keyPrefix: 'login:ip', points: maxAttempts * 10, duration: windowSeconds });

  const blockedFor = async (limiter: RateLimiterAbstract, key: string, limit: number) => {
    const res = await limiter.get(key);
    return res && res.consumedPoints >= limit ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;
  };

  return {
    async check(ip, email) {
      const wait = Math.max(
        await blockedFor(byAccount, email, maxAttempts),
        await blockedFor(byAddress, ip, maxAttempts * 10),
      );
      if (wait > 0) throw new RateLimitedError(wait);
    },
    async fail(ip, email) {
      for (const [limiter, key] of [[byAccount, email], [byAddress, ip]] as const) {
        await limiter.penalty(key, 1).catch((error: unknown) => {
          if (!(error instanceof RateLimiterRes)) throw error;
        });
      }
    },
    async succeed(email) {
      await byAccount.delete(email);
    },
  };
}
