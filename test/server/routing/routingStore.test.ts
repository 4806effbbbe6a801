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
  conversationId: id, departmentId: 1, visitorId: `v-${id}`, visitorName: 'V', language: 'de', priority: 0, waitingSince: 1000, preview: 'hi', channel: 'chat', ...over,
});

/** Brings an agent online: profile, status, one connection. */
async function online(store: RoutingStore, agentId: number, now: number, over: Partial<AgentProfile> = {}) {
  await store.setAgentProfile(profile(agentId, over));
  await store.setStatus(agentId, 'available', null, now);
  await store.connect(agentId, `node:${agentId}`, now);
}

interface Made {
  store: RoutingStore;
  cleanup(): Promise<void>;
  /**
   * Redis only: replaces the stored chats with text no script can decode, so any step that reads
   * one of them fails. Proves which chats a step never looks at.
   */
  unreadable?: (conversationIds: string[]) => Promise<void>;
  /** Redis only: deletes the queue indexes, leaving the state as a version without them wrote it. */
  withoutIndexes?: () => Promise<void>;
}

const implementations: Array<[string, () => Promise<Made>]> = [
  ['memory', async () => ({ store: createMemoryRoutingStore(), cleanup: async () => undefined })],
  [
    'redis',
    async () => {
      const client: RedisClientType = await connectTestRedis();
      const prefix = testPrefix();
      return {
        store: await createRedisRoutingStore(client, prefix),
        withoutIndexes: async () => {
          const keys: string[] = [];
          for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...batch);
          const index = /^(g:|dq:|groups$|gof$|stage$|avail$|layout$)/;
          const doomed = keys.filter((k) => index.test(k.slice(prefix.length)));
          if (doomed.length) await client.del(doomed);
        },
        unreadable: async (ids) => {
          for (let i = 0; i < ids.length; i += 500) await client.hSet(`${prefix}route`, Object.fromEntries(ids.slice(i, i + 500).map((id) => [id, '{not json'])));
        },
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
    let unreadable: Made['unreadable'];
    let withoutIndexes: Made['withoutIndexes'];

    before(async function () {
      if (name === 'redis' && !(await redisAvailable())) {
        // Only outside CI: CI sets REQUIRE_REDIS=1 and redisAvailable() then throws instead.
        this.skip();
      }
    });
    beforeEach(async () => {
      ({ store, cleanup, unreadable, withoutIndexes } = await make());
      await store.setDepartments([dept(), dept({ id: 2, strategy: 'round_robin' })], 0);
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

    it('queue views are the caller\'s own copies', async () => {
      await store.enqueue(request('a'), 0);
      for (let i = 0; i < 2; i++) {
        const [view] = await store.queue(i === 0 ? 1 : null);
        view!.declined[7] = 99;
        view!.state = 'assigned';
      }
      const [again] = await store.queue(1);
      assert.deepEqual([again?.state, again?.declined], ['queued', {}]);
      assert.deepEqual((await store.queued('a'))?.declined, {});
    });

    it('priority goes before waiting time', async () => {
      await online(store, 1, 0);
      await store.enqueue(request('old'), 0);
      await store.enqueue(request('urgent', { waitingSince: 9000, priority: 1 }), 0);
      assert.equal((await store.offerNext(10_000))?.route.conversationId, 'urgent');
    });

    it('accept only by the offered agent; capacity counts offers, chats and wrap-ups', async () => {
      await store.setDepartments([dept({ wrapUpMs: 10_000 })], 0);
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
      await store.setDepartments([dept({ widenL2AfterMs: 60_000, fallbackLanguage: 'en', fallbackLanguageAfterMs: 30_000 })], 0);
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

    it('calls: one per agent; accepting a call request takes the call; the call moves with a transfer and ends when the chat leaves its agent', async () => {
      await online(store, 1, 0, { maxChats: 3 });
      await store.enqueue(request('call1', { channel: 'voice', waitingSince: 1 }), 0);
      await store.enqueue(request('call2', { channel: 'voice', waitingSince: 2 }), 0);
      await store.enqueue(request('chat', { waitingSince: 3 }), 0);
      const first = await store.offerNext(100);
      assert.equal(first?.route.conversationId, 'call1');
      assert.equal(first?.route.channel, 'voice');
      assert.equal((await store.accept('call1', 1, 100))?.inCall, true, 'accepting a call request is taking the call');
      assert.equal((await store.offerNext(100))?.route.conversationId, 'chat', 'the second call waits: one call per agent; a chat may come');
      await store.accept('chat', 1, 100);
      assert.equal(await store.offerNext(100), null);
      assert.deepEqual(await store.markCall('chat', true), { ok: false, refusal: 'on_call' }, 'no call in a chat while on another call');
      assert.deepEqual(await store.markCall('call2', true), { ok: false, refusal: 'not_assigned' });

      await online(store, 2, 0);
      await store.assign(request('b-chat'), 2, 0);
      assert.equal((await store.markCall('b-chat', true)).ok, true, 'a call started inside a chat');
      const refused = await store.requestTransfer({ conversationId: 'call1', transferId: 't1', fromAgentId: 1, toAgentId: 2, expiresAt: 9000, force: true }, 200);
      assert.deepEqual(refused, { ok: false, refusal: 'on_call' }, 'even forced, never into a second call');
      assert.equal((await store.markCall('b-chat', false)).ok, true, 'the call in the chat ended');
      assert.ok((await store.requestTransfer({ conversationId: 'call1', transferId: 't1', fromAgentId: 1, toAgentId: 2, expiresAt: 9000, force: false }, 200)).ok);
      const moved = await store.completeTransfer('call1', 't1', 300);
      assert.equal(moved?.route.agentId, 2);
      assert.equal(moved?.route.inCall, true, 'the call went with the chat');
      assert.equal((await store.offerNext(300))?.route.conversationId, 'call2', 'agent 1 is free for a call again');
      await store.decline('call2', 1, 300, 60_000);

      assert.equal((await store.requeue('call1', 400))?.inCall, false, 'back in the queue: no call');
      assert.equal((await store.route('call1'))?.inCall, false);
    });

    it('warm transfer: refuses what it must, holds a slot with the colleague, then moves chat and capacity in one step', async () => {
      await store.setDepartments([dept({ wrapUpMs: 10_000 })], 0);
      await online(store, 1, 0, { maxChats: 1 });
      await online(store, 2, 0, { maxChats: 2 });
      await online(store, 3, 0);
      await store.setStatus(3, 'away', 'break', 0);
      await online(store, 4, 0);
      await store.disconnect(4, 'node:4', 0, 30_000);
      await online(store, 5, 0, { maxChats: 1 });
      await store.assign(request('busy5'), 5, 0);
      await store.assign(request('a'), 1, 0);
      await store.assign(request('x', { visitorId: 'vx' }), 2, 0);
      const ask = (toAgentId: number, over: Partial<{ fromAgentId: number; force: boolean; transferId: string }> = {}) =>
        store.requestTransfer({ conversationId: 'a', transferId: 't1', fromAgentId: 1, toAgentId, expiresAt: 30_000, force: false, ...over }, 100);
      assert.deepEqual(await ask(2, { fromAgentId: 2 }), { ok: false, refusal: 'not_assigned' });
      assert.deepEqual(await ask(1), { ok: false, refusal: 'same_agent' });
      assert.deepEqual(await ask(9), { ok: false, refusal: 'offline' });
      assert.deepEqual(await ask(3), { ok: false, refusal: 'away' });
      assert.deepEqual(await ask(4), { ok: false, refusal: 'not_connected' });
      assert.deepEqual(await ask(5), { ok: false, refusal: 'at_capacity' });

      const started = await ask(2);
      assert.ok(started.ok);
      assert.deepEqual(started.route.transfer, { transferId: 't1', fromAgentId: 1, toAgentId: 2, expiresAt: 30_000 });
      assert.equal(started.route.agentId, 1, 'the requester keeps the chat until the answer');
      assert.deepEqual((await store.agent(2)).reserved, ['a']);
      assert.deepEqual(await ask(5, { transferId: 't2', force: true }), { ok: false, refusal: 'pending' });
      await store.enqueue(request('q', { waitingSince: 50 }), 0);
      assert.equal(await store.offerNext(200), null, 'the held slot fills agent 2; agent 1 is full');

      assert.equal(await store.completeTransfer('a', 'other', 300), null);
      const moved = await store.completeTransfer('a', 't1', 300);
      assert.equal(moved?.route.agentId, 2);
      assert.equal(moved?.route.state, 'assigned');
      assert.equal(moved?.route.transfer, null);
      assert.equal(moved?.previous.agentId, 1);
      assert.equal(moved?.previous.transfer?.transferId, 't1');
      const from = await store.agent(1);
      assert.deepEqual(from.active, []);
      assert.deepEqual(from.wrapUps, [{ conversationId: 'a', until: 10_300 }], 'the requester goes into wrap-up');
      const to = await store.agent(2);
      assert.deepEqual(to.active.sort(), ['a', 'x']);
      assert.deepEqual(to.reserved, []);
      assert.equal(await store.completeTransfer('a', 't1', 301), null, 'only once');
      assert.deepEqual(await store.expireWrapUps(10_300), [1]);
      assert.equal((await store.offerNext(10_300))?.agentId, 1, 'agent 1 is free after wrap-up');
    });

    it('a forced transfer may go over capacity; a transfer ends by declining, expiring, or the chat going away', async () => {
      await online(store, 1, 0, { maxChats: 3 });
      await online(store, 2, 0, { maxChats: 1 });
      await store.assign(request('full'), 2, 0);
      await store.assign(request('a'), 1, 0);
      const ask = (transferId: string, expiresAt = 30_000, force = true) =>
        store.requestTransfer({ conversationId: 'a', transferId, fromAgentId: 1, toAgentId: 2, expiresAt, force }, 0);
      assert.equal((await ask('t1')).ok, true, 'forced over capacity');
      assert.equal(await store.dropTransfer('a', 'nope'), null);
      assert.equal((await store.dropTransfer('a', 't1'))?.transfer, null);
      assert.deepEqual((await store.agent(2)).reserved, []);
      assert.equal(await store.dropTransfer('a', 't1'), null, 'nothing to drop twice');

      assert.equal((await ask('t2', 5000)).ok, true);
      assert.deepEqual(await store.expireTransfers(4999), []);
      const expired = await store.expireTransfers(5000);
      assert.deepEqual(expired.map((e) => [e.route.conversationId, e.transfer.transferId, e.route.agentId, e.route.transfer]), [['a', 't2', 1, null]]);
      assert.deepEqual(await store.expireTransfers(9000), [], 'each expiry is reported once');
      assert.deepEqual((await store.agent(2)).reserved, []);

      assert.equal((await ask('t3')).ok, true);
      await store.requeue('a', 100);
      assert.deepEqual((await store.agent(2)).reserved, [], 'requeued: the transfer is gone');
      await store.assign(request('a'), 1, 200);
      assert.equal((await ask('t4')).ok, true);
      await store.release('a', 300);
      assert.deepEqual((await store.agent(2)).reserved, [], 'closed: the transfer is gone');

      await store.assign(request('b'), 1, 400);
      assert.equal((await store.requestTransfer({ conversationId: 'b', transferId: 't5', fromAgentId: 1, toAgentId: 2, expiresAt: 90_000, force: true }, 400)).ok, true);
      await store.disconnect(2, 'node:2', 500, 1000);
      await store.expireGrace(1500);
      assert.equal((await store.route('b'))?.transfer, null, 'the colleague went offline: the transfer is gone');
      assert.equal((await store.route('b'))?.agentId, 1);
      assert.deepEqual((await store.agent(2)).reserved, []);
      assert.deepEqual(await store.expireTransfers(100_000), []);
    });

    it('cold transfer: the chat waits at the front of the other queue with its waiting time; its agent goes into wrap-up', async () => {
      await store.setDepartments([dept({ wrapUpMs: 10_000 }), dept({ id: 2 })], 0);
      const both = { 1: { level: 'L1' as const, maxChats: null }, 2: { level: 'L1' as const, maxChats: null } };
      await online(store, 1, 0, { memberships: both });
      await store.enqueue(request('older', { departmentId: 2, waitingSince: 500 }), 0);
      await store.enqueue(request('newer', { departmentId: 2, waitingSince: 3000 }), 0);
      await store.setStatus(1, 'away', 'other', 0);
      await store.assign(request('a', { waitingSince: 1000 }), 1, 0);
      const moved = await store.moveToDepartment('a', 2, 5000, 60_000);
      assert.equal(moved?.previous.state, 'assigned');
      assert.equal(moved?.previous.agentId, 1);
      assert.equal(moved?.route.state, 'queued');
      assert.equal(moved?.route.departmentId, 2);
      assert.equal(moved?.route.waitingSince, 1000, 'original waiting time');
      assert.equal(moved?.route.priority, 1);
      assert.deepEqual((await store.queue(2)).map((q) => [q.conversationId, q.position]), [['a', 1], ['older', 2], ['newer', 3]]);
      assert.deepEqual((await store.queue(1)).map((q) => q.conversationId), []);
      const agent = await store.agent(1);
      assert.deepEqual(agent.active, []);
      assert.deepEqual(agent.wrapUps, [{ conversationId: 'a', until: 15_000 }]);

      await store.setStatus(1, 'available', null, 6000);
      await online(store, 2, 7000, { memberships: { 2: { level: 'L1', maxChats: null } } });
      const offer = await store.offerNext(8000);
      assert.deepEqual([offer?.route.conversationId, offer?.agentId], ['a', 2], 'the target department routes it; not back to its last agent');
      assert.equal(await store.moveToDepartment('gone', 2, 0, 0), null);
    });

    it('reassign: waiting, offered or served chats go straight to an agent; same refusals, force over capacity', async () => {
      await store.setDepartments([dept({ wrapUpMs: 10_000 })], 0);
      await online(store, 1, 0, { maxChats: 2 });
      await online(store, 2, 10, { maxChats: 1 });
      await online(store, 3, 20);
      await store.enqueue(request('w', { waitingSince: 1 }), 0);
      const offered = await store.offerNext(100);
      assert.deepEqual([offered?.route.conversationId, offered?.agentId], ['w', 1]);
      const fromOffer = await store.reassign('w', 2, 200, false);
      assert.ok(fromOffer.ok);
      assert.equal(fromOffer.previous.state, 'offered');
      assert.equal(fromOffer.route.agentId, 2);
      assert.equal((await store.agent(1)).offer, null, 'the offer is withdrawn');
      assert.deepEqual((await store.agent(2)).active, ['w']);
      assert.deepEqual(await store.queue(1), []);

      assert.deepEqual(await store.reassign('w', 2, 300, false), { ok: false, refusal: 'same_agent' });
      assert.deepEqual(await store.reassign('nope', 2, 300, false), { ok: false, refusal: 'not_assigned' });
      await store.enqueue(request('v', { waitingSince: 2 }), 0);
      assert.deepEqual(await store.reassign('v', 2, 300, false), { ok: false, refusal: 'at_capacity' });
      assert.equal((await store.reassign('v', 2, 300, true)).ok, true, 'forced');
      assert.deepEqual((await store.agent(2)).active.sort(), ['v', 'w']);

      assert.equal((await store.requestTransfer({ conversationId: 'w', transferId: 't', fromAgentId: 2, toAgentId: 3, expiresAt: 90_000, force: false }, 400)).ok, true);
      const served = await store.reassign('w', 1, 500, false);
      assert.ok(served.ok);
      assert.equal(served.previous.transfer?.transferId, 't');
      assert.equal(served.route.transfer, null);
      assert.deepEqual((await store.agent(3)).reserved, [], 'a pending transfer ends with the reassignment');
      const previous = await store.agent(2);
      assert.deepEqual(previous.active, ['v']);
      assert.deepEqual(previous.wrapUps, [{ conversationId: 'w', until: 10_500 }]);
      assert.deepEqual((await store.agent(1)).active, ['w']);
    });

    it('auto-accept: an agent with free slots takes several chats in one batch, up to the department capacity; others hold one offer', async () => {
      await online(store, 1, 0, { autoAccept: true, maxChats: 5, memberships: { 1: { level: 'L1', maxChats: 3 } } });
      await online(store, 2, 10, { maxChats: 5 });
      for (let i = 0; i < 6; i++) await store.enqueue(request(`c${i}`, { waitingSince: 100 + i }), 0);
      const batch = await store.offerBatch(1000, 10);
      assert.deepEqual(
        batch.map((o) => [o.route.conversationId, o.agentId, o.autoAccept, o.route.state]),
        [['c0', 1, true, 'assigned'], ['c1', 2, false, 'offered'], ['c2', 1, true, 'assigned'], ['c3', 1, true, 'assigned']],
        'least busy each time; agent 1 stops at its department capacity of 3, agent 2 at one pending offer',
      );
      const auto = await store.agent(1);
      assert.deepEqual(auto.active, ['c0', 'c2', 'c3']);
      assert.equal(auto.offer, null);
      assert.equal(auto.idleSince, 1000);
      assert.equal((await store.agent(2)).offer, 'c1');
      assert.deepEqual((await store.queue(1)).map((q) => [q.conversationId, q.state, q.position]), [['c1', 'offered', 1], ['c4', 'queued', 2], ['c5', 'queued', 3]]);
      assert.equal((await store.route('c2'))?.state, 'assigned');
      assert.deepEqual(await store.offerBatch(1000, 10), [], 'nobody has room: agent 1 full, agent 2 still deciding');
      assert.equal(await store.accept('c2', 1, 1001), null, 'an auto-accepted chat is not an offer to accept');

      await store.release('c0', 2000);
      const next = await store.offerBatch(2000, 10);
      assert.deepEqual(next.map((o) => [o.route.conversationId, o.agentId]), [['c4', 1]], 'a freed slot takes the oldest waiting chat');
    });

    it('auto-accept: one call per agent and the batch limit hold inside a batch', async () => {
      await online(store, 1, 0, { autoAccept: true, maxChats: 4 });
      await store.enqueue(request('call1', { channel: 'voice', waitingSince: 1 }), 0);
      await store.enqueue(request('call2', { channel: 'voice', waitingSince: 2 }), 0);
      for (let i = 0; i < 3; i++) await store.enqueue(request(`chat${i}`, { waitingSince: 10 + i }), 0);
      const first = await store.offerBatch(100, 2);
      assert.deepEqual(first.map((o) => o.route.conversationId), ['call1', 'chat0'], 'the second call waits: the agent is on the first; the limit stops the batch at 2');
      assert.equal(first[0]!.route.inCall, true, 'taking a call request is taking the call');
      const second = await store.offerBatch(100, 10);
      assert.deepEqual(second.map((o) => o.route.conversationId), ['chat1', 'chat2']);
      assert.deepEqual((await store.queue(1)).map((q) => q.conversationId), ['call2']);
      await store.markCall('call1', false);
      assert.deepEqual((await store.offerBatch(100, 10)).map((o) => o.route.conversationId), [], 'at capacity 4');
      await store.release('chat0', 200);
      assert.deepEqual((await store.offerBatch(200, 10)).map((o) => o.route.conversationId), ['call2'], 'the call ended and a slot freed: the waiting call comes');
    });

    it('a chat declined by everyone who could take it does not hold up the chats behind it in its group', async () => {
      await online(store, 1, 0);
      await store.enqueue(request('x', { waitingSince: 1 }), 0);
      await store.enqueue(request('y', { waitingSince: 2 }), 0);
      assert.equal((await store.offerNext(100))?.route.conversationId, 'x');
      await store.decline('x', 1, 100, 60_000);
      const next = await store.offerNext(100);
      assert.deepEqual([next?.route.conversationId, next?.agentId], ['y', 1]);
      await store.decline('y', 1, 100, 60_000);
      await online(store, 2, 50);
      assert.equal((await store.offerNext(200))?.agentId, 2, 'another agent gets the declined chat first');
      assert.equal((await store.agent(2)).offer, 'x');
    });

    it('widening moves a waiting chat to the wider agents exactly on time; changed settings re-file the queue', async () => {
      await store.setDepartments([dept({ widenL2AfterMs: 60_000, widenL3AfterMs: 120_000 })], 0);
      await online(store, 2, 0, { memberships: { 1: { level: 'L2', maxChats: null } } });
      await online(store, 3, 0, { memberships: { 1: { level: 'L3', maxChats: null } } });
      await store.enqueue(request('a', { waitingSince: 1000 }), 1000);
      await store.enqueue(request('b', { waitingSince: 2000 }), 2000);
      assert.equal(await store.offerNext(60_999), null, 'L2 not yet');
      assert.deepEqual([(await store.offerNext(61_000))?.route.conversationId, (await store.offerNext(61_000))?.route.conversationId], ['a', undefined], 'b reaches L2 only at 62,000');
      await store.decline('a', 2, 61_000, 120_000);
      assert.equal(await store.offerNext(61_999), null, 'agent 2 declined a, L3 not yet, b not yet');
      assert.deepEqual([(await store.offerNext(62_000))?.route.conversationId], ['b']);
      assert.equal(await store.offerNext(120_999), null, 'L3 not yet');
      const l3 = await store.offerNext(121_000);
      assert.deepEqual([l3?.route.conversationId, l3?.agentId], ['a', 3]);
      await store.accept('a', 3, 121_000);

      await store.enqueue(request('c', { waitingSince: 200_000 }), 200_000);
      assert.equal(await store.offerNext(200_000), null, 'L1 only at first, and there is no L1 agent');
      await store.setDepartments([dept({ widenL2AfterMs: 60_000, widenL3AfterMs: null })], 200_000);
      const after = await store.offerNext(200_000);
      assert.deepEqual([after?.route.conversationId, after?.agentId], ['c', 3], 'L3 from the start now: the waiting chat was filed again');
    });

    it('a backlog nobody can serve, in other departments and in the same one, does not hold up a chat that can be served', async function () {
      this.timeout(60_000);
      await store.setDepartments([dept(), dept({ id: 2 }), dept({ id: 3 })], 0);
      const backlog: string[] = [];
      const enqueueAll = async (n: number, over: (i: number) => Partial<ChatRequest>, tag: string) => {
        for (let i = 0; i < n; i += 200) {
          await Promise.all(Array.from({ length: Math.min(200, n - i) }, (_, k) => {
            const id = `${tag}${i + k}`;
            backlog.push(id);
            return store.enqueue(request(id, { waitingSince: i + k, ...over(i + k) }), 0);
          }));
        }
      };
      await enqueueAll(3000, (i) => ({ departmentId: 2 + (i % 2) }), 'elsewhere-');
      await enqueueAll(2000, () => ({ language: 'fr' }), 'french-');
      await online(store, 1, 0, { autoAccept: true, maxChats: 3 });
      await online(store, 2, 0, { maxChats: 3 });
      await store.enqueue(request('fresh', { waitingSince: 9_000_000 }), 0);
      await store.enqueue(request('fresh2', { waitingSince: 9_000_001 }), 0);
      // Redis: if the pass decoded any chat of the backlog, the script would fail on it.
      if (unreadable) await unreadable(backlog);
      const batch = await store.offerBatch(9_000_100, 10);
      assert.deepEqual(batch.map((o) => [o.route.conversationId, o.agentId]), [['fresh', 1], ['fresh2', 2]]);
      assert.equal((await store.queued('fresh2'))?.position, 2001, 'behind the French backlog in its department');
    });

    // Redis only: the in-memory state never outlives the process that wrote it.
    if (name === 'redis') it('a state written without the queue indexes gets them when the departments are loaded', async () => {
      await store.setDepartments([dept({ widenL2AfterMs: 60_000 })], 0);
      await online(store, 1, 0, { memberships: { 1: { level: 'L2', maxChats: null } } });
      await store.enqueue(request('old', { waitingSince: 1000 }), 1000);
      await store.enqueue(request('new', { waitingSince: 2000 }), 2000);
      await withoutIndexes!();
      assert.equal(await store.offerNext(70_000), null, 'without indexes nothing is found');
      await store.setDepartments([dept({ widenL2AfterMs: 60_000 })], 70_000);
      assert.equal((await store.queued('new'))?.position, 2);
      assert.equal((await store.offerNext(70_000))?.route.conversationId, 'old', 'the agent, present again in the index, gets the oldest chat');
    });

    it('concurrent transfer requests and answers: exactly one wins, capacity is never exceeded', async () => {
      await online(store, 1, 0, { maxChats: 5 });
      for (let id = 2; id <= 6; id++) await online(store, id, 0, { maxChats: 1 });
      await store.assign(request('a'), 1, 0);
      const asks = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.requestTransfer({ conversationId: 'a', transferId: `t${i}`, fromAgentId: 1, toAgentId: 2 + (i % 5), expiresAt: 30_000, force: false }, 0),
        ),
      );
      const won = asks.flatMap((r, i) => (r.ok ? [i] : []));
      assert.equal(won.length, 1);
      const transferId = `t${won[0]}`;
      const answers = await Promise.all([
        ...Array.from({ length: 5 }, () => store.completeTransfer('a', transferId, 100)),
        ...Array.from({ length: 5 }, () => store.dropTransfer('a', transferId)),
        store.expireTransfers(40_000),
      ]);
      const winners = answers.slice(0, 10).filter((r) => r !== null).length + (answers[10] as unknown[]).length;
      assert.equal(winners, 1, 'accepted, declined or expired: one of them');
      const agents = await store.agents();
      assert.equal(agents.reduce((n, a) => n + a.reserved.length, 0), 0, 'no slot stays held');
      assert.equal(agents.reduce((n, a) => n + a.active.filter((c) => c === 'a').length, 0), 1, 'the chat is with exactly one agent');
      for (const a of agents.filter((x) => x.agentId !== 1)) assert.ok(a.active.length <= 1, `agent ${a.agentId} over capacity`);
    });

    // Found by the differential test (differential.test.ts): the rules below once differed between the stores.

    it('reading an agent never written creates nothing', async () => {
      assert.deepEqual(await store.agent(7), {
        agentId: 7, status: 'offline', reason: null, since: 0, connections: [], graceUntil: null, active: [], offer: null, wrapUps: [], reserved: [], idleSince: 0, lastOfferedAt: {},
      });
      assert.deepEqual(await store.agents(), [], 'a read is not a write');
      assert.deepEqual(await store.reassign('x', 7, 0, true), { ok: false, refusal: 'not_assigned' });
    });

    it('release uses the same wrap-up rule as a hand-off: one wrap-up per chat, the later one', async () => {
      await store.setDepartments([dept({ wrapUpMs: 10_000 })], 0);
      await online(store, 1, 0);
      await online(store, 2, 0);
      await store.assign(request('a'), 1, 0);
      assert.equal((await store.reassign('a', 2, 100, false)).ok, true);
      assert.equal((await store.reassign('a', 1, 200, false)).ok, true, 'back to the first agent while it still wraps up the chat');
      assert.deepEqual((await store.agent(1)).wrapUps, [{ conversationId: 'a', until: 10_100 }]);
      await store.release('a', 300);
      assert.deepEqual((await store.agent(1)).wrapUps, [{ conversationId: 'a', until: 10_300 }], 'the earlier wrap-up of the same chat is replaced, not kept beside it');
      assert.deepEqual(await store.expireWrapUps(10_250), [2]);
      assert.deepEqual(await store.expireWrapUps(10_300), [1]);
      assert.deepEqual((await store.agent(1)).wrapUps, []);
    });
  });
}
