import assert from 'node:assert/strict';
import net from 'node:net';
import sqlite3 from 'sqlite3';
import { clientId, makeDepartment } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectVisitor, login, request, visitorSession, type VisitorSocket } from '../../support/clients.js';
import { dbTargets } from '../../support/dbTargets.js';
import { captureLog } from '../../support/logCapture.js';
import { createTestDatabase } from '../../support/mariadb.js';
import { startTestServer, type TestServer } from '../../support/server.js';

/**
 * A TCP relay in front of MariaDB: cutting it is the database going away under the running server
 * (connections drop, new ones are refused); restoring it is the database coming back.
 */
async function dbRelay(target: URL) {
  const open = new Set<net.Socket>();
  let server: net.Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 3306), target.hostname);
        for (const s of [client, upstream]) {
          open.add(s);
          s.on('close', () => open.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    async cut() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      });
    },
    restore: listen,
  };
}

/** What a client of the server sees during an outage: UNAVAILABLE with 503, never INTERNAL. */
async function assertUnavailable(server: TestServer, admin: { id: number; cookie: string }, visitor: VisitorSocket, departmentId: number) {
  const [session, users, start] = await Promise.all([
    request(server.baseUrl, 'POST', '/api/visitor/session', { body: {} }),
    request(server.baseUrl, 'PATCH', `/api/users/${admin.id}`, { cookie: admin.cookie, body: { name: 'Während des Ausfalls' } }),
    ask(visitor, 'conversation:start', { clientId: clientId(), departmentId, language: 'de', name: 'Erika', channel: 'chat', text: 'Hallo?' }),
  ]);
  assert.equal(session.status, 503, JSON.stringify(session.body));
  assert.equal(!session.body.ok && session.body.error.code, 'UNAVAILABLE');
  assert.equal(users.status, 503, JSON.stringify(users.body));
  assert.equal(!users.body.ok && users.body.error.code, 'UNAVAILABLE');
  assert.equal(!start.ok && start.error.code, 'UNAVAILABLE', JSON.stringify(start));
}

describe('database outage: clients are told UNAVAILABLE (503), operators see it logged', function () {
  this.timeout(60_000);
  afterEach(closeAllSockets);

  it('[sqlite] another process holds the write lock beyond the busy timeout', async () => {
    const captured = captureLog();
    const server = await startTestServer({ log: captured.log });
    const storage = server.zentrale.config.database.kind === 'sqlite' ? server.zentrale.config.database.storage : '';
    const locker = new sqlite3.Database(storage);
    const exec = (sql: string) => new Promise<void>((resolve, reject) => locker.exec(sql, (e) => (e ? reject(e) : resolve())));
    try {
      const admin = await server.createUser({ role: 'admin' });
      const adminCookie = await login(server.baseUrl, admin.email, admin.password);
      const adminUser = { id: admin.id, cookie: adminCookie };
      const departmentId = await makeDepartment(server);
      const visitor = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);

      // As a maintenance script or `sqlite3` shell with an open write transaction would.
      await exec('BEGIN IMMEDIATE');
      const before = captured.lines.length;
      await assertUnavailable(server, adminUser, visitor, departmentId);
      const logged = captured.lines.slice(before);
      assert.ok(logged.some((l) => l.msg === 'database unavailable' && l.level === 50), 'logged as an error for operators');
      assert.ok(!logged.some((l) => l.msg === 'unexpected error'), 'not as an unexplained crash');

      await exec('ROLLBACK');
      assert.equal((await request(server.baseUrl, 'POST', '/api/visitor/session', { body: {} })).status, 200, 'works again once the lock is gone');
    } finally {
      await new Promise<void>((resolve) => locker.close(() => resolve()));
      await server.close();
    }
  });

  if (dbTargets().includes('mariadb')) {
    it('[mariadb] the database goes away under the running server, and comes back', async () => {
      const database = await createTestDatabase();
      const real = new URL(database.url);
      const relay = await dbRelay(real);
      const viaRelay = new URL(database.url);
      viaRelay.hostname = '127.0.0.1';
      viaRelay.port = String(relay.port);
      const captured = captureLog();
      const server = await startTestServer({ env: { DATABASE_URL: viaRelay.toString() }, log: captured.log });
      try {
        const admin = await server.createUser({ role: 'admin' });
        const adminUser = { id: admin.id, cookie: await login(server.baseUrl, admin.email, admin.password) };
        const departmentId = await makeDepartment(server);
        const visitor = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);

        await relay.cut();
        const before = captured.lines.length;
        await assertUnavailable(server, adminUser, visitor, departmentId);
        const health = await request<{ status: string; failing: string[] }>(server.baseUrl, 'GET', '/health');
        assert.equal(health.status, 503);
        assert.deepEqual(health.body.ok && health.body.data, { status: 'degraded', failing: ['database'] });
        const logged = captured.lines.slice(before);
        assert.ok(logged.some((l) => l.msg === 'database unavailable' && l.level === 50), 'logged as an error for operators');
        assert.ok(!logged.some((l) => l.msg === 'unexpected error'), 'not as an unexplained crash');

        await relay.restore();
        assert.equal((await request(server.baseUrl, 'POST', '/api/visitor/session', { body: {} })).status, 200, 'works again once the database is back');
        assert.equal((await request(server.baseUrl, 'GET', '/health')).status, 200);
      } finally {
        await server.close().catch(() => undefined);
        await relay.cut().catch(() => undefined);
        await database.drop();
      }
    });
  }
});
