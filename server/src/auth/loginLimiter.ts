import type { MakeLimit } from '../limits/limits.js';

export interface LoginLimiter {
  /**
   * Reserves one attempt for this address and this account before the password is checked (and
   * before the slow hash): throws RateLimitedError when either budget is used up. The reservation
   * is atomic, so a burst of concurrent logins, on any node, gets at most the budget's number of
   * password checks; the rest are refused without hashing.
   */
  reserve(ip: string, email: string): Promise<void>;
  /** The password was right: the account's counter starts over, and the address gets its attempt back. */
  succeed(ip: string, email: string): Promise<void>;
}

/**
 * Two budgets: per account (slows guessing one password from many addresses) and per address,
 * with ten times the room (slows one address trying many accounts, but lets an office share it).
 */
export function createLoginLimiter(makeLimit: MakeLimit, maxAttempts: number, windowSeconds: number): LoginLimiter {
  const byAccount = makeLimit({ name: 'login:account', points: maxAttempts, durationSeconds: windowSeconds });
  const byAddress = makeLimit({ name: 'login:address', points: maxAttempts * 10, durationSeconds: windowSeconds });
  return {
    async reserve(ip, email) {
      await byAddress.consume(ip);
      try {
        await byAccount.consume(email);
      } catch (error) {
        // Refused for the account: this attempt checks no password, so the address keeps its point.
        await byAddress.refund(ip);
        throw error;
      }
    },
    async succeed(ip, email) {
      await Promise.all([byAccount.reset(email), byAddress.refund(ip)]);
    },
  };
}
