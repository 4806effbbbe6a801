import { QueryTypes, type Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { migrations } from '../../../sql/migrations/index.js';
import type { Logger } from '../log/logger.js';
import type { Dialect } from './database.js';

const LOCK_NAME = 'zentrale_migrations';
const LOCK_WAIT_SECONDS = 120;
const sqliteTurns = new Map<string, Promise<unknown>>();

function createUmzug(sequelize: Sequelize, log: Logger) {
  return new Umzug({
    migrations,
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'zentrale_migrations' }),
    logger: {
      info: (m) => log.info(m, 'migration'),
      warn: (m) => log.warn(m, 'migration'),
      error: (m) => log.error(m, 'migration'),
      debug: (m) => log.debug(m, 'migration'),
    },
  });
}

/**
 * Applies pending migrations. On MySQL/MariaDB several nodes may start at once: a named lock
 * makes them take turns, and the later ones find nothing left to do.
 */
export async function migrate(sequelize: Sequelize, dialect: Dialect, log: Logger): Promise<string[]> {
  const umzug = createUmzug(sequelize, log);
  if (dialect === 'sqlite') {
    // One process owns an SQLite file; within it, instances sharing the file take turns.
    const key = String((sequelize as unknown as { options: { storage?: string } }).options.storage);
    const previous = sqliteTurns.get(key) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(async () => (await umzug.up()).map((m) => m.name));
    sqliteTurns.set(key, mine);
    return mine;
  }

  // GET_LOCK belongs to a connection, so lock, migrate and unlock on one pinned connection.
  return sequelize.transaction(async (transaction) => {
    const [row] = await sequelize.query<{ got: number | null }>('SELECT GET_LOCK(?, ?) AS got', {
      replacements: [LOCK_NAME, LOCK_WAIT_SECONDS],
      type: QueryTypes.SELECT,
      transaction,
    });
    if (row?.got !== 1) throw new Error(`Could not get the migration lock within ${LOCK_WAIT_SECONDS} s`);
    try {
      return (await umzug.up()).map((m) => m.name);
    } finally {
      await sequelize.query('SELECT RELEASE_LOCK(?)', { replacements: [LOCK_NAME], transaction });
    }
  });
}
