import { ConnectionError, TimeoutError } from 'sequelize';

/**
 * What a database error means for the request that met it. Sequelize wraps driver errors
 * (`parent`/`original`); the raw SQL runner (sqlRunner.ts) throws mysql2's own. Both are looked at.
 */

interface DriverError {
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
  parent?: unknown;
  original?: unknown;
  message?: unknown;
}

/** The error itself and the driver errors it wraps. */
function layers(error: unknown): DriverError[] {
  const out: DriverError[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object' && !out.includes(current as DriverError); depth++) {
    out.push(current as DriverError);
    const e = current as DriverError;
    current = e.parent ?? e.original;
  }
  return out;
}

/** ER_LOCK_DEADLOCK (1213), ER_LOCK_WAIT_TIMEOUT (1205): InnoDB rolled the work back; running it again may succeed. */
const RETRYABLE_ERRNOS = [1213, 1205];
const RETRYABLE_CODES = ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT'];

/** Which lock conflict rolled the transaction back, if one did. */
export function lockConflict(error: unknown): 'deadlock' | 'lock_wait_timeout' | null {
  for (const e of layers(error)) {
    if (Number(e.errno) === 1213 || e.code === 'ER_LOCK_DEADLOCK') return 'deadlock';
    if (Number(e.errno) === 1205 || e.code === 'ER_LOCK_WAIT_TIMEOUT') return 'lock_wait_timeout';
  }
  return null;
}

/**
 * The database cannot be reached or cannot take the work now: connection refused, lost or
 * timed out, too many connections, the server shutting down, credentials refused, the SQLite file
 * locked by someone else beyond the busy timeout, its disk gone or full. Also lock conflicts that
 * stayed after the retries (lockConflict, database.ts retryTransaction). Asking again later may succeed.
 */
const UNAVAILABLE_CODES = new Set([
  // Network (Node, mysql2)
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  // MySQL/MariaDB server
  'ER_CON_COUNT_ERROR', 'ER_TOO_MANY_USER_CONNECTIONS', 'ER_SERVER_SHUTDOWN', 'ER_NORMAL_SHUTDOWN', 'ER_SHUTDOWN_COMPLETE',
  'ER_CONNECTION_KILLED', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_ACCOUNT_HAS_BEEN_LOCKED', 'ER_CANT_CREATE_THREAD', 'ER_OUT_OF_RESOURCES',
  ...RETRYABLE_CODES,
  // SQLite
  'SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL',
]);
/** 1040 too many connections, 1053 shutdown in progress, 1927 connection killed, 4151 account locked (MariaDB). */
const UNAVAILABLE_ERRNOS = new Set([1040, 1053, 1077, 1079, 1927, 4151, ...RETRYABLE_ERRNOS]);
/** Sequelize's own words once its pool is closed (shutdown): the request can go to another node. */
const CLOSED_POOL = /connection manager was closed|pool is draining/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  return layers(error).some(
    (e) =>
      UNAVAILABLE_CODES.has(String(e.code)) ||
      UNAVAILABLE_ERRNOS.has(Number(e.errno)) ||
      // mysql2 marks errors that ended the connection as fatal (also "Can't add new command when connection is in closed state").
      e.fatal === true ||
      (typeof e.message === 'string' && CLOSED_POOL.test(e.message)),
  );
}

/** A unique key refused the row: someone (a retry, another node) stored it first. */
export const isUniqueViolation = (error: unknown) =>
  (error as { name?: string } | null)?.name === 'SequelizeUniqueConstraintError' ||
  (error as { code?: string } | null)?.code === 'ER_DUP_ENTRY' ||
  /UNIQUE constraint failed/.test(String((error as { message?: string } | null)?.message ?? ''));
