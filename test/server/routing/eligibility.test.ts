import assert from 'node:assert/strict';
import { acceptableLanguages, allowedLevels, capacityFor, compareAgents, compareRoutes, groupKey, groupOf, isEligible, loadOf, nextStageAt, qualifiesFor, transferRefusal } from '../../../server/src/routing/eligibility.js';
import type { AgentProfile, AgentRuntime, ChatRoute, DepartmentRouting } from '../../../server/src/routing/types.js';

const dept: DepartmentRouting = {
  id: 1, strategy: 'least_busy', offerTimeoutMs: 30_000, wrapUpMs: 0,
  widenL2AfterMs: 60_000, widenL3AfterMs: 180_000, fallbackLanguage: 'en', fallbackLanguageAfterMs: 120_000,
};
const agent = (over: Partial<AgentRuntime> = {}): AgentRuntime => ({
  agentId: 1, status: 'available', reason: null, since: 0, connections: ['c'], graceUntil: null,
  active: [], offer: null, wrapUps: [], reserved: [], idleSince: 0, lastOfferedAt: {}, ...over,
});
const profile = (over: Partial<AgentProfile> = {}): AgentProfile => ({
  agentId: 1, name: 'A', languages: ['de'], maxChats: 2, autoAccept: false, memberships: { 1: { level: 'L1', maxChats: null } }, ...over,
});
const route = (over: Partial<ChatRoute> = {}): ChatRoute => ({
  conversationId: 'c1', departmentId: 1, visitorId: 'v', visitorName: null, language: 'de', priority: 0,
  waitingSince: 0, preview: '', state: 'queued', agentId: null, offerExpiresAt: null, declined: {}, transfer: null, channel: 'chat', inCall: false, ...over,
});

