import assert from 'node:assert/strict';
import { renderCanned } from '../../../shared/schemas/canned.js';
import { makeAgent, makeDepartment } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, expectOk, login, request } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

describe('canned response variables', () => {
  it('fills known variables and leaves unknown or empty ones visible', () => {
    const text = renderCanned('Hallo {visitor.firstName}, hier ist {agent.name} aus {department.name}. {foo.bar} {visitor.name}', {
      'visitor.firstName': 'Erika',
      'agent.name': 'Tom Becker',
      'department.name': 'Technik',
      'visitor.name': '',
    });
    assert.equal(text, 'Hallo Erika, hier ist Tom Becker aus Technik. {foo.bar} {visitor.name}');
  });
});

describeEachDb('canned responses', (db) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ db });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  it('supervisors manage them; agents see their departments’ and the general ones', async () => {
    const technik = await makeDepartment(server);
    const buchhaltung = await makeDepartment(server);
    const supervisor = await server.createUser({ role: 'supervisor' });
    const cookie = await login(server.baseUrl, supervisor.email, supervisor.password);
    const create = (body: object) => request<{ response: { id: number } }>(server.baseUrl, 'POST', '/api/canned-responses', { cookie, body });
    const general = await create({ shortcut: 'gruss', title: 'Begrüßung', body: 'Hallo {visitor.firstName}!' });
    assert.equal(general.status, 201);
    assert.equal((await create({ departmentId: technik, shortcut: 'router', title: 'Router neu starten', body: 'Bitte starten Sie den Router neu.' })).status, 201);
    assert.equal((await create({ departmentId: buchhaltung, shortcut: 'mahnung', title: 'Mahnung', body: 'Zur Mahnung …' })).status, 201);
    const bad = await create({ departmentId: 999999, shortcut: 'x y', title: '', body: '' });
    assert.equal(bad.status, 400);
    assert.deepEqual(new Set(!bad.body.ok ? bad.body.error.issues?.map((i) => i.path) : []), new Set(['shortcut', 'title', 'body']));

    const agent = await makeAgent(server, { memberships: [{ departmentId: technik }], available: false });
    const forbidden = await request(server.baseUrl, 'POST', '/api/canned-responses', { cookie: agent.cookie, body: { shortcut: 'x', title: 'x', body: 'x' } });
    assert.equal(forbidden.status, 403);
    const { responses } = expectOk(await ask(agent.socket, 'canned:list', {}));
    assert.deepEqual(responses.map((r) => r.shortcut).sort(), ['gruss', 'router']);

    const id = general.body.ok ? general.body.data.response.id : 0;
    const edited = await request(server.baseUrl, 'PATCH', `/api/canned-responses/${id}`, { cookie, body: { shortcut: 'hallo', title: 'Begrüßung', body: 'Guten Tag {visitor.name}!' } });
    assert.equal(edited.status, 200);
    assert.equal((await request(server.baseUrl, 'DELETE', `/api/canned-responses/${id}`, { cookie })).status, 200);
    assert.equal((await request(server.baseUrl, 'DELETE', `/api/canned-responses/${id}`, { cookie })).status, 404);
  });
});
