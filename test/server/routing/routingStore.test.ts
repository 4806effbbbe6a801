import assert from 'node:assert/strict';
import type { RedisClientType } from 'redis';
import { createMemoryRoutingStore } from '../../../server/src/routing/memoryRoutingStore.js';
import { createRedisRoutingStore } from '../../../server/src/routing/redis/redisRoutingStore.js';
import type { RoutingStore } from '../../../server/src/routing/routingStore.js';
import type { AgentProfile, ChatRequest, DepartmentRouting } from '../../../server/src/routing/types.js';
import { connectTestRedis, dropPrefix, redisAvailable, testPrefix } from '../../support/redis.js';

const dept = (over: Partial<DepartmentRouting> = {}): DepartmentRouting => ({
  id: 1, strategy: 'least_busy', offerTimeoutMs: 30_000, wrapUpMs: 0,
  widenL2AfterMs: null, widenL3AfterMs: null, fallbackLanguage: null, fallbackLanguageAfterMs: null, ...over,
});
const profile = (agentId: number, over: Partial<AgentProfile> = {}): AgentProfile => ({
  agentId, name: `A${agentId}`, languages: ['de'], maxChats: 2, autoAccept: false, memberships: { 1: { level: 'L1', maxChats: null } }, ...over,
});
const request = (id: string, over: Partial<ChatRequest> = {}): ChatRequest => ({
  conversationId: id, departmentId: 1, visitorId: `v-${id}`, visitorName: 'V', language: 'de', priority: 0, waitingSince: 1000, preview: 'hi', ...over,
});

/** Brings an agent online: profile, status, one connection. */
async function online(store: RoutingStore, agentId: number, now: number, over: Partial<AgentProfile> = {}) {
  await store.setAgentProfile(profile(agentId, over));
  await store.setStatus(agentId, 'available', null, now);
  await store.connect(agentId, `node:${agentId}`, now);
}

const implementations: Array<[string, () => Promise<{ store: RoutingStore; cleanup(): Promise<void> }>]> = [
  ['memory', async () => ({ store: createMemoryRoutingStore(), cleanup: async () => undefined })],
  [
    'redis',
    async () => {
      const client: RedisClientType = await connectTestRedis();
      const prefix = testPrefix();
      return {
        store: createRedisRoutingStore(client, prefix),
        cleanup: async () => {
          await dropPrefix(client, prefix);
          await client.close();
        },
      };
    },
  ],
];

