import assert from 'node:assert/strict';
import { login, request } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { eventually } from '../../support/chatFixtures.js';

describeEachDb('sign-in, sessions and roles', (db) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ db, env: { LOGIN_MAX_ATTEMPTS: '3', LOGIN_WINDOW_SECONDS: '60' } });
  });
  after(() => server.close());

  it('signs in with the right password and sets an httpOnly, SameSite session cookie', async () => {
    const agent = await server.createUser({ name: 'Petra Paul' });
    const res = await request<{ user: { name: string; role: string } }>(server.baseUrl, 'POST', '/api/auth/login', {
      body: { email: agent.email.toUpperCase(), password: agent.password },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.ok && res.body.data.user.name, 'Petra Paul');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('zentrale_session='))!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.doesNotMatch(JSON.stringify(res.body), /password/i, 'no hash or password in the response');
    const me = await request<{ user: { email: string } }>(server.baseUrl, 'GET', '/api/auth/me', { cookie: cookie.split(';')[0] });
    assert.equal(me.body.ok && me.body.data.user.email, agent.email);
  });

  it('refuses a wrong password or unknown account with the same answer', async () => {
    const agent = await server.createUser();
    const wrong = await request(server.baseUrl, 'POST', '/api/auth/login', { body: { email: agent.email, password: 'wrong password!' } });
    const unknown = await request(server.baseUrl, 'POST', '/api/auth/login', { body: { email: 'nobody@test.example', password: 'wrong password!' } });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    assert.equal(!wrong.body.ok && wrong.body.error.code, 'UNAUTHENTICATED');
  });

  it('rate-limits repeated failed logins for an account, even with the right password afterwards', async () => {
    const agent = await server.createUser();
    for (let i = 0; i < 3; i++) {
      const res = await request(server.baseUrl, 'POST', '/api/auth/login', { body: { email: agent.email, password: `guess ${i} wrong` } });
      assert.equal(res.status, 401);
    }
    const blocked = await request(server.baseUrl, 'POST', '/api/auth/login', { body: { email: agent.email, password: agent.password } });
    assert.equal(blocked.status, 429);
    assert.equal(!blocked.body.ok && blocked.body.error.code, 'RATE_LIMITED');
    assert.ok(!blocked.body.ok && blocked.body.error.retryAfterSeconds! > 0);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
  });

  it('signs out: the cookie stops working', async () => {
    const agent = await server.createUser();
    const cookie = await login(server.baseUrl, agent.email, agent.password);
    const out = await request(server.baseUrl, 'POST', '/api/auth/logout', { cookie });
    assert.equal(out.status, 200);
    const me = await request(server.baseUrl, 'GET', '/api/auth/me', { cookie });
    assert.equal(me.status, 401);
  });

  it('enforces roles on the user administration', async () => {
    const agent = await server.createUser({ role: 'agent' });
    const supervisor = await server.createUser({ role: 'supervisor' });
    const admin = await server.createUser({ role: 'admin' });
    const [a, s, ad] = await Promise.all([agent, supervisor, admin].map((u) => login(server.baseUrl, u.email, u.password)));
    assert.equal((await request(server.baseUrl, 'GET', '/api/users')).status, 401);
    assert.equal((await request(server.baseUrl, 'GET', '/api/users', { cookie: a })).status, 403);
    assert.equal((await request(server.baseUrl, 'GET', '/api/users', { cookie: s })).status, 200);
    const newUser = { email: 'new.agent@test.example', name: 'Neu', password: 'a long enough password', role: 'agent' };
    assert.equal((await request(server.baseUrl, 'POST', '/api/users', { cookie: s, body: newUser })).status, 403);
    const created = await request(server.baseUrl, 'POST', '/api/users', { cookie: ad, body: newUser });
    assert.equal(created.status, 201);
    const again = await request(server.baseUrl, 'POST', '/api/users', { cookie: ad, body: newUser });
    assert.equal(again.status, 409);
    const weak = await request(server.baseUrl, 'POST', '/api/users', { cookie: ad, body: { ...newUser, email: 'x@test.example', password: 'short' } });
    assert.equal(weak.status, 400);
    assert.deepEqual(!weak.body.ok && weak.body.error.issues?.map((i) => i.path), ['password']);
  });

  it('refuses cookie-authenticated writes from a foreign origin', async () => {
    const admin = await server.createUser({ role: 'admin' });
    const cookie = await login(server.baseUrl, admin.email, admin.password);
    const res = await request(server.baseUrl, 'POST', '/api/users', {
      cookie,
      headers: { origin: 'https://evil.example' },
      body: { email: 'csrf@test.example', name: 'X', password: 'a long enough password' },
    });
    assert.equal(res.status, 403);
    assert.equal(await server.zentrale.db.models.User.count({ where: { email: 'csrf@test.example' } }), 0);
  });

  it('a visitor token is never an agent credential', async () => {
    const session = await request<{ token: string }>(server.baseUrl, 'POST', '/api/visitor/session', { body: {} });
    const token = session.body.ok ? session.body.data.token : '';
    for (const cookie of [`zentrale_session=${token}`, `zentrale_session=${token.slice(0, 100)}`]) {
      assert.equal((await request(server.baseUrl, 'GET', '/api/auth/me', { cookie })).status, 401);
    }
    const bearer = await request(server.baseUrl, 'GET', '/api/users', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(bearer.status, 401);
  });
});

