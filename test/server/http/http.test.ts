import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { ask, closeAllSockets, connectAgent, connectVisitor, emitRaw, expectOk, login, request, visitorSession } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const SHOP = 'https://shop.example';

describeEachDb('HTTP surface: metrics, headers, CORS, limits (health: test/server/health)', (db) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ db, env: { ALLOWED_ORIGINS: `${SHOP}, https://www.shop.example`, MAX_PAYLOAD_BYTES: '16384' } });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  it('exposes Prometheus metrics including socket events', async () => {
    const socket = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);
    expectOk(await ask(socket, 'conversation:resume', {}));
    await emitRaw(socket, 'bogus:event', {});
    const res = await fetch(`${server.baseUrl}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /zentrale_process_cpu_seconds_total/);
    assert.match(text, /zentrale_socket_events_total\{namespace="\/visitor",event="conversation:resume",outcome="ok"\} \d+/);
    assert.match(text, /zentrale_socket_events_total\{namespace="\/visitor",event="unknown",outcome="UNKNOWN_EVENT"\} \d+/);
    assert.match(text, /zentrale_socket_connections\{namespace="\/visitor"\} [1-9]/);
  });

  it('sends security headers on pages and API responses', async () => {
    for (const path of ['/', '/console/', '/api/public/departments']) {
      const res = await fetch(server.baseUrl + path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'self'/, path);
      assert.equal(res.headers.get('x-powered-by'), null, path);
    }
  });

  it('lets only the configured sites frame the widget page and load the loader', async () => {
    const page = await fetch(`${server.baseUrl}/widget/`);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, new RegExp(`frame-ancestors 'self' ${SHOP} https://www.shop.example`));
    assert.equal(page.headers.get('x-frame-options'), null);
    const consolePage = await fetch(`${server.baseUrl}/console/`);
    assert.equal(consolePage.headers.get('x-frame-options'), 'SAMEORIGIN');
    const loader = await fetch(`${server.baseUrl}/widget.js`);
    assert.equal(loader.status, 200);
    assert.match(loader.headers.get('content-type') ?? '', /javascript/);
    assert.equal(loader.headers.get('cross-origin-resource-policy'), 'cross-origin');
  });

  it('serves the console for deep links', async () => {
    const res = await fetch(`${server.baseUrl}/console/setup?token=abc`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<div id="app"|<body/);
  });

  it('follows the allowed origins for CORS on the visitor API, and never on the agent API', async () => {
    const allowed = await fetch(`${server.baseUrl}/api/public/departments`, { headers: { origin: SHOP } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), SHOP);
    const foreign = await fetch(`${server.baseUrl}/api/public/departments`, { headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${server.baseUrl}/api/visitor/session`, {
      method: 'OPTIONS',
      headers: { origin: SHOP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), SHOP);
    const agentApi = await fetch(`${server.baseUrl}/api/auth/me`, { headers: { origin: SHOP } });
    assert.equal(agentApi.headers.get('access-control-allow-origin'), null);
  });

  it('lets an allowed site open a visitor socket but never an agent socket', async () => {
    const visitor = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token, { origin: SHOP });
    assert.equal(visitor.connected, true);
    await assert.rejects(connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token, { origin: 'https://evil.example' }));
    const agent = await server.createUser();
    const cookie = await login(server.baseUrl, agent.email, agent.password);
    await assert.rejects(connectAgent(server.baseUrl, cookie, { origin: SHOP }), /FORBIDDEN/);
  });

  it('refuses oversized bodies with 413 and malformed JSON with 400', async () => {
    const big = await request(server.baseUrl, 'POST', '/api/auth/login', { raw: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(20_000) }) });
    assert.equal(big.status, 413);
    assert.equal(!big.body.ok && big.body.error.code, 'PAYLOAD_TOO_LARGE');
    const broken = await request(server.baseUrl, 'POST', '/api/visitor/session', { raw: '{"token": ' });
    assert.equal(broken.status, 400);
    assert.equal(!broken.body.ok && broken.body.error.code, 'VALIDATION_FAILED');
  });

  it('drops a socket that sends an oversized frame and keeps serving everyone else', async () => {
    const { token } = await visitorSession(server.baseUrl);
    const bystander = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);
    const attacker = await connectVisitor(server.baseUrl, token);
    const closed = new Promise<string>((resolve) => attacker.once('disconnect', resolve));
    (attacker as unknown as Socket).emit('conversation:resume', { junk: 'x'.repeat(32_000) });
    assert.match(await closed, /transport (close|error)/);
    assert.equal(bystander.connected, true);
    expectOk(await ask(bystander, 'conversation:resume', {}));
    assert.equal((await request(server.baseUrl, 'GET', '/health')).status, 200);
  });

  it('answers unknown API routes with a NOT_FOUND body', async () => {
    const res = await request(server.baseUrl, 'GET', '/api/does-not-exist');
    assert.equal(res.status, 404);
    assert.equal(!res.body.ok && res.body.error.code, 'NOT_FOUND');
  });

  it('rate-limits a connection that floods events', async () => {
    const limited = await startTestServer({ db: 'sqlite', env: { SOCKET_EVENTS_PER_10S: '5' } });
    try {
      const socket = await connectVisitor(limited.baseUrl, (await visitorSession(limited.baseUrl)).token);
      const acks = await Promise.all(Array.from({ length: 8 }, () => ask(socket, 'conversation:resume', {})));
      assert.equal(acks.filter((a) => a.ok).length, 5);
      const refused = acks.find((a) => !a.ok);
      assert.equal(refused && !refused.ok && refused.error.code, 'RATE_LIMITED');
      assert.equal(socket.connected, true);
    } finally {
      await limited.close();
    }
  });
});
