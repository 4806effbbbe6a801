import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { createClient } from 'redis';
import { MARIADB } from './seed.js';
import { REDIS_URL } from './servers.js';

/** The machine and versions a result belongs to; numbers without these are not comparable. */
export interface Environment {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  socketIo: string;
  socketIoClient: string;
  mariadb: string;
  redis: string;
  openFilesLimit: string;
}

const pkgVersion = (name: string) => {
  try {
    return (JSON.parse(readFileSync(path.resolve('node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

export async function environment(): Promise<Environment> {
  let mariadb = 'unreachable';
  try {
    const c = await mysql.createConnection(MARIADB);
    const [rows] = await c.query('SELECT VERSION() AS v');
    mariadb = (rows as { v: string }[])[0]?.v ?? 'unknown';
    await c.end();
  } catch {
    // reported as unreachable; the scenarios will fail loudly on their own
  }
  let redis = 'unreachable';
  const client = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false, connectTimeout: 2000 } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    redis = /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
  } catch {
    // as above
  } finally {
    await client.close().catch(() => undefined);
  }
  let openFilesLimit = 'unknown';
  try {
    openFilesLimit = /Max open files\s+(\S+)\s+(\S+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.slice(1).join(' / ') ?? 'unknown';
  } catch {
    // not Linux
  }
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    socketIo: pkgVersion('socket.io'),
    socketIoClient: pkgVersion('socket.io-client'),
    mariadb,
    redis,
    openFilesLimit,
  };
}
