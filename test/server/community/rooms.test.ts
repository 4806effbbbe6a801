import assert from 'node:assert/strict';
import { login, request } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describeEachDb('community rooms: admins set them up', (db) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ db });
  });
  after(() => server.close());

  it('admins create and rename rooms; agents list them; bad input and duplicates are refused', async () => {
    const admin = await server.createUser({ role: 'admin' });
    const agent = await server.createUser({ role: 'agent' });
    const adminCookie = await login(server.baseUrl, admin.email, admin.password);
    const agentCookie = await login(server.baseUrl, agent.email, agent.password);
    const created = await request<{ room: { id: number; slug: string; voiceOpen: boolean } }>(server.baseUrl, 'POST', '/api/community/rooms', { cookie: adminCookie, body: { slug: 'mesh', name: 'Mesh-WLAN' } });
    assert.equal(created.status, 201);
    assert.ok(created.body.ok && created.body.data.room.voiceOpen);
    const id = created.body.ok ? created.body.data.room.id : 0;
    assert.equal((await request(server.baseUrl, 'POST', '/api/community/rooms', { cookie: adminCookie, body: { slug: 'mesh', name: 'Doppelt' } })).status, 409);
    assert.equal((await request(server.baseUrl, 'POST', '/api/community/rooms', { cookie: adminCookie, body: { slug: 'Mesh WLAN!', name: 'x' } })).status, 400);
    assert.equal((await request(server.baseUrl, 'POST', '/api/community/rooms', { cookie: agentCookie, body: { slug: 'mine', name: 'Meins' } })).status, 403);
    const renamed = await request<{ room: { name: string } }>(server.baseUrl, 'PATCH', `/api/community/rooms/${id}`, { cookie: adminCookie, body: { name: 'Mesh & Repeater' } });
    assert.ok(renamed.body.ok && renamed.body.data.room.name === 'Mesh & Repeater');
    const listed = await request<{ rooms: Array<{ slug: string }> }>(server.baseUrl, 'GET', '/api/community/rooms', { cookie: agentCookie });
    assert.ok(listed.body.ok && listed.body.data.rooms.some((r) => r.slug === 'mesh'));
    assert.equal((await request(server.baseUrl, 'GET', '/api/community/rooms')).status, 401);
  });
});
