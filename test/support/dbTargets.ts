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
