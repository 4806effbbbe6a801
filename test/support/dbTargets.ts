/**
 * The databases a DB suite runs on: SQLite always, MariaDB when TEST_MARIADB_URL is given
 * (e.g. mysql://root@127.0.0.1:3306/). CI sets REQUIRE_MARIADB=1, so a missing URL fails
 * loudly instead of quietly testing less.
 */
export type DbKind = 'sqlite' | 'mariadb';

export function dbTargets(): DbKind[] {
  const url = process.env.TEST_MARIADB_URL;
  if (!url && process.env.REQUIRE_MARIADB === '1') {
    throw new Error('REQUIRE_MARIADB=1 but TEST_MARIADB_URL is not set');
  }
  return url ? ['sqlite', 'mariadb'] : ['sqlite'];
}

/** Declares the same suite once per database target. */
export function describeEachDb(title: string, body: (db: DbKind) => void): void {
  for (const db of dbTargets()) describe(`${title} [${db}]`, () => body(db));
}

/**
 * Suites about routing state run once more in cluster mode: MariaDB plus the Redis store and
 * adapter (a single node here; the multi-process suite covers several). Redis is required in CI.
 */
export interface Target {
  db: DbKind;
  redis: boolean;
  label: string;
}

export function routingTargets(): Target[] {
  const targets: Target[] = dbTargets().map((db) => ({ db, redis: false, label: db }));
  const clusterDb = targets.some((t) => t.db === 'mariadb') ? 'mariadb' : 'sqlite';
  if (process.env.TEST_REDIS_URL || process.env.REQUIRE_REDIS === '1' || process.env.TEST_WITH_REDIS === '1') {
    targets.push({ db: clusterDb, redis: true, label: `${clusterDb}+redis` });
  }
  return targets;
}

export function describeEachTarget(title: string, body: (target: Target) => void): void {
  for (const target of routingTargets()) describe(`${title} [${target.label}]`, () => body(target));
}
