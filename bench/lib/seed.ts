import { randomBytes, randomUUID } from 'node:crypto';
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

export interface Backlog {
  /** Waiting in the measured team's own department, in a language none of its agents speaks. */
  same: number;
  /** Waiting in other departments, spread evenly over `departments` of them, with nobody online there. */
  elsewhere: number;
  departments: number;
}

/**
 * A standing backlog, written straight into the database before the server starts (the server
 * queues it on start, as after a restart): chats that wait and cannot be served, as in the
 * issue's report. The offline fallback is off everywhere, and the maximum wait is an hour so the
 * fallback's "waited too long" check stays out of the run (see docs/performance.md).
 */
export async function seedBacklog(url: string, team: Team, backlog: Backlog): Promise<void> {
  const log = createLogger('silent');
  const db = await openDatabase({ database: { kind: 'mysql', url }, dbPoolMax: 4, dbLogSql: false }, log);
  try {
    const { Department, Visitor, Conversation, Message } = db.models;
    const settings = { offlineFallback: false, maxWaitSeconds: 3600 };
    await Department.update(settings, { where: { id: team.departmentId } });
    const others: number[] = [];
    for (let i = 0; i < backlog.departments; i++) {
      const d = await Department.create({ slug: `backlog-${i}`, name: `Backlog ${i}`, languages: ['de'], openingHours: null, fallbackDepartmentId: null, wrapUpSeconds: 0, offerTimeoutSeconds: 30, ...settings });
      others.push(d.id);
    }
    const total = backlog.same + backlog.elsewhere;
    // Waiting over the last ten minutes, oldest first; the team's chats spread evenly among the others.
    const start = Date.now() - 10 * 60_000;
    let elsewhere = 0;
    for (let from = 0; from < total; from += 1000) {
      const rows = Array.from({ length: Math.min(1000, total - from) }, (_, k) => {
        const i = from + k;
        const inTeam = Math.floor(((i + 1) * backlog.same) / total) > Math.floor((i * backlog.same) / total);
        return {
          visitorId: randomUUID(),
          conversationId: randomUUID(),
          departmentId: inTeam ? team.departmentId : others[elsewhere++ % others.length]!,
          language: inTeam ? 'fr' : 'de',
          waitingSince: new Date(start + Math.floor((i * 9 * 60_000) / total)),
        };
      });
      const now = new Date();
      await Visitor.bulkCreate(rows.map((r, k) => ({ id: r.visitorId, name: `Wartend ${from + k}`, email: null, language: r.language, lastSeenAt: now })));
      await Conversation.bulkCreate(
        rows.map((r) => ({ id: r.conversationId, visitorId: r.visitorId, departmentId: r.departmentId, status: 'queued' as const, language: r.language, assignedAgentId: null, waitingSince: r.waitingSince, closedAt: null })),
      );
      await Message.bulkCreate(rows.map((r) => ({ conversationId: r.conversationId, senderType: 'visitor', body: 'Ich warte schon eine Weile.', internal: false, createdAt: r.waitingSince })));
    }
  } finally {
    await db.close();
  }
}
