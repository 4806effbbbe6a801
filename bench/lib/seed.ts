import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { openDatabase } from '../../server/src/db/database.js';
import { migrate } from '../../server/src/db/migrate.js';
import { createLogger } from '../../server/src/log/logger.js';
import { createUsers } from '../../server/src/users/users.js';
import type { Team } from './jobs.js';

export const MARIADB = process.env.BENCH_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/';
const PASSWORD = 'bench-password-0123456789';

export interface BenchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A throwaway database per server start, so runs never see each other's chats. */
export async function createDatabase(): Promise<BenchDatabase> {
  const name = `zentrale_bench_${randomBytes(5).toString('hex')}`;
  const admin = new URL(MARIADB);
  admin.pathname = '/';
  const c = await mysql.createConnection(admin.toString());
  await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await c.end();
  const url = new URL(MARIADB);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const d = await mysql.createConnection(admin.toString());
      await d.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await d.end();
    },
  };
}

/**
 * Migrates the database and creates one department per team with `agents` auto-accepting agents
 * of `capacity` chats each. One password hash is computed and reused: hashing 500 passwords with
 * argon2 would dominate set-up for nothing.
 */
export async function seedTeams(url: string, teams: { agents: number; capacity: number }[]): Promise<Team[]> {
  const log = createLogger('silent');
  const db = await openDatabase({ database: { kind: 'mysql', url }, dbPoolMax: 4, dbLogSql: false }, log);
  try {
    await migrate(db.sequelize, db.dialect, log);
    const out: Team[] = [];
    let passwordHash: string | null = null;
    for (const [t, team] of teams.entries()) {
      const dept = await db.models.Department.create({
        slug: `bench-${t}`, name: `Bench ${t}`, languages: ['de'], openingHours: null, fallbackDepartmentId: null,
        wrapUpSeconds: 0, offerTimeoutSeconds: 30,
      });
      const emails = Array.from({ length: team.agents }, (_, i) => `agent${t}-${i}@bench.test`);
      if (passwordHash === null) {
        const first = await createUsers(db.models).create({ email: 'hash@bench.test', name: 'Hash', password: PASSWORD, role: 'agent', languages: ['de'], maxChats: 1 });
        passwordHash = first.passwordHash;
      }
      const users = await db.models.User.bulkCreate(
        emails.map((email, i) => ({ email, name: `Agent ${t}-${i}`, passwordHash: passwordHash!, role: 'agent' as const, languages: ['de'], uiLanguage: 'de' as const, maxChats: team.capacity, autoAccept: true })),
      );
      await db.models.DepartmentMember.bulkCreate(users.map((u) => ({ userId: u.id, departmentId: dept.id, level: 'L1' as const, maxChats: null })));
      out.push({ departmentId: dept.id, emails, password: PASSWORD });
    }
    return out;
  } finally {
    await db.close();
  }
}
