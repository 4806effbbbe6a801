import assert from 'node:assert/strict';
import type { Department } from '../../../shared/schemas/departments.js';
import { eventually, makeAgent, makeVisitorChat } from '../../support/chatFixtures.js';
import { closeAllSockets, fence, login, request } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describeEachDb('department and agent administration', (db) => {
  let server: TestServer;
  let admin: string;
  before(async () => {
    server = await startTestServer({ db });
    const user = await server.createUser({ role: 'admin' });
    admin = await login(server.baseUrl, user.email, user.password);
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  it('admins create and change departments with routing settings; agents may read them', async () => {
    const created = await request<{ department: Department }>(server.baseUrl, 'POST', '/api/departments', {
      cookie: admin,
      body: {
        slug: 'technik-admin',
        name: 'Technik',
        languages: ['de', 'en'],
        openingHours: { timezone: 'Europe/Berlin', weekly: { mon: [{ from: '09:00', to: '17:00' }] } },
        routing: { strategy: 'round_robin', offerTimeoutSeconds: 45, softLimitSeconds: 300 },
      },
    });
    assert.equal(created.status, 201);
    const dept = created.body.ok ? created.body.data.department : null;
    assert.equal(dept?.routing.strategy, 'round_robin');
    assert.equal(dept?.routing.offerTimeoutSeconds, 45);
    assert.equal(dept?.routing.wrapUpSeconds, 15, 'defaults for what is not given');
    assert.equal(dept?.routing.offlineFallback, true, 'the offline fallback is on unless turned off');
    const patched = await request<{ department: Department }>(server.baseUrl, 'PATCH', `/api/departments/${dept!.id}`, {
      cookie: admin,
      body: { routing: { widenToL2AfterSeconds: 120 }, fallbackDepartmentId: dept!.id },
    });
    assert.equal(patched.status, 400, 'a department cannot fall back to itself');
    const ok = await request<{ department: Department }>(server.baseUrl, 'PATCH', `/api/departments/${dept!.id}`, { cookie: admin, body: { routing: { widenToL2AfterSeconds: 120 } } });
    assert.equal(ok.body.ok && ok.body.data.department.routing.widenToL2AfterSeconds, 120);
    assert.equal(ok.body.ok && ok.body.data.department.routing.strategy, 'round_robin', 'untouched settings stay');
    const badZone = await request(server.baseUrl, 'PATCH', `/api/departments/${dept!.id}`, { cookie: admin, body: { openingHours: { timezone: 'Mars/Olympus', weekly: {} } } });
    assert.equal(badZone.status, 400);
    const agent = await makeAgent(server, { memberships: [], available: false });
    const list = await request<{ departments: Department[] }>(server.baseUrl, 'GET', '/api/departments', { cookie: agent.cookie });
    assert.ok(list.body.ok && list.body.data.departments.some((d) => d.id === dept!.id));
    assert.equal((await request(server.baseUrl, 'PATCH', `/api/departments/${dept!.id}`, { cookie: agent.cookie, body: { name: 'x' } })).status, 403);
  });

  it('changing an agent’s memberships takes effect in routing at once', async () => {
    const created = await request<{ department: Department }>(server.baseUrl, 'POST', '/api/departments', { cookie: admin, body: { slug: 'vertrieb-admin', name: 'Vertrieb', languages: ['de'], routing: { offlineFallback: false } } });
    const deptId = created.body.ok ? created.body.data.department.id : 0;
    // Nobody is a member yet: without the offline fallback the chat waits for one.
    assert.equal(created.body.ok && created.body.data.department.routing.offlineFallback, false);
    const agent = await makeAgent(server, { memberships: [] });
    const chat = await makeVisitorChat(server, deptId);
    // A routing pass has looked at the chat; an offer it made would be ahead of the fence.
    await server.zentrale.engine.tick();
    await fence(agent.socket);
    assert.equal(agent.offers.length, 0, 'not a member yet');
    const res = await request(server.baseUrl, 'PATCH', `/api/users/${agent.user.id}`, { cookie: admin, body: { memberships: [{ departmentId: deptId, level: 'L1' }] } });
    assert.equal(res.status, 200);
    await eventually(() => agent.offers.some((o) => o.conversationId === chat.conversationId), 3000, 'offer after joining');
    const deactivate = await request(server.baseUrl, 'PATCH', `/api/users/${agent.user.id}`, { cookie: admin, body: { active: false } });
    assert.equal(deactivate.status, 200);
    assert.equal((await request(server.baseUrl, 'GET', '/api/auth/me', { cookie: agent.cookie })).status, 401, 'sessions end with the account');
  });
});
