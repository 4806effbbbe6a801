import assert from 'node:assert/strict';
import os from 'node:os';
import { ROOT_DIR } from '../../../server/src/server.js';
import { VERSION } from '../../../server/src/version.js';
import { ask, closeAllSockets, connectVisitor, emitRaw, expectOk, login, request, visitorSession } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

interface AdminHealth {
  status: 'ok' | 'degraded';
  version: string;
  node: string;
  database: 'sqlite' | 'mysql';
  cluster: boolean;
  voice: { available: boolean; reason: string | null };
  uptimeSeconds: number;
  checks: Array<{ name: string; ok: boolean; reason?: string }>;
}

/** What a stranger may learn from a node, and what only admins see. */
describeEachDb('health: status for everyone, details for admins', (db) => {
  let server: TestServer;
  let adminCookie: string;
  let agentCookie: string;
  before(async () => {
    server = await startTestServer({ db });
    const admin = await server.createUser({ role: 'admin' });
    adminCookie = await login(server.baseUrl, admin.email, admin.password);
    const agent = await server.createUser({ role: 'agent' });
    agentCookie = await login(server.baseUrl, agent.email, agent.password);
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  /** Nothing that names this machine, this process or where the server lives on disk. */
  function assertNothingInternal(text: string) {
    assert.ok(!text.includes(server.zentrale.config.nodeId), 'no node id');
    assert.ok(!text.includes(os.hostname()), 'no host name');
    assert.doesNotMatch(text, new RegExp(`\\b${process.pid}\\b`), 'no process id');
    assert.ok(!text.includes(ROOT_DIR) && !text.includes(server.zentrale.config.dataDir), 'no server path');
  }

  it('GET /health tells anyone only whether the node works', async () => {
    const res = await fetch(`${server.baseUrl}/health`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), { ok: true, data: { status: 'ok' } });
    assertNothingInternal(text);
  });

  it('GET /api/admin/health gives admins the details: version, node, database, voice, each check', async () => {
    const res = await request<AdminHealth>(server.baseUrl, 'GET', '/api/admin/health', { cookie: adminCookie });
    assert.equal(res.status, 200);
    assert.ok(res.body.ok);
    const h = res.body.data;
    assert.equal(h.status, 'ok');
    assert.equal(h.version, VERSION);
    assert.equal(h.node, server.zentrale.config.nodeId);
    assert.equal(h.database, db === 'sqlite' ? 'sqlite' : 'mysql');
    assert.equal(h.cluster, false);
    assert.equal(typeof h.voice.available, 'boolean');
    assert.ok(h.uptimeSeconds >= 0);
    assert.deepEqual(h.checks, [{ name: 'database', ok: true }]);
  });

  it('refuses the details to agents and strangers', async () => {
    assert.equal((await request(server.baseUrl, 'GET', '/api/admin/health', { cookie: agentCookie })).status, 403);
    const stranger = await request(server.baseUrl, 'GET', '/api/admin/health');
    assert.equal(stranger.status, 401);
    assert.equal(!stranger.body.ok && stranger.body.error.code, 'UNAUTHENTICATED');
  });

  it('says degraded (503) and names the failing check when the database is gone', async () => {
    const broken = await startTestServer({ db });
    try {
      const admin = await broken.createUser({ role: 'admin' });
      const cookie = await login(broken.baseUrl, admin.email, admin.password);
      await broken.zentrale.db.sequelize.close();
      const res = await fetch(`${broken.baseUrl}/health`);
      assert.equal(res.status, 503);
      const text = await res.text();
      assert.deepEqual(JSON.parse(text), { ok: true, data: { status: 'degraded', failing: ['database'] } });
      assertNothingInternal(text);
      // The admin details need the database too (the session): they are refused as unavailable, not as a crash.
      const details = await request(broken.baseUrl, 'GET', '/api/admin/health', { cookie });
      assert.equal(details.status, 503);
      assert.equal(!details.body.ok && details.body.error.code, 'UNAVAILABLE');
    } finally {
      await broken.close().catch(() => undefined);
    }
  });
});

describe('health: voice trouble is explained without server paths', () => {
  let server: TestServer;
  let adminCookie: string;
  const missing = '/nonexistent/zentrale-health-test/mediasoup-worker';
  before(async () => {
    // The worker binary is looked up in the environment when the server starts.
    const previous = process.env.MEDIASOUP_WORKER_BIN;
    process.env.MEDIASOUP_WORKER_BIN = missing;
    try {
      server = await startTestServer();
    } finally {
      if (previous === undefined) delete process.env.MEDIASOUP_WORKER_BIN;
      else process.env.MEDIASOUP_WORKER_BIN = previous;
    }
    const admin = await server.createUser({ role: 'admin' });
    adminCookie = await login(server.baseUrl, admin.email, admin.password);
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  it('the operator has the full reason; admins and callers get it without the path', async () => {
    const availability = server.zentrale.voice.pool.availability;
    assert.ok(!availability.available && availability.reason.includes(missing), 'the log and the banner name the path');

    const details = await request<AdminHealth>(server.baseUrl, 'GET', '/api/admin/health', { cookie: adminCookie });
    assert.ok(details.body.ok);
    assert.equal(details.body.data.voice.available, false);
    assert.match(details.body.data.voice.reason ?? '', /MEDIASOUP_WORKER_BIN is not an executable file/);
    assert.ok(!JSON.stringify(details.body).includes('/nonexistent'), 'no path for admins either');

    const socket = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);
    expectOk(await ask(socket, 'conversation:resume', {}));
    const join = await emitRaw(socket, 'voice:join', { roomId: 'conversation:00000000-0000-4000-8000-000000000000' });
    assert.equal(!join.ok && join.error.code, 'UNAVAILABLE');
    assert.ok(!join.ok && !join.error.message.includes('/nonexistent'), `no path for callers: ${JSON.stringify(join)}`);
  });
});

describe('metrics: only for this machine, or with the token', () => {
  it('without METRICS_TOKEN: answers direct requests from this machine, refuses forwarded ones', async () => {
    const server = await startTestServer();
    try {
      const direct = await fetch(`${server.baseUrl}/metrics`);
      assert.equal(direct.status, 200);
      assert.match(await direct.text(), /zentrale_process_cpu_seconds_total/);
      const forwarded: Array<Record<string, string>> = [{ 'x-forwarded-for': '203.0.113.7' }, { forwarded: 'for=203.0.113.7' }, { 'x-real-ip': '203.0.113.7' }];
      for (const header of forwarded) {
        const proxied = await request(server.baseUrl, 'GET', '/metrics', { headers: header });
        assert.equal(proxied.status, 403, JSON.stringify(header));
        assert.equal(!proxied.body.ok && proxied.body.error.code, 'FORBIDDEN');
      }
    } finally {
      await server.close();
    }
  });

  it('with METRICS_TOKEN: wants it as a Bearer token, from anywhere', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const server = await startTestServer({ env: { METRICS_TOKEN: token } });
    try {
      const none = await request(server.baseUrl, 'GET', '/metrics');
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="metrics"');
      assert.equal((await request(server.baseUrl, 'GET', '/metrics', { headers: { authorization: 'Bearer wrong-token-0123456789abcdef' } })).status, 401);
      const right = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.7' } });
      assert.equal(right.status, 200);
      assert.match(await right.text(), /zentrale_http_requests_total/);
    } finally {
      await server.close();
    }
  });
});