describeEachDb('first start: creating the first admin', (db) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ db });
  });
  after(() => server.close());

  it('offers setup with the printed token only, once', async () => {
    const status = await request<{ needsSetup: boolean }>(server.baseUrl, 'GET', '/api/setup/status');
    assert.equal(status.body.ok && status.body.data.needsSetup, true);
    const token = server.zentrale.setupToken;
    assert.ok(token, 'a setup token is printed on a fresh install');
    const body = { name: 'Erste Admin', email: 'first@test.example', password: 'a long enough password' };
    const guessed = await request(server.baseUrl, 'POST', '/api/setup', { body: { ...body, setupToken: 'x'.repeat(32) } });
    assert.equal(guessed.status, 403);
    const weak = await request(server.baseUrl, 'POST', '/api/setup', { body: { ...body, password: 'short', setupToken: token } });
    assert.equal(weak.status, 400);
    const done = await request<{ user: { role: string } }>(server.baseUrl, 'POST', '/api/setup', { body: { ...body, setupToken: token } });
    assert.equal(done.status, 201);
    assert.equal(done.body.ok && done.body.data.user.role, 'admin');
    assert.ok(done.headers.getSetCookie().some((c) => c.startsWith('zentrale_session=')), 'signed in right away');
    const replay = await request(server.baseUrl, 'POST', '/api/setup', { body: { ...body, email: 'second@test.example', setupToken: token } });
    assert.equal(replay.status, 409);
    const after = await request<{ needsSetup: boolean }>(server.baseUrl, 'GET', '/api/setup/status');
    assert.equal(after.body.ok && after.body.data.needsSetup, false);
  });
});

describeEachDb('sign-in under a burst', (db) => {
  let server: TestServer;
  afterEach(() => server?.close());

  it('checks at most LOGIN_MAX_ATTEMPTS passwords for an account in a burst of 300, even the right one last', async () => {
    server = await startTestServer({ db, env: { LOGIN_MAX_ATTEMPTS: '5', LOGIN_WINDOW_SECONDS: '600' } });
    const agent = await server.createUser();
    const attempts = Array.from({ length: 300 }, (_, i) =>
      request(server.baseUrl, 'POST', '/api/auth/login', { body: { email: agent.email, password: i === 299 ? agent.password : `wrong guess ${i}` } }),
    );
    const results = await Promise.all(attempts);
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 401).length, 5, 'only the reserved attempts reach the password check');
    assert.equal(statuses.filter((s) => s === 429).length, 295);
    assert.equal(statuses[299], 429, 'the right password after the burst is refused too');
  });

  it('bounds password hashing: past the queue a login is refused at once with UNAVAILABLE and Retry-After', async () => {
    server = await startTestServer({ db, env: { PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '1' } });
    const agent = await server.createUser();
    // Hold the one hashing slot, as a flood of logins would.
    let release!: () => void;
    const held = server.zentrale.hashGate.run(() => new Promise<void>((resolve) => (release = resolve)));
    const waiting = request(server.baseUrl, 'POST', '/api/auth/login', { body: { email: agent.email, password: agent.password } });
    await eventually(() => server.zentrale.hashGate.load.waiting === 1);
    const refused = await request(server.baseUrl, 'POST', '/api/auth/login', { body: { email: 'nobody@flood.example', password: 'whatever it is' } });
    assert.equal(refused.status, 503);
    assert.equal(!refused.body.ok && refused.body.error.code, 'UNAVAILABLE');
    assert.equal(refused.headers.get('retry-after'), '1');
    release();
    await held;
    assert.equal((await waiting).status, 200, 'the login that waited is served');
  });
});