describe('routing rules', () => {
  it('widens levels over time; null widening means from the start', () => {
    assert.deepEqual([...allowedLevels(dept, 0)], ['L1']);
    assert.deepEqual([...allowedLevels(dept, 60_000)], ['L1', 'L2']);
    assert.deepEqual([...allowedLevels(dept, 180_000)], ['L1', 'L2', 'L3']);
    assert.deepEqual([...allowedLevels({ ...dept, widenL2AfterMs: null, widenL3AfterMs: null }, 0)], ['L1', 'L2', 'L3']);
  });

  it('adds the fallback language after its wait', () => {
    assert.deepEqual(acceptableLanguages(dept, 'fr', 119_999), ['fr']);
    assert.deepEqual(acceptableLanguages(dept, 'fr', 120_000), ['fr', 'en']);
    assert.deepEqual(acceptableLanguages(dept, 'en', 500_000), ['en']);
  });

  it('files a waiting chat by group and knows when it widens next', () => {
    // dept: L2 after 60 s, fallback English after 120 s, L3 after 180 s.
    const at = (waited: number) => groupKey(groupOf(route({ language: 'fr', waitingSince: 1000 }), dept, 1000 + waited));
    assert.deepEqual([at(0), at(59_999), at(60_000), at(120_000), at(180_000)], ['1|0|chat|fr', '1|0|chat|fr', '1|1|chat|fr', '1|5|chat|fr', '1|7|chat|fr']);
    assert.deepEqual([0, 60_000, 120_000, 180_000].map((w) => nextStageAt(dept, 'fr', 1000, 1000 + w)), [61_000, 121_000, 181_000, null]);
    assert.equal(nextStageAt(dept, 'en', 1000, 1000 + 60_000), 181_000, 'the fallback language is no step for a chat already in it');
    const english = profile({ languages: ['en'], memberships: { 1: { level: 'L2', maxChats: null } } });
    const group = (stage: number) => ({ departmentId: 1, language: 'fr', channel: 'chat' as const, stage });
    assert.deepEqual([0, 1, 4, 5].map((stage) => qualifiesFor(english, group(stage), dept)), [false, false, false, true], 'an English L2 agent: after both widenings');
  });

  it('counts active chats, the pending offer and wrap-ups as load; capacity per department first', () => {
    assert.equal(loadOf(agent({ active: ['a', 'b'], offer: 'c', wrapUps: [{ conversationId: 'd', until: 1 }] })), 4);
    assert.equal(capacityFor(profile(), 1), 2);
    assert.equal(capacityFor(profile({ memberships: { 1: { level: 'L1', maxChats: 5 } } }), 1), 5);
  });

  it('requires available, connected, no pending offer, capacity, membership, language and not declined', () => {
    const now = 10_000;
    assert.equal(isEligible(profile(), agent(), route(), dept, now, false), true);
    assert.equal(isEligible(profile(), agent({ status: 'away' }), route(), dept, now, false), false);
    assert.equal(isEligible(profile(), agent({ connections: [], graceUntil: now + 1 }), route(), dept, now, false), false, 'in grace: no new offers');
    assert.equal(isEligible(profile(), agent({ offer: 'x' }), route(), dept, now, false), false);
    assert.equal(isEligible(profile(), agent({ active: ['a', 'b'] }), route(), dept, now, false), false);
    assert.equal(isEligible(profile({ memberships: {} }), agent(), route(), dept, now, false), false);
    assert.equal(isEligible(profile(), agent(), route({ language: 'fr' }), dept, now, false), false);
    assert.equal(isEligible(profile(), agent(), route({ declined: { 1: now + 1 } }), dept, now, false), false);
    assert.equal(isEligible(profile(), agent(), route({ declined: { 1: now } }), dept, now, false), true, 'the exclusion has passed');
    assert.equal(isEligible(profile({ memberships: { 1: { level: 'L2', maxChats: null } } }), agent(), route(), dept, now, false), false);
  });

  it('one call per agent: a call request skips agents on a call; chats do not care', () => {
    const now = 10_000;
    assert.equal(isEligible(profile(), agent({ active: ['a'] }), route({ channel: 'voice' }), dept, now, true), false);
    assert.equal(isEligible(profile(), agent({ active: ['a'] }), route({ channel: 'voice' }), dept, now, false), true);
    assert.equal(isEligible(profile(), agent({ active: ['a'] }), route({ channel: 'chat' }), dept, now, true), true);
    const call = { conversationId: 'c1', departmentId: 1, inCall: true };
    assert.equal(transferRefusal(profile(), agent(), call, false, true), 'on_call');
    assert.equal(transferRefusal(profile(), agent(), call, true, true), 'on_call', 'forcing goes over capacity, never into a second call');
    assert.equal(transferRefusal(profile(), agent(), { ...call, inCall: false }, false, true), null, 'a chat may go to an agent on a call');
  });

  it('orders agents by strategy and chats by priority, then waiting time', () => {
    const a = agent({ agentId: 1, active: ['x'], idleSince: 5 });
    const b = agent({ agentId: 2, idleSince: 10, lastOfferedAt: { 1: 50 } });
    const c = agent({ agentId: 3, idleSince: 1, lastOfferedAt: { 1: 40 } });
    const sorted = (strategy: DepartmentRouting['strategy']) => [a, b, c].sort(compareAgents({ ...dept, strategy })).map((x) => x.agentId);
    assert.deepEqual(sorted('least_busy'), [3, 2, 1]);
    assert.deepEqual(sorted('longest_idle'), [3, 1, 2]);
    assert.deepEqual(sorted('round_robin'), [1, 3, 2]);
    const routes = [route({ conversationId: 'late', waitingSince: 20 }), route({ conversationId: 'urgent', waitingSince: 30, priority: 1 }), route({ conversationId: 'early', waitingSince: 10 })];
    assert.deepEqual(routes.sort(compareRoutes).map((r) => r.conversationId), ['urgent', 'early', 'late']);
  });

  it('transfers: refused to offline, away or disconnected colleagues and over capacity unless forced; held slots count', () => {
    assert.equal(loadOf(agent({ active: ['a'], reserved: ['b'] })), 2, 'a slot held for a transfer is load');
    assert.equal(transferRefusal(profile(), agent(), { conversationId: 'c1', departmentId: 1, inCall: false }, false, false), null);
    assert.equal(transferRefusal(null, agent(), { conversationId: 'c1', departmentId: 1, inCall: false }, false, false), 'offline', 'never seen by routing');
    assert.equal(transferRefusal(profile(), agent({ status: 'offline' }), { conversationId: 'c1', departmentId: 1, inCall: false }, false, false), 'offline');
    assert.equal(transferRefusal(profile(), agent({ status: 'away', reason: 'break' }), { conversationId: 'c1', departmentId: 1, inCall: false }, false, false), 'away');
    assert.equal(transferRefusal(profile(), agent({ connections: [] }), { conversationId: 'c1', departmentId: 1, inCall: false }, false, false), 'not_connected');
    assert.equal(transferRefusal(profile(), agent({ active: ['a', 'b'] }), { conversationId: 'c1', departmentId: 1, inCall: false }, false, false), 'at_capacity');
    assert.equal(transferRefusal(profile(), agent({ active: ['a', 'b'] }), { conversationId: 'c1', departmentId: 1, inCall: false }, true, false), null, 'forced');
    assert.equal(transferRefusal(profile(), agent({ active: ['a'], offer: 'c1' }), { conversationId: 'c1', departmentId: 1, inCall: false }, false, false), null, 'the offer of this chat is not a second slot');
    assert.equal(transferRefusal(profile({ memberships: {} }), agent(), { conversationId: 'c1', departmentId: 7, inCall: false }, false, false), null, 'membership is the requester\'s call');
  });
});
