import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { accept, eventually, makeAgent, makeDepartment, makeVisitorChat } from '../../support/chatFixtures.js';
import { closeAllSockets } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { createTestDatabase } from '../../support/mariadb.js';
import { startTestServer, TestClock } from '../../support/server.js';

describeEachDb('routing: a restarted single node rebuilds its queue from the database', (db) => {
  afterEach(closeAllSockets);

  it('waiting chats come back in queue order with names and previews; served chats stay with their agent', async () => {
    // Both servers use the same database: the SQLite file in one data directory, or one MariaDB schema.
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'zentrale-restart-'));
    const mariadb = db === 'mariadb' ? await createTestDatabase() : null;
    const env = { DATA_DIR: dataDir, ...(mariadb ? { DATABASE_URL: mariadb.url } : {}) };
    const clock = new TestClock();
    try {
      const first = await startTestServer({ env, clock });
      let dept: number;
      let agentId: number;
      let served: string;
      const waiting: string[] = [];
      try {
        dept = await makeDepartment(first);
        const agent = await makeAgent(first, { memberships: [{ departmentId: dept }], maxChats: 1 });
        agentId = agent.user.id;
        const chat = await makeVisitorChat(first, dept, { name: 'Bedient', text: 'Erste Frage' });
        await eventually(() => agent.offers.length === 1, 3000, 'offer');
        await accept(agent, chat.conversationId);
        served = chat.conversationId;
        for (const name of ['Anna', 'Bert', 'Clara']) {
          clock.advance(1000);
          waiting.push((await makeVisitorChat(first, dept, { name, text: `Frage von ${name}` })).conversationId);
        }
      } finally {
        closeAllSockets();
        await first.zentrale.close();
      }

      const second = await startTestServer({ env, clock });
      try {
        const queue = await second.zentrale.engine.store.queue(dept);
        assert.deepEqual(
          queue.map((q) => [q.conversationId, q.position, q.visitorName, q.preview, q.state]),
          waiting.map((id, i) => [id, i + 1, ['Anna', 'Bert', 'Clara'][i], `Frage von ${['Anna', 'Bert', 'Clara'][i]}`, 'queued']),
        );
        const route = await second.zentrale.engine.store.route(served);
        assert.deepEqual([route?.state, route?.agentId, route?.visitorName, route?.preview], ['assigned', agentId, 'Bedient', 'Erste Frage']);
        assert.deepEqual((await second.zentrale.engine.store.agent(agentId)).active, [served]);
      } finally {
        await second.close();
      }
    } finally {
      await mariadb?.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
