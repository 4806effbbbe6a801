import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Role } from '../../shared/schemas/common.js';
import { loadConfig } from '../../server/src/config/config.js';
import { createLogger, type Logger } from '../../server/src/log/logger.js';
import { seedDemo } from '../../server/src/seed/demoData.js';
import { createZentrale, type Zentrale } from '../../server/src/server.js';
import { createUsers } from '../../server/src/users/users.js';
import type { DbKind } from './dbTargets.js';
import { freePort } from './cluster.js';
import { createTestDatabase } from './mariadb.js';
import { GENEROUS_QUOTAS } from './quotas.js';
import { connectTestRedis, dropPrefix, testPrefix, testRedisUrl } from './redis.js';

export interface TestUser {
  id: number;
  email: string;
  password: string;
  name: string;
}

export interface TestServer {
  baseUrl: string;
  zentrale: Zentrale;
  createUser(input?: { role?: Role; email?: string; password?: string; name?: string; languages?: string[] }): Promise<TestUser>;
  seedDemo(): Promise<void>;
  close(): Promise<void>;
}

let userCounter = 0;

/**
 * Every test client connects from 127.0.0.1, so the budgets per address (and the staff budget,
 * which suites with dozens of agents share through few accounts) would limit whole suites rather
 * than one attacker. Suites about those limits set their own values through `env`.
 */
export const ONE_ADDRESS_LIMITS: Record<string, string> = {
  SOCKET_EVENTS_PER_ADDRESS_PER_10S: '10000000',
  SOCKET_EVENTS_PER_STAFF_PER_10S: '1000000',
  CONNECTIONS_PER_ADDRESS: '1000000',
  PASSWORD_HASH_QUEUE: '100000',
};

/** A clock tests move by hand: deadlines (offers, wrap-up, grace) pass without waiting. */
export class TestClock {
  private offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** A real zentrale on an ephemeral port with its own database (SQLite file or MariaDB schema). */
export async function startTestServer(
  options: { db?: DbKind; redis?: boolean; env?: Record<string, string>; clock?: TestClock; /** Where the server logs (tests that look at what it logged). */ log?: Logger } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'zentrale-test-'));
  const mariadb = options.db === 'mariadb' ? await createTestDatabase() : null;
  const redisPrefix = options.redis ? testPrefix() : null;
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    SHUTDOWN_TIMEOUT_MS: '3000',
    ...ONE_ADDRESS_LIMITS,
    ...GENEROUS_QUOTAS,
    ...(mariadb ? { DATABASE_URL: mariadb.url } : {}),
    ...(redisPrefix ? { REDIS_URL: testRedisUrl(), REDIS_PREFIX: redisPrefix } : {}),
    ...options.env,
  });
  const zentrale = await createZentrale(config, options.log ?? createLogger(config.logLevel), options.clock ? { now: options.clock.now } : {});
  const baseUrl = await zentrale.listen();
  const users = createUsers(zentrale.db.models);
  return {
    baseUrl: baseUrl.replace('localhost', '127.0.0.1'),
    zentrale,
    async createUser(input = {}) {
      userCounter++;
      const email = input.email ?? `agent${userCounter}-${process.pid}@test.example`;
      const password = input.password ?? 'correct horse battery staple';
      const name = input.name ?? `Agent ${userCounter}`;
      const user = await users.create({ email, password, name, role: input.role ?? 'agent', languages: input.languages ?? ['de', 'en'] });
      return { id: user.id, email, password, name };
    },
    async seedDemo() {
      await seedDemo(zentrale.db);
      // Written behind the running server's back: let routing read the new departments.
      await zentrale.engine.loadDepartments();
    },
    async close() {
      await zentrale.close();
      await mariadb?.drop();
      if (redisPrefix) {
        const client = await connectTestRedis();
        await dropPrefix(client, redisPrefix);
        await client.close();
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
