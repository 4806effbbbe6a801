import { UnavailableError } from '../errors/errors.js';

/**
 * Password hashing (argon2id, ~19 MiB and tens of milliseconds of CPU each) is the most expensive
 * thing zentrale does on request. Unbounded, a flood of logins takes every core and the chat slows
 * down with it. The gate lets `concurrency` hashes run at once and `queue` wait; past that a login
 * is refused at once with UNAVAILABLE (503, retry shortly) instead of adding to the pile.
 */
export interface HashGate {
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Hashes running and waiting (for /metrics and tests). */
  readonly load: { running: number; waiting: number };
}

export function createHashGate(concurrency: number, queue: number): HashGate {
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    running--;
    const next = waiting.shift();
    if (next) {
      running++;
      next();
    }
  };
  return {
    async run(work) {
      if (running >= concurrency) {
        if (waiting.length >= queue) throw new UnavailableError('Too many sign-ins at once; try again in a moment.', 1);
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else running++;
      try {
        return await work();
      } finally {
        release();
      }
    },
    get load() {
      return { running, waiting: waiting.length };
    },
  };
}
