import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../../../server/src/db/database.js';
import { migrate } from '../../../server/src/db/migrate.js';
import { createLogger } from '../../../server/src/log/logger.js';
import { migrations } from '../../../sql/migrations/index.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { createTestDatabase } from '../../support/mariadb.js';

const log = createLogger('silent');

describeEachDb('migrations', (kind) => {
  let cleanup: () => Promise<void>;
  let config: Parameters<typeof openDatabase>[0];
  const open: Database[] = [];

  before(async () => {
    if (kind === 'mariadb') {
      const t = await createTestDatabase();
      config = { database: { kind: 'mysql', url: t.url }, dbPoolMax: 5, dbLogSql: false };
      cleanup = t.drop;
    } else {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'zentrale-migrate-'));
      config = { database: { kind: 'sqlite', storage: path.join(dir, 'db.sqlite') }, dbPoolMax: 1, dbLogSql: false };
      cleanup = () => rm(dir, { recursive: true, force: true });
    }
  });
  after(async () => {
    await Promise.all(open.map((d) => d.close()));
    await cleanup();
  });

  const connect = async () => {
    const db = await openDatabase(config, log);
    open.push(db);
    return db;
  };

  it('applies the whole history once, even when several nodes start together', async () => {
    const nodes = await Promise.all([connect(), connect(), connect()]);
    const results = await Promise.all(nodes.map((db) => migrate(db.sequelize, db.dialect, log)));
    const applied = results.flat();
    assert.deepEqual(applied, migrations.map((m) => m.name), 'each migration applied by exactly one node');
    assert.deepEqual(await migrate(nodes[0]!.sequelize, nodes[0]!.dialect, log), [], 'nothing left on a rerun');
  });

  it('creates tables the models can use, with unicode intact', async () => {
    const db = await connect();
    const user = await db.models.User.create({
      email: 'u@test.example', name: 'Mehmet Yılmaz 👩‍💻', passwordHash: 'x', role: 'agent', languages: ['de', 'tr'], uiLanguage: 'de', maxChats: 3,
    });
    const read = await db.models.User.findByPk(user.id);
    assert.equal(read?.name, 'Mehmet Yılmaz 👩‍💻');
    assert.deepEqual(read?.languages, ['de', 'tr']);
    assert.equal(read?.active, true);
    const tables = (await db.sequelize.getQueryInterface().showAllTables()).map(String).sort();
    for (const t of ['conversations', 'department_members', 'departments', 'messages', 'sessions', 'settings', 'users', 'visitors', 'zentrale_migrations']) {
      assert.ok(tables.includes(t), `table ${t}`);
    }
  });

  it('enforces the message idempotency key in the database itself', async () => {
    const db = await connect();
    const { Visitor, Department, Conversation, Message } = db.models;
    await Visitor.create({ id: '00000000-0000-4000-8000-000000000001', name: null, email: null, language: 'de', lastSeenAt: new Date() });
    const dep = await Department.create({ slug: 'd', name: 'D', languages: ['de'], openingHours: null, fallbackDepartmentId: null });
    await Conversation.create({ id: '00000000-0000-4000-8000-000000000002', visitorId: '00000000-0000-4000-8000-000000000001', departmentId: dep.id, status: 'queued', language: 'de', assignedAgentId: null, closedAt: null, waitingSince: new Date() });
    const base = { conversationId: '00000000-0000-4000-8000-000000000002', senderType: 'visitor' as const, senderId: null, senderName: null, clientId: 'client-id-1', body: 'a' };
    await Message.create(base);
    await assert.rejects(Message.create(base), /Validation|unique|UNIQUE/i);
  });
});
