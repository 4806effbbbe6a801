import { Sequelize, type Options } from 'sequelize';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { lockConflict } from './failures.js';
import { defineModels, type Models } from './models/index.js';

export type Dialect = 'sqlite' | 'mysql';

export interface Database {
  /**
   * `sequelize.transaction(callback)` re-runs the callback in a fresh transaction when MySQL/MariaDB
   * rolled it back for a deadlock or lock wait timeout (retryTransaction): callbacks must be safe
   * to run again, so they read what they change inside the transaction.
   */
  sequelize: Sequelize;
  models: Models;
  dialect: Dialect;
  /** Throws when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const SQLITE_BUSY_TIMEOUT_MS = 5000;

interface SqliteConnection {
  configure(option: 'busyTimeout', value: number): void;
  exec(sql: string, callback: (error: Error | null) => void): void;
  __zentraleConfigured?: boolean;
}

/**
 * Sequelize opens one SQLite connection per transaction and runs no connect hook for SQLite, so
 * per-connection settings (busy timeout: wait instead of failing with SQLITE_BUSY while another
 * connection writes; synchronous mode) are applied to each connection as it is handed out.
 */
function configureSqliteConnections(sequelize: Sequelize): void {
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options?: unknown): Promise<SqliteConnection>;
  };
  const getConnection = manager.getConnection.bind(manager);
  manager.getConnection = async (options) => {
    const connection = await getConnection(options);
    if (!connection.__zentraleConfigured) {
      connection.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
      // Per-connection setting: with WAL, NORMAL is durable against crashes of the process and
      // skips the fsync on every commit that FULL does.
      await new Promise<void>((resolve, reject) => connection.exec('PRAGMA synchronous = NORMAL', (e) => (e ? reject(e) : resolve())));
      connection.__zentraleConfigured = true;
    }
    return connection;
  };
}

/**
 * SQLite has one writer at a time, and Sequelize opens a fresh connection per transaction. Many
 * concurrent transactions then poll the file lock (busy timeout) with growing sleeps; taking turns
 * in-process instead keeps latency flat. Transactions are never nested here.
 */
function serializeSqliteTransactions(sequelize: Sequelize): void {
  let tail: Promise<unknown> = Promise.resolve();
  const transaction = sequelize.transaction.bind(sequelize) as (...args: unknown[]) => Promise<unknown>;
  (sequelize as unknown as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = (...args: unknown[]) => {
    const turn = tail.then(() => transaction(...args));
    tail = turn.catch(() => undefined);
    return turn;
  };
}

/** Tries of one transaction that keeps meeting deadlocks; a lock wait timeout (seconds of waiting each) gets one more try only. */
export const TRANSACTION_ATTEMPTS = 8;
const LOCK_WAIT_ATTEMPTS = 2;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` again when MySQL/MariaDB rolled it back for a lock conflict (deadlock 1213, lock
 * wait timeout 1205): two transactions taking the same locks in different orders is normal under
 * concurrency, and InnoDB resolves it by failing one, which succeeds when run again. Between
 * tries a short random pause keeps the same contenders from colliding again in step.
 * `attempt` must start a fresh transaction each time and change nothing outside it.
 */
export async function retryTransaction<T>(attempt: () => Promise<T>, log: Logger): Promise<T> {
  let waits = 0;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const conflict = lockConflict(error);
      if (!conflict) throw error;
      if (conflict === 'lock_wait_timeout') waits++;
      if (n >= TRANSACTION_ATTEMPTS || waits >= LOCK_WAIT_ATTEMPTS) throw error;
      log.warn({ attempt: n, conflict }, 'transaction rolled back by a lock conflict; running it again');
      await pause(Math.random() * 10 * 2 ** n);
    }
  }
}

/** Every managed transaction (`sequelize.transaction(callback)`) gets retryTransaction; unmanaged ones are left alone. */
function retryManagedTransactions(sequelize: Sequelize, log: Logger): void {
  const transaction = sequelize.transaction.bind(sequelize) as (...args: unknown[]) => Promise<unknown>;
  (sequelize as unknown as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = (...args: unknown[]) =>
    args.some((a) => typeof a === 'function') ? retryTransaction(() => transaction(...args), log) : transaction(...args);
}

export async function openDatabase(
  config: Pick<Config, 'database' | 'dbPoolMax' | 'dbLogSql'>,
  log: Logger,
): Promise<Database> {
  const logging: Options['logging'] = config.dbLogSql ? (sql: string) => log.debug({ sql }, 'sql') : false;
  const common: Options = {
    logging,
    define: { underscored: true },
    // Timestamps are stored and read in UTC whatever the server's zone.
    timezone: '+00:00',
  };
  let sequelize: Sequelize;
  if (config.database.kind === 'sqlite') {
    sequelize = new Sequelize({
      ...common,
      dialect: 'sqlite',
      storage: config.database.storage,
      transactionType: 'IMMEDIATE' as Options['transactionType'],
      // Sequelize re-runs a statement that met SQLITE_BUSY up to five times, each after the busy
      // timeout: half a minute before a locked database is reported. The busy timeout is the wait;
      // after it the request is answered UNAVAILABLE (errors/toErrorResponse.ts).
      retry: { max: 1 },
    });
    configureSqliteConnections(sequelize);
    serializeSqliteTransactions(sequelize);
    await sequelize.query('PRAGMA journal_mode = WAL');
  } else {
    const url = config.database.url.replace(/^mariadb:/, 'mysql:');
    sequelize = new Sequelize(url, {
      ...common,
      dialect: 'mysql',
      pool: { max: config.dbPoolMax, min: 0, idle: 10_000, acquire: 30_000 },
      dialectOptions: { charset: 'utf8mb4', supportBigNumbers: true, bigNumberStrings: false },
    });
    retryManagedTransactions(sequelize, log);
  }
  await sequelize.authenticate();
  const models = defineModels(sequelize);
  const dialect: Dialect = config.database.kind === 'sqlite' ? 'sqlite' : 'mysql';
  return {
    sequelize,
    models,
    dialect,
    ping: async () => {
      await sequelize.query('SELECT 1');
    },
    close: () => sequelize.close(),
  };
}