for (const [name, make] of implementations) {
  describe(`routing store contract [${name}]`, function () {
    let store: RoutingStore;
    let cleanup: () => Promise<void>;

    before(async function () {
      if (name === 'redis' && !(await redisAvailable())) {
        // Only outside CI: CI sets REQUIRE_REDIS=1 and redisAvailable() then throws instead.
        this.skip();
      }
    });
    beforeEach(async () => {
      ({ store, cleanup } = await make());
      await store.setDepartments([dept(), dept({ id: 2, strategy: 'round_robin' })]);
    });
    afterEach(() => cleanup());

    it('offers the oldest chat to the best eligible agent, once', async () => {
      await online(store, 1, 100);
      await online(store, 2, 50);
      assert.equal(await store.enqueue(request('late', { waitingSince: 2000 }), 0), true);
      assert.equal(await store.enqueue(request('early', { waitingSince: 1000 }), 0), true);
      assert.equal(await store.enqueue(request('early'), 0), false, 'enqueue is idempotent');
      const first = await store.offerNext(5000);
      assert.equal(first?.route.conversationId, 'early');
      assert.equal(first?.agentId, 2, 'tie on load: longest idle');
      assert.equal(first?.expiresAt, 35_000);
      const second = await store.offerNext(5000);
      assert.equal(second?.route.conversationId, 'late');
      assert.equal(second?.agentId, 1, 'agent 2 has a pending offer');
      assert.equal(await store.offerNext(5000), null, 'nothing left to offer');
      const queue = await store.queue(1);
      assert.deepEqual(queue.map((q) => [q.conversationId, q.state, q.position]), [['early', 'offered', 1], ['late', 'offered', 2]]);
    });

    it('priority goes before waiting time', async () => {
      await online(store, 1, 0);
      await store.enqueue(request('old'), 0);
      await store.enqueue(request('urgent', { waitingSince: 9000, priority: 1 }), 0);
      assert.equal((await store.offerNext(10_000))?.route.conversationId, 'urgent');
    });

    it('accept only by the offered agent; capacity counts offers, chats and wrap-ups', async () => {
      await store.setDepartments([dept({ wrapUpMs: 10_000 })]);
      await online(store, 1, 0, { maxChats: 2 });
      for (const id of ['a', 'b', 'c']) await store.enqueue(request(id, { waitingSince: id.charCodeAt(0) }), 0);
      const offer = await store.offerNext(1000);
      assert.equal(await store.accept(offer!.route.conversationId, 99, 1000), null);
      assert.equal((await store.accept('a', 1, 1000))?.state, 'assigned');
      assert.equal((await store.offerNext(1000))?.route.conversationId, 'b');
      assert.equal(await store.offerNext(1000), null, 'one offer at a time');
      await store.accept('b', 1, 1000);
      assert.equal(await store.offerNext(1000), null, 'at capacity');
      assert.equal((await store.release('a', 2000))?.conversationId, 'a');
      assert.equal(await store.offerNext(3000), null, 'slot in wrap-up');
      assert.deepEqual(await store.expireWrapUps(11_999), []);
      assert.deepEqual(await store.expireWrapUps(12_000), [1]);
      assert.equal((await store.offerNext(12_000))?.route.conversationId, 'c');
      const agent = await store.agent(1);
      assert.deepEqual(agent.active, ['b']);
      assert.equal(agent.offer, 'c');
    });

    it('decline and timeout requeue the chat and keep it from that agent for a while', async () => {
      await online(store, 1, 0);
      await online(store, 2, 10);
      await store.enqueue(request('x'), 0);
      const offer = await store.offerNext(1000);
      assert.equal(offer?.agentId, 1);
      assert.equal((await store.decline('x', 1, 1000, 60_000))?.state, 'queued');
      assert.equal(await store.decline('x', 1, 1000, 60_000), null, 'nothing to decline twice');
      const next = await store.offerNext(1000);
      assert.equal(next?.agentId, 2);
      assert.deepEqual(await store.expireOffers(30_999, 60_000), []);
      const expired = await store.expireOffers(31_000, 60_000);
      assert.deepEqual(expired.map((e) => [e.route.conversationId, e.agentId]), [['x', 2]]);
      assert.equal(await store.offerNext(31_000), null, 'both declined or missed it recently');
      assert.equal((await store.offerNext(61_000))?.agentId, 1, 'agent 1 may have it again');
    });

    it('checks membership, language with fallback, and level widening', async () => {
      await store.setDepartments([dept({ widenL2AfterMs: 60_000, fallbackLanguage: 'en', fallbackLanguageAfterMs: 30_000 })]);
      await online(store, 1, 0, { languages: ['en'], memberships: { 1: { level: 'L1', maxChats: null } } });
      await online(store, 2, 0, { languages: ['fr'], memberships: { 1: { level: 'L2', maxChats: null } } });
      await online(store, 3, 0, { languages: ['fr'], memberships: { 2: { level: 'L1', maxChats: null } } });
      await store.enqueue(request('fr', { language: 'fr', waitingSince: 0 }), 0);
      assert.equal(await store.offerNext(10_000), null, 'nobody yet: L2 too early, English not yet, agent 3 not a member');
      assert.equal((await store.offerNext(30_000))?.agentId, 1, 'fallback language after 30 s');
    });

    it('per-department capacity overrides the global one', async () => {
      await online(store, 1, 0, { maxChats: 5, memberships: { 1: { level: 'L1', maxChats: 1 } } });
      await store.enqueue(request('a', { waitingSince: 1 }), 0);
      await store.enqueue(request('b', { waitingSince: 2 }), 0);
      await store.accept((await store.offerNext(10))!.route.conversationId, 1, 10);
      assert.equal(await store.offerNext(10), null);
    });

    it('round robin goes by the last offer in the department', async () => {
      for (const id of [1, 2, 3]) await online(store, id, 0, { maxChats: 5, memberships: { 2: { level: 'L1', maxChats: null } } });
      const order: number[] = [];
      for (let i = 0; i < 4; i++) {
        await store.enqueue(request(`r${i}`, { departmentId: 2, waitingSince: i }), 0);
        const offer = (await store.offerNext(100 + i))!;
        order.push(offer.agentId);
        await store.accept(offer.route.conversationId, offer.agentId, 100 + i);
      }
      assert.deepEqual(order, [1, 2, 3, 1]);
    });

    it('presence: several connections, grace on the last disconnect, then offline with chats requeued', async () => {
      await online(store, 1, 0);
      await store.connect(1, 'node:tab2', 0);
      await store.enqueue(request('a', { waitingSince: 1 }), 0);
      await store.enqueue(request('b', { waitingSince: 2 }), 0);
      await store.accept('a', 1, (await store.offerNext(10))!.expiresAt - 30_000 + 10);
      assert.equal((await store.offerNext(20))?.route.conversationId, 'b');
      await store.disconnect(1, 'node:1', 100, 30_000);
      assert.equal((await store.agent(1)).graceUntil, null, 'another tab is still open');
      const last = await store.disconnect(1, 'node:tab2', 200, 30_000);
      assert.equal(last.graceUntil, 30_200);
      assert.deepEqual(await store.expireGrace(30_199), []);
      const expired = await store.expireGrace(30_200);
      assert.equal(expired.length, 1);
      assert.equal(expired[0]!.agent.status, 'offline');
      assert.equal(expired[0]!.withdrawnOffer, 'b');
      assert.deepEqual(expired[0]!.requeued, ['a']);
      const queue = await store.queue(null);
      assert.deepEqual(queue.map((q) => [q.conversationId, q.state]), [['a', 'queued'], ['b', 'queued']], 'original waiting order kept');
      assert.deepEqual((await store.agent(1)).active, []);
    });

    it('a reconnect within the grace period cancels it', async () => {
      await online(store, 1, 0);
      await store.disconnect(1, 'node:1', 100, 30_000);
      await store.connect(1, 'node:again', 5000);
      assert.deepEqual(await store.expireGrace(60_000), []);
      assert.equal((await store.agent(1)).status, 'available');
    });

    it('an agent in grace gets no offers', async () => {
      await online(store, 1, 0);
      await store.disconnect(1, 'node:1', 100, 30_000);
      await store.enqueue(request('a'), 0);
      assert.equal(await store.offerNext(200), null);
    });

    it('remove and release free slots; assign and requeue move chats', async () => {
      await online(store, 1, 0, { maxChats: 1 });
      await store.enqueue(request('a'), 0);
      await store.offerNext(10);
      assert.equal((await store.remove('a'))?.state, 'offered');
      assert.equal((await store.agent(1)).offer, null);
      assert.equal(await store.route('a'), null);
      await store.assign(request('b'), 1, 20);
      assert.deepEqual((await store.agent(1)).active, ['b']);
      assert.equal((await store.requeue('b', 30))?.state, 'queued');
      assert.deepEqual((await store.agent(1)).active, []);
      assert.equal((await store.offerNext(40))?.route.conversationId, 'b');
    });

    it('dead nodes lose their connections: grace starts', async () => {
      await store.setAgentProfile(profile(1));
      await store.setStatus(1, 'available', null, 0);
      await store.connect(1, 'nodeA:s1', 0);
      await store.connect(1, 'nodeB:s2', 0);
      const first = await store.heartbeat('nodeA', 0);
      await store.heartbeat('nodeB', 9000);
      assert.deepEqual(await store.reapDeadNodes(10_000, 5000, 30_000, 'nodeA'), [], 'a node never declares itself dead');
      const touched = await store.reapDeadNodes(10_000, 5000, 30_000, 'nodeB');
      if (name === 'memory') {
        assert.deepEqual(touched, [], 'one node: nothing to reap');
        assert.equal(first, false);
        return;
      }
      assert.equal(first, true, 'a first heartbeat is news');
      assert.equal(await store.heartbeat('nodeB', 10_000), false, 'a known node is not');
      assert.deepEqual(touched, [1]);
      assert.deepEqual((await store.agent(1)).connections, ['nodeB:s2']);
      assert.equal(await store.heartbeat('nodeA', 11_000), true, 'a node declared dead learns it from its next heartbeat');
    });

    it('claims the rebuild of an empty state exactly once', async () => {
      assert.equal(await store.epoch(), null);
      const results = await Promise.all(['e1', 'e2', 'e3'].map((e) => store.claimRebuild(e)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.ok(['e1', 'e2', 'e3'].includes((await store.epoch())!));
    });

    it('never double-offers or overfills under concurrent calls', async () => {
      for (let id = 1; id <= 10; id++) await online(store, id, id, { maxChats: 2 });
      await Promise.all(Array.from({ length: 60 }, (_, i) => store.enqueue(request(`c${i}`, { waitingSince: i }), 0)));
      const offers = (await Promise.all(Array.from({ length: 40 }, () => store.offerNext(1000)))).filter((o) => o !== null);
      assert.equal(offers.length, 10, 'one pending offer per agent');
      assert.equal(new Set(offers.map((o) => o!.route.conversationId)).size, 10);
      assert.equal(new Set(offers.map((o) => o!.agentId)).size, 10);
      await Promise.all(offers.map((o) => store.accept(o!.route.conversationId, o!.agentId, 1000)));
      const more = (await Promise.all(Array.from({ length: 40 }, () => store.offerNext(1001)))).filter((o) => o !== null);
      await Promise.all(more.map((o) => store.accept(o!.route.conversationId, o!.agentId, 1001)));
      assert.equal(await store.offerNext(1002), null);
      for (const agent of await store.agents()) assert.ok(agent.active.length <= 2, `agent ${agent.agentId} over capacity`);
      assert.equal((await store.queue(1)).length, 40);
    });
  });
}
