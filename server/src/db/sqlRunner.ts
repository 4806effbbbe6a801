import { QueryTypes, type Transaction } from 'sequelize';
import type { Logger } from '../log/logger.js';
import { retryTransaction, type Database } from './database.js';

export interface WriteOutcome {
  insertId: number;
  affectedRows: number;
}

/** A statement inside a transaction; `?` placeholders, values in order. */
export interface SqlTx {
  rows<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  /** Runs a write: the first auto-increment id it generated (if any) and the rows it changed. */
  run(sql: string, params: readonly unknown[]): Promise<WriteOutcome>;
}

export interface SqlRunner {
  dialect: Database['dialect'];
  /**
   * How a multi-row INSERT tells which ids it generated: `returning` (MariaDB ≥ 10.5),
   * `consecutive` (SQLite's single writer, MySQL with innodb_autoinc_lock_mode ≤ 1: first id + row
   * index), or
   * `one-by-one` (MySQL's interleaved mode 2, where one statement's ids may have gaps).
   */
  insertIds: 'returning' | 'consecutive' | 'one-by-one';
  /** Runs `fn` in a transaction; on MySQL again, in a fresh one, after a deadlock or lock wait timeout, so `fn` must be safe to re-run. */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  /** One write on its own (autocommit): no BEGIN/COMMIT round trips. */
  write(sql: string, params: readonly unknown[]): Promise<WriteOutcome>;
}

interface MysqlConnection {
  query(options: { sql: string; values: readonly unknown[] }, callback: (error: Error | null, result: unknown) => void): void;
}

/**
 * SQLite statements get their values as bound parameters, never spliced into the SQL text:
 * Sequelize's `replacements` escape a value into the text, and SQLite reads the text as a C
 * string, so one U+0000 in a chat message cut the statement short and failed the whole batch.
 * `?` becomes `$1…$n` (Sequelize's bind syntax); quoted literals are left alone.
 */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\?/g, (match) => (match === '?' ? `$${++n}` : match));
}

/** Values as Sequelize stores them on SQLite, so raw writes and model reads agree. */
function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', ' +00:00');
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value;
}

/**
 * Plain SQL for the few paths where Sequelize's per-query cost (query building, model instances,
 * lodash clones) dominated the server's CPU under load — the chat message write above all
 * (docs/performance.md). On MySQL it talks to a connection of Sequelize's own pool directly; on
 * SQLite it goes through `sequelize.query`, whose date and boolean formatting the models share.
 */
export async function createSqlRunner(db: Database, log: Logger): Promise<SqlRunner> {
  const { sequelize } = db;
  if (db.dialect === 'sqlite') {
    const run = async (sql: string, params: readonly unknown[], transaction?: Transaction): Promise<WriteOutcome> => {
      // The query type decides what Sequelize's SQLite driver reports: [lastID, changes] for an
      // INSERT, [, changes] for an UPDATE or DELETE.
      const insert = /^\s*insert/i.test(sql);
      const [lastId, changes] = (await sequelize.query(numberedPlaceholders(sql), { bind: params.map(sqliteValue), type: insert ? QueryTypes.INSERT : QueryTypes.UPDATE, ...(transaction ? { transaction } : {}) })) as unknown as [number | undefined, number];
      const affectedRows = Number(changes ?? 0);
      // One writer at a time makes one statement's ids consecutive: the first is last − count + 1.
      return { insertId: insert ? Number(lastId ?? 0) - Math.max(affectedRows, 1) + 1 : 0, affectedRows };
    };
    const tx = (transaction: Transaction): SqlTx => ({
      rows: <T>(sql: string, params: readonly unknown[]) => sequelize.query(numberedPlaceholders(sql), { bind: params.map(sqliteValue), type: QueryTypes.SELECT, transaction }) as Promise<T[]>,
      run: (sql, params) => run(sql, params, transaction),
    });
    return {
      dialect: 'sqlite',
      insertIds: 'consecutive',
      transaction: (fn) => sequelize.transaction((t) => fn(tx(t))),
      // Writes take turns with transactions (see database.ts), so a lone write goes through one too.
      write: (sql, params) => sequelize.transaction((t) => run(sql, params, t)),
    };
  }

  const manager = sequelize.connectionManager as unknown as {
    getConnection(options: { type: 'write' }): Promise<MysqlConnection>;
    releaseConnection(connection: MysqlConnection): void;
  };
  const query = (connection: MysqlConnection, sql: string, params: readonly unknown[]) =>
    new Promise<unknown>((resolve, reject) => connection.query({ sql, values: params }, (error, result) => (error ? reject(error) : resolve(result))));

  const [facts] = (await sequelize.query('SELECT VERSION() AS version, @@innodb_autoinc_lock_mode AS mode', { type: QueryTypes.SELECT })) as Array<{ version: string; mode: number }>;
  const mariadb = /mariadb/i.exec(facts!.version) !== null;
  const [major = 0, minor = 0] = facts!.version.split(/[.-]/).map(Number);
  const insertIds: SqlRunner['insertIds'] = mariadb && (major > 10 || (major === 10 && minor >= 5)) ? 'returning' : Number(facts!.mode) <= 1 ? 'consecutive' : 'one-by-one';

  const outcome = (result: unknown): WriteOutcome => {
    const r = result as { insertId?: number; affectedRows?: number };
    return { insertId: Number(r.insertId ?? 0), affectedRows: Number(r.affectedRows ?? 0) };
  };

  return {
    dialect: 'mysql',
    insertIds,
    write(sql, params) {
      // A statement on its own is a transaction too: InnoDB may pick it as a deadlock victim.
      return retryTransaction(async () => {
        const connection = await manager.getConnection({ type: 'write' });
        try {
          return outcome(await query(connection, sql, params));
        } finally {
          manager.releaseConnection(connection);
        }
      }, log);
    },
    transaction(fn) {
      // InnoDB may roll a transaction back for a deadlock or lock wait timeout: it runs again, whole (database.ts).
      return retryTransaction(async () => {
        const connection = await manager.getConnection({ type: 'write' });
        try {
          await query(connection, 'START TRANSACTION', []);
          try {
            const result = await fn({
              rows: async <T>(sql: string, params: readonly unknown[]) => (await query(connection, sql, params)) as T[],
              run: async (sql: string, params: readonly unknown[]) => outcome(await query(connection, sql, params)),
            });
            await query(connection, 'COMMIT', []);
            return result;
          } catch (error) {
            // The statement's own error is the one to report; a failed rollback only adds context
            // (the pool's validation drops a connection that broke).
            await query(connection, 'ROLLBACK', []).catch((rollback: unknown) => log.warn({ err: rollback, cause: String(error) }, 'rollback failed'));
            throw error;
          }
        } finally {
          manager.releaseConnection(connection);
        }
      }, log);
    },
  };
}
