import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createStickyProxy, type StickyProxy } from '../../server/src/cluster/stickyProxy.js';
import { openDatabase, type Database } from '../../server/src/db/database.js';
import { migrate } from '../../server/src/db/migrate.js';
import { createLogger } from '../../server/src/log/logger.js';
import { createTestDatabase } from './mariadb.js';
import { ONE_ADDRESS_LIMITS } from './server.js';
import { GENEROUS_QUOTAS } from './quotas.js';
import { connectTestRedis, dropPrefix, testPrefix, testRedisUrl } from './redis.js';

const MAIN = path.resolve('server/src/main.ts');

/** A port that was free a moment ago: a node's public URL (origin checks) must be known before it starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface ClusterNode {
  nodeId: string;
  url: string;
  process: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export interface TestCluster {
  nodes: ClusterNode[];
  /** The sticky proxy in front of all nodes, as a load balancer would be. */
  proxyUrl: string;
  /** A database connection of the test's own, to arrange and inspect stored state. */
  db: Database;
  redisPrefix: string;
  redisUrl: string;
  startNode(nodeId: string): Promise<ClusterNode>;
  close(): Promise<void>;
}

async function waitForHealth(url: string, node: () => string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`node at ${url} did not become healthy:\n${node().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Real server processes sharing one MariaDB database and one Redis key prefix, behind a sticky
 * proxy. `seed` runs against the database before the nodes start.
 */
export async function startCluster(options: {
  nodes: number;
  redisUrl?: string;
  env?: Record<string, string>;
  seed?: (db: Database) => Promise<void>;
}): Promise<TestCluster> {
  const database = await createTestDatabase();
  const log = createLogger('silent');
  const db = await openDatabase({ database: { kind: 'mysql', url: database.url }, dbPoolMax: 5, dbLogSql: false }, log);
  await migrate(db.sequelize, db.dialect, log);
  if (options.seed) await options.seed(db);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'zentrale-cluster-'));
  const redisUrl = options.redisUrl ?? testRedisUrl();
  const redisPrefix = testPrefix();
  const ports = await Promise.all(Array.from({ length: options.nodes }, () => freePort()));
  const proxyPort = await freePort();
  const proxyUrl = `http://127.0.0.1:${proxyPort}`;
  const nodes: ClusterNode[] = [];

  const baseEnv = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PUBLIC_URL: proxyUrl,
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    SECRET_KEY: 'cluster-test-secret-key-0123456789-abcdef',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    SERVE_CLIENT: 'false',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...ONE_ADDRESS_LIMITS,
    ...GENEROUS_QUOTAS,
    ...options.env,
  };

  async function startNode(nodeId: string, port: number): Promise<ClusterNode> {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { ...baseEnv, PORT: String(port), NODE_ID: nodeId },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const node: ClusterNode = { nodeId, url: `http://127.0.0.1:${port}`, process: child, output: () => out, exited };
    await waitForHealth(node.url, node.output);
    return node;
  }

  for (let i = 0; i < options.nodes; i++) nodes.push(await startNode(`node-${String.fromCharCode(97 + i)}`, ports[i]!));
  const proxy: StickyProxy = createStickyProxy(nodes.map((n) => n.url));
  await new Promise<void>((resolve) => proxy.server.listen(proxyPort, '127.0.0.1', resolve));

  return {
    nodes,
    proxyUrl,
    db,
    redisPrefix,
    redisUrl,
    async startNode(nodeId) {
      const index = nodes.findIndex((n) => n.nodeId === nodeId);
      const node = await startNode(nodeId, ports[index]!);
      nodes[index] = node;
      return node;
    },
    async close() {
      await proxy.close();
      for (const node of nodes) {
        if (node.process.exitCode === null && node.process.signalCode === null) node.process.kill('SIGTERM');
      }
      await Promise.all(nodes.map((n) => Promise.race([n.exited, new Promise((r) => setTimeout(r, 5000))])));
      for (const node of nodes) if (node.process.exitCode === null) node.process.kill('SIGKILL');
      await db.close();
      await database.drop();
      if (!options.redisUrl) {
        const client = await connectTestRedis();
        await dropPrefix(client, redisPrefix);
        await client.close();
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
