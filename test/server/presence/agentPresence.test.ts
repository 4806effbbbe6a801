import assert from 'node:assert/strict';
import type { Presence } from '../../../shared/schemas/presence.js';
import { ask, closeAllSockets, connectAgent, emitRaw, expectOk, login, nextEvent, request, visitorSession } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describeEachDb('agent socket: authentication and presence', (db) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ db });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  it('refuses connections without a session, with a visitor token, or from a foreign origin', async () => {
    await assert.rejects(connectAgent(server.baseUrl, undefined), /UNAUTHENTICATED/);
    const { token } = await visitorSession(server.baseUrl);
    await assert.rejects(connectAgent(server.baseUrl, `zentrale_session=${token}`), /UNAUTHENTICATED/);
    const agent = await server.createUser();
    const cookie = await login(server.baseUrl, agent.email, agent.password);
    await assert.rejects(connectAgent(server.baseUrl, cookie, { origin: 'https://evil.example' }));
    const ok = await connectAgent(server.baseUrl, cookie, { origin: server.baseUrl });
    assert.equal(ok.connected, true);
  });

  it('sets a status and every tab of the agent sees it', async () => {
    const agent = await server.createUser();
    const cookie = await login(server.baseUrl, agent.email, agent.password);
    const tab1 = await connectAgent(server.baseUrl, cookie);
    const tab2 = await connectAgent(server.baseUrl, cookie);
    const initial = expectOk(await ask(tab1, 'presence:get', {}));
    assert.equal(initial.status, 'offline');
    const seen = nextEvent<Presence>(tab2, 'presence:changed');
    const set = expectOk(await ask(tab1, 'presence:set', { status: 'away', reason: 'break' }));
    assert.deepEqual(await seen, set);
    assert.equal(set.agentId, agent.id);
    assert.equal(set.reason, 'break');
  });

  it('shows status changes to supervisors but not to other agents', async () => {
    const agent = await server.createUser();
    const colleague = await server.createUser();
    const supervisor = await server.createUser({ role: 'supervisor' });
    const a = await connectAgent(server.baseUrl, await login(server.baseUrl, agent.email, agent.password));
    const c = await connectAgent(server.baseUrl, await login(server.baseUrl, colleague.email, colleague.password));
    const s = await connectAgent(server.baseUrl, await login(server.baseUrl, supervisor.email, supervisor.password));
    const supervisorSees = nextEvent<Presence>(s, 'presence:changed');
    const colleagueSees = nextEvent<Presence>(c, 'presence:changed', 400).then(() => 'seen', () => 'not seen');
    expectOk(await ask(a, 'presence:set', { status: 'available' }));
    assert.equal((await supervisorSees).agentId, agent.id);
    assert.equal(await colleagueSees, 'not seen');
  });

  it('validates presence input', async () => {
    const agent = await server.createUser();
    const socket = await connectAgent(server.baseUrl, await login(server.baseUrl, agent.email, agent.password));
    for (const bad of [{ status: 'busy' }, { status: 'available', reason: 'break' }, { status: 'away', reason: 'lunch' }, {}]) {
      const ack = await emitRaw(socket, 'presence:set', bad);
      assert.equal(!ack.ok && ack.error.code, 'VALIDATION_FAILED', JSON.stringify(bad));
    }
    const visitorEvent = await emitRaw(socket, 'conversation:start', { clientId: 'x', departmentId: 1, language: 'de', name: 'x', text: 'x' });
    assert.equal(!visitorEvent.ok && visitorEvent.error.code, 'UNKNOWN_EVENT');
    assert.equal(socket.connected, true);
  });

  it('signing out ends the live connections of that session', async () => {
    const agent = await server.createUser();
    const cookie = await login(server.baseUrl, agent.email, agent.password);
    const socket = await connectAgent(server.baseUrl, cookie);
    const ended = nextEvent<{ code: string }>(socket, 'session:ended');
    const disconnected = nextEvent<string>(socket, 'disconnect');
    await request(server.baseUrl, 'POST', '/api/auth/logout', { cookie });
    assert.equal((await ended).code, 'SIGNED_OUT');
    assert.equal(await disconnected, 'io server disconnect');
    await assert.rejects(connectAgent(server.baseUrl, cookie), /UNAUTHENTICATED/);
  });
});
