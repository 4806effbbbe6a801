import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

/** A throwaway database on the test MariaDB server, so suites can run side by side. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.TEST_MARIADB_URL;
  if (!base) throw new Error('TEST_MARIADB_URL is not set');
  const name = `zentrale_test_${randomBytes(6).toString('hex')}`;
  const admin = new URL(base);
  admin.pathname = '/';
  const connection = await mysql.createConnection(admin.toString());
  await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await connection.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = await mysql.createConnection(admin.toString());
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}
