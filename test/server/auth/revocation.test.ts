import assert from 'node:assert/strict';
import type { SessionEndCode } from '../../../shared/schemas/auth.js';
import { ask, closeAllSockets, connectAgent, connectCommunity, login, nextEvent, request, type AgentSocket } from '../../support/clients.js';
import { describeEachTarget } from '../../support/dbTargets.js';
import { startTestServer, TestClock, type TestServer, type TestUser } from '../../support/server.js';

/** Resolves with the code of the `session:ended` the socket gets, once the server has also closed it. */
function endedWith(socket: { once(e: string, f: (v: unknown) => void): void }, ms = 5000): Promise<SessionEndCode> {
  const ended = nextEvent<{ code: SessionEndCode }>(socket as never, 'session:ended', ms);
  const closed = nextEvent<string>(socket as never, 'disconnect', ms);
  return Promise.all([ended, closed]).then(([e, reason]) => {
    assert.equal(reason, 'io server disconnect');
    return e.code;
  });
}

describeEachTarget('revoked rights end live connections', (target) => {
  let server: TestServer;
  let clock: TestClock;
  let admin: TestUser;
  let adminCookie: string;
  beforeEach(async () => {
    clock = new TestClock();
    server = await startTestServer({ db: target.db, redis: target.redis, clock, env: { SESSION_RECHECK_SECONDS: '30', SESSION_TTL_HOURS: '8' } });
    admin = await server.createUser({ role: 'admin' });
    adminCookie = await login(server.baseUrl, admin.email, admin.password);
  });
  afterEach(async () => {
    closeAllSockets();
    await server.close();
  });

  const patch = (id: number, body: unknown, cookie = adminCookie) => request(server.baseUrl, 'PATCH', `/api/users/${id}`, { cookie, body });

  async function signedIn(role: 'agent' | 'supervisor' = 'agent'): Promise<{ user: TestUser; cookie: string; socket: AgentSocket }> {
    const user = await server.createUser({ role });
    const cookie = await login(server.baseUrl, user.email, user.password);
    const socket = await connectAgent(server.baseUrl, cookie);
    await ask(socket, 'presence:get', {});
    return { user, cookie, socket };
  }

  it('deactivation ends the agent\'s console and community connections at once, and their cookie', async () => {
    const { user, cookie, socket } = await signedIn();
    const community = await connectCommunity(server.baseUrl, { cookie });
    const agentEnded = endedWith(socket);
    const communityEnded = endedWith(community);
    assert.equal((await patch(user.id, { active: false })).status, 200);
    assert.equal(await agentEnded, 'DEACTIVATED');
    assert.equal(await communityEnded, 'DEACTIVATED');
    assert.equal((await request(server.baseUrl, 'GET', '/api/auth/me', { cookie })).status, 401);
    await assert.rejects(connectAgent(server.baseUrl, cookie), /UNAUTHENTICATED/);
  });

  it('a demoted supervisor loses the supervisor\'s connection at once (ROLE_CHANGED) but stays signed in', async () => {
    const { user, cookie, socket } = await signedIn('supervisor');
    expectSnapshot(await ask(socket, 'supervisor:snapshot', {}));
    const ended = endedWith(socket);
    assert.equal((await patch(user.id, { role: 'agent' })).status, 200);
    assert.equal(await ended, 'ROLE_CHANGED');
    const again = await connectAgent(server.baseUrl, cookie);
    const refused = await ask(again, 'supervisor:snapshot', {});
    assert.equal(!refused.ok && refused.error.code, 'FORBIDDEN', 'the new connection has the new role');
  });

  it('a role changed behind this node\'s back (a lost push) is caught at the next event after the re-check interval', async () => {
    const { user, socket } = await signedIn('supervisor');
    expectSnapshot(await ask(socket, 'supervisor:snapshot', {}));
    // As if another node changed it and its push never arrived.
    await server.zentrale.db.models.User.update({ role: 'agent' }, { where: { id: user.id } });
    expectSnapshot(await ask(socket, 'supervisor:snapshot', {}), 'within the interval the connection is not re-checked');
    clock.advance(30_000);
    const ended = endedWith(socket);
    const refused = await ask(socket, 'supervisor:snapshot', {});
    assert.equal(!refused.ok && refused.error.code, 'UNAUTHENTICATED');
    assert.equal(await ended, 'ROLE_CHANGED');
  });

  it('a silent connection of a deactivated account (a lost push) ends at the next sweep', async () => {
    const { user, socket } = await signedIn();
    await server.zentrale.db.models.User.update({ active: false }, { where: { id: user.id } });
    const ended = endedWith(socket);
    await server.zentrale.sessionGuard.sweep();
    assert.equal(await ended, 'REVOKED');
  });

  it('a session that expires ends its connections at the next sweep', async () => {
    const { socket } = await signedIn();
    await server.zentrale.sessionGuard.sweep();
    assert.ok(socket.connected, 'still valid: nothing ends');
    clock.advance(8 * 3600_000 + 1000);
    const ended = endedWith(socket);
    await server.zentrale.sessionGuard.sweep();
    assert.equal(await ended, 'EXPIRED');
  });

  it('a password set by an admin ends every session and connection of the user', async () => {
    const { user, cookie, socket } = await signedIn();
    const ended = endedWith(socket);
    assert.equal((await patch(user.id, { password: 'a brand new password' })).status, 200);
    assert.equal(await ended, 'PASSWORD_CHANGED');
    assert.equal((await request(server.baseUrl, 'GET', '/api/auth/me', { cookie })).status, 401);
    await login(server.baseUrl, user.email, 'a brand new password');
  });

  it('changing one\'s own password keeps the session it was changed from and ends the others', async () => {
    const otherCookie = await login(server.baseUrl, admin.email, admin.password);
    const other = await connectAgent(server.baseUrl, otherCookie);
    const own = await connectAgent(server.baseUrl, adminCookie);
    await ask(own, 'presence:get', {});
    const ended = endedWith(other);
    assert.equal((await patch(admin.id, { password: 'my own new password' })).status, 200);
    assert.equal(await ended, 'PASSWORD_CHANGED');
    assert.equal((await request(server.baseUrl, 'GET', '/api/auth/me', { cookie: otherCookie })).status, 401);
    assert.equal((await request(server.baseUrl, 'GET', '/api/auth/me', { cookie: adminCookie })).status, 200);
    assert.ok((await ask(own, 'presence:get', {})).ok, 'the own connection goes on');
  });
});

function expectSnapshot(ack: { ok: boolean }, message = 'supervisor:snapshot answered'): void {
  assert.ok(ack.ok, message);
}
