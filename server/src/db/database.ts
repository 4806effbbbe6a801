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
  __zentraleConfigured?: boolean;
}

/**
 * Sequelize opens one SQLite connection per transaction and runs no connect hook for SQLite, so
 * the busy timeout (wait instead of failing with SQLITE_BUSY when another connection writes) is
 * set on each connection as it is handed out.
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
      connection.__zentraleConfigured = true;
    }
    return connection;
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
    await sequelize.query('PRAGMA journal_mode = WAL');
    await sequelize.query('PRAGMA synchronous = NORMAL');
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
