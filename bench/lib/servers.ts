import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { createDatabase, seedTeams } from './seed.js';
import type { Team } from './jobs.js';

export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN = path.resolve('server/src/main.ts');
const RELAY = path.resolve('bench/relay.ts');
const GC_HOOK = path.resolve('bench/lib/gcOnSignal.ts');

/** Every child process the harness started, so an error or ctrl-c can stop them all. */
export const children = new Set<ChildProcess>();

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

interface Started {
  url: string;
  pid: number;
  process: ChildProcess;
  output(): string;
}

function startProcess(script: string, env: Record<string, string>, port: number, gcHook = false): Promise<Started> {
  // BENCH_SERVER_NODE_ARGS adds node flags to the measured processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const flags = [...extra, ...(gcHook ? ['--expose-gc', '--import', 'tsx', '--import', GC_HOOK] : ['--import', 'tsx'])];
  const child = spawn(process.execPath, [...flags, script], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  return (async () => {
    for (const until = Date.now() + 60_000; ; ) {
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}:\n${out.slice(-3000)}`);
      try {
        if ((await fetch(`${url}/health`)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error(`${script} did not become healthy:\n${out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { url, pid: child.pid!, process: child, output: () => out };
  })();
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(timer);
}

export interface Target {
  urls: string[];
  pids: number[];
  teams: Team[];
  stop(): Promise<void>;
}

/**
 * zentrale on MariaDB: a fresh database, seeded teams, then `nodes` processes. With `cluster`
 * the nodes share Redis under a prefix of their own (also for one node, so one-vs-two compares the
 * same code path).
 */
export async function startZentrale(opts: {
  nodes: number;
  cluster: boolean;
  teams: { agents: number; capacity: number }[];
  gcHook?: boolean;
  /** Writes more into the seeded database before the servers start (the backlog scenario's waiting chats). */
  prepare?: (databaseUrl: string, teams: Team[]) => Promise<void>;
}): Promise<Target> {
  const database = await createDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'zentrale-bench-'));
  const prefix = `zb:${randomBytes(5).toString('hex')}:`;
  const started: Started[] = [];
  const stop = async () => {
    await Promise.all(started.map((s) => stopProcess(s.process)));
    await database.drop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    if (opts.cluster) await dropRedisPrefix(prefix).catch(() => undefined);
  };
  try {
    const teams = await seedTeams(database.url, opts.teams);
    await opts.prepare?.(database.url, teams);
    const ports = await Promise.all(Array.from({ length: opts.nodes }, () => freePort()));
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${ports[0]}`,
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      SERVE_CLIENT: 'false',
      // Bots send far more than a human; the per-socket limit would only measure itself.
      SOCKET_EVENTS_PER_10S: '100000', // the configured maximum
      // Thousands of bot visitors, chats and tickets from 127.0.0.1: the anonymous quotas (docs/limits.md)
      // would measure themselves, not the server.
      VISITOR_SESSIONS_PER_ADDRESS_PER_10MIN: '10000000',
      VISITOR_SESSIONS_PER_10MIN: '100000000',
      OPEN_CHATS_PER_ADDRESS: '1000000',
      CHAT_STARTS_PER_ADDRESS_PER_10MIN: '10000000',
      CHAT_STARTS_PER_10MIN: '100000000',
      TICKETS_PER_VISITOR_PER_HOUR: '1000000',
      TICKETS_PER_ADDRESS_PER_HOUR: '10000000',
      TICKETS_PER_HOUR: '100000000',
      // Every bot connects from 127.0.0.1: the budgets shared per address and per person would
      // only measure themselves. They stay on (each event still pays for their check).
      SOCKET_EVENTS_PER_VISITOR_PER_10S: '1000000',
      SOCKET_EVENTS_PER_STAFF_PER_10S: '1000000',
      SOCKET_EVENTS_PER_ADDRESS_PER_10S: '10000000',
      CONNECTIONS_PER_ADDRESS: '1000000',
      PASSWORD_HASH_QUEUE: '100000',
      SHUTDOWN_TIMEOUT_MS: '3000',
      ...(opts.cluster ? { REDIS_URL, REDIS_PREFIX: prefix, SECRET_KEY: 'bench-secret-key-0123456789-abcdefghijklmnop' } : {}),
      // BENCH_ENV_<NAME>=value sets NAME for the measured servers, e.g. BENCH_ENV_DB_POOL_MAX=30.
      ...Object.fromEntries(Object.entries(process.env).flatMap(([k, v]) => (k.startsWith('BENCH_ENV_') && v !== undefined ? [[k.slice('BENCH_ENV_'.length), v]] : []))),
    };
    for (const [i, port] of ports.entries()) started.push(await startProcess(MAIN, { ...env, NODE_ID: `bench-${i}` }, port, opts.gcHook));
    return { urls: started.map((s) => s.url), pids: started.map((s) => s.pid), teams, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The bare relay; teams only carry department ids and agent counts there. */
export async function startRelay(teams: { agents: number }[], gcHook = false): Promise<Target> {
  const s = await startProcess(RELAY, {}, await freePort(), gcHook);
  return {
    urls: [s.url],
    pids: [s.pid],
    teams: teams.map((t, i) => ({ departmentId: i + 1, emails: Array.from({ length: t.agents }, (_, k) => `relay${i}-${k}`), password: '' })),
    stop: () => stopProcess(s.process),
  };
}

async function dropRedisPrefix(prefix: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length) await client.del(keys);
  } finally {
    await client.close();
  }
}
