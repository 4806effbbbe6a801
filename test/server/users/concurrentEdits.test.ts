import assert from 'node:assert/strict';
import { makeDepartment } from '../../support/chatFixtures.js';
import { login, request } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { captureLog } from '../../support/logCapture.js';
import { startTestServer, type TestServer } from '../../support/server.js';

type Membership = { departmentId: number; level: 'L1' | 'L2' | 'L3'; maxChats: number | null };

/**
 * Admins editing several agents at once (a team re-organised from two consoles): on MariaDB the
 * membership rewrites of different users lock neighbouring index ranges and deadlock; the server
 * runs the loser again instead of answering INTERNAL.
 */
describeEachDb('users: concurrent edits with memberships', (db) => {
  let server: TestServer;
  let cookie: string;
  const captured = captureLog('warn');
  before(async () => {
    server = await startTestServer({ db, log: captured.log });
    const admin = await server.createUser({ role: 'admin' });
    cookie = await login(server.baseUrl, admin.email, admin.password);
  });
  after(() => server.close());

  it('rounds of 20 concurrent PATCHes to 5 agents all succeed, and each agent ends with one complete set', async function () {
    this.timeout(120_000);
    const departments = await Promise.all(Array.from({ length: 4 }, () => makeDepartment(server)));
    const sort = (m: Membership[]) => [...m].sort((a, b) => a.departmentId - b.departmentId);
    // Whether InnoDB picks a victim in one burst depends on timing; a few bursts make it all but certain.
    for (let round = 0; round < 5; round++) {
      const agents = await Promise.all(Array.from({ length: 5 }, () => server.createUser()));
      // Each edit gives its agent a different, complete set of memberships (the membership editor
      // sends nothing else). New agents have no rows yet: every rewrite locks the same index gap.
      const edits = Array.from({ length: 20 }, (_, i) => {
        const agent = agents[i % agents.length]!;
        const memberships: Membership[] = departments
          .filter((_, d) => (i + d) % 3 !== 0)
          .map((departmentId, d) => ({ departmentId, level: (['L1', 'L2', 'L3'] as const)[(i + d) % 3]!, maxChats: (i % 4) + 1 }));
        return { agent, body: { memberships } };
      });

      const answers = await Promise.all(edits.map((e) => request(server.baseUrl, 'PATCH', `/api/users/${e.agent.id}`, { cookie, body: e.body })));
      assert.deepEqual(
        answers.map((a) => a.status),
        edits.map(() => 200),
        `round ${round}: ${JSON.stringify(answers.filter((a) => a.status !== 200).map((a) => a.body))}`,
      );
      for (const agent of agents) {
        const res = await request<{ memberships: Membership[] }>(server.baseUrl, 'GET', `/api/users/${agent.id}/memberships`, { cookie });
        assert.ok(res.body.ok);
        const stored = JSON.stringify(sort(res.body.data.memberships));
        const sent = edits.filter((e) => e.agent === agent).map((e) => JSON.stringify(sort(e.body.memberships)));
        assert.ok(sent.includes(stored), `agent ${agent.id} has exactly one of the sets sent for them, complete, nothing doubled: ${stored}`);
      }
    }
    assert.deepEqual(captured.errors(), [], 'nothing failed on the way');
  });
});
