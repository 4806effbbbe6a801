import { Sequelize, type Options } from 'sequelize';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { defineModels, type Models } from './models/index.js';

export type Dialect = 'sqlite' | 'mysql';

export interface Database {
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
