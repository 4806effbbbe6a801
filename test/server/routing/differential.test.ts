import assert from 'node:assert/strict';
import type { RedisClientType } from 'redis';
import type { AgentStatus, AwayReason } from '../../../shared/schemas/presence.js';
import { createMemoryRoutingStore } from '../../../server/src/routing/memoryRoutingStore.js';
import { createRedisRoutingStore } from '../../../server/src/routing/redis/redisRoutingStore.js';
import type { RoutingStore } from '../../../server/src/routing/routingStore.js';
import type { AgentProfile, ChatRequest, DepartmentRouting } from '../../../server/src/routing/types.js';
import { connectTestRedis, dropPrefix, redisAvailable, testPrefix } from '../../support/redis.js';

/**
 * The routing rules exist twice: in TypeScript (memoryRoutingStore.ts, eligibility.ts) and in Lua
 * (server/src/routing/redis/lua/). The contract suite checks chosen cases; this test drives long
 * random sequences of every state-changing store step against both stores with one clock, and
 * after every step compares what the step returned and everything the read methods show.
 *
 * Reproduce a failure with the seed it prints: ROUTING_DIFF_SEED=<seed> (that sequence runs
 * first). ROUTING_DIFF_SEQUENCES and ROUTING_DIFF_STEPS change the amount of work.
 *
 * Not driven: heartbeat, reapDeadNodes, epoch and claimRebuild. Cluster liveness is Redis-only by
 * design (the memory store is one node and always alive), and the contract suite covers it.
 */

const SEQUENCES = Number(process.env.ROUTING_DIFF_SEQUENCES ?? 12);
const STEPS = Number(process.env.ROUTING_DIFF_STEPS ?? 250);
const FIRST_SEED = process.env.ROUTING_DIFF_SEED !== undefined ? Number(process.env.ROUTING_DIFF_SEED) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isSafeInteger(FIRST_SEED) || !Number.isSafeInteger(SEQUENCES) || !Number.isSafeInteger(STEPS)) {
  throw new Error('ROUTING_DIFF_SEED, ROUTING_DIFF_SEQUENCES and ROUTING_DIFF_STEPS must be integers');
}

// Small pools, so that steps collide: the same chats, agents and departments again and again.
const AGENTS = [1, 2, 3, 4, 5];
/** Never given a profile or status: reads and transfers to an agent the store has not seen. */
const STRANGER = 6;
const CHATS = Array.from({ length: 10 }, (_, i) => `c${i}`);
const DEPARTMENTS = [1, 2, 3];
/** Chats may name a department without settings (it takes nobody). */
const UNKNOWN_DEPARTMENT = 4;
const LANGUAGES = ['de', 'en', 'fr'];
// Mostly available, so that offers, transfers and wrap-ups happen often enough to be compared.
const STATUSES: AgentStatus[] = ['available', 'available', 'available', 'available', 'available', 'away', 'away', 'offline'];
const REASONS: AwayReason[] = ['break', 'meeting', 'missed_offer', 'other'];

/** mulberry32: a tiny, well-known 32-bit PRNG; the same seed gives the same sequence on every machine. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const chance = (p: number) => next() < p;
  const subset = <T>(list: readonly T[]) => list.filter(() => chance(0.5));
  return { int, pick, chance, subset };
}
type Rng = ReturnType<typeof prng>;

const randomDepartment = (rng: Rng, id: number): DepartmentRouting => ({
  id,
  strategy: rng.pick(['least_busy', 'longest_idle', 'round_robin'] as const),
  offerTimeoutMs: rng.pick([5_000, 20_000]),
  wrapUpMs: rng.pick([0, 0, 3_000, 15_000]),
  widenL2AfterMs: rng.pick([null, 0, 4_000, 20_000]),
  widenL3AfterMs: rng.pick([null, 10_000, 40_000]),
  fallbackLanguage: rng.pick([null, 'en', 'de']),
  fallbackLanguageAfterMs: rng.pick([null, 5_000, 30_000]),
});

function randomProfile(rng: Rng, agentId: number): AgentProfile {
  const languages = LANGUAGES.filter(() => rng.chance(0.6));
  const memberships: AgentProfile['memberships'] = {};
  for (const id of DEPARTMENTS.filter(() => rng.chance(0.7))) memberships[id] = { level: rng.pick(['L1', 'L1', 'L2', 'L3'] as const), maxChats: rng.pick([null, null, 1, 2]) };
  return { agentId, name: `A${agentId}`, languages: languages.length ? languages : ['de'], maxChats: rng.int(1, 4), autoAccept: rng.chance(0.3), memberships };
}

const randomRequest = (rng: Rng, conversationId: string, now: number): ChatRequest => ({
  conversationId,
  departmentId: rng.chance(0.05) ? UNKNOWN_DEPARTMENT : rng.pick(DEPARTMENTS),
  visitorId: `v-${conversationId}`,
  visitorName: rng.pick([null, 'V']),
  language: rng.pick(LANGUAGES),
  priority: rng.int(0, 2),
  // Equal waiting times are common enough to exercise the tie-break by conversation id.
  waitingSince: now - rng.pick([0, 1_000, rng.int(0, 60_000)]),
  preview: 'hi',
  channel: rng.chance(0.25) ? 'voice' : 'chat',
});

/** One step: a description for the report, and the call, made the same way on each store. */
interface Step {
  label: string;
  run(store: RoutingStore): Promise<unknown>;
}

/**
 * The next step. Arguments are drawn from the memory store's state (reads only) so that most
 * steps do something: accepts name the offered agent, transfer answers the pending transfer.
 */
async function nextStep(rng: Rng, model: RoutingStore, now: number, stepNo: number): Promise<Step> {
  const routes = (await Promise.all(CHATS.map((id) => model.route(id)))).filter((r) => r !== null);
  const agentId = () => (rng.chance(0.05) ? STRANGER : rng.pick(AGENTS));
  const chatId = () => rng.pick(CHATS);
  const offered = routes.filter((r) => r.state === 'offered');
  const assigned = routes.filter((r) => r.state === 'assigned');
  const transferring = assigned.filter((r) => r.transfer !== null);
  // Hand-offs back to an agent still wrapping the chat up: where wrap-up rules meet.
  const wrapping = (await model.agents()).flatMap((a) =>
    a.wrapUps.filter((w) => routes.some((r) => r.conversationId === w.conversationId && r.agentId !== a.agentId)).map((w) => ({ agentId: a.agentId, conversationId: w.conversationId })),
  );
  const excludeMs = rng.pick([0, 10_000, 60_000]);
  const step = (label: string, run: Step['run']): Step => ({ label, run });

  const kinds: Array<[number, () => Step]> = [
    [2, () => {
      // Now and then a department loses its settings (its chats wait, nobody can take them).
      const list = DEPARTMENTS.filter(() => rng.chance(0.9)).map((id) => randomDepartment(rng, id));
      return step(`setDepartments(${JSON.stringify(list)}, ${now})`, (s) => s.setDepartments(list, now));
    }],
    [4, () => {
      const profile = randomProfile(rng, rng.pick(AGENTS));
      return step(`setAgentProfile(${JSON.stringify(profile)})`, (s) => s.setAgentProfile(profile));
    }],
    [6, () => {
      const [id, status] = [agentId(), rng.pick(STATUSES)];
      const reason = status === 'away' ? rng.pick(REASONS) : null;
      return step(`setStatus(${id}, ${status}, ${reason}, ${now})`, (s) => s.setStatus(id, status, reason, now));
    }],
    [6, () => {
      const [id, conn] = [agentId(), `n${rng.int(1, 2)}:s${rng.int(1, 2)}`];
      return step(`connect(${id}, ${conn}, ${now})`, (s) => s.connect(id, conn, now));
    }],
    [2, () => {
      const [id, conn, graceMs] = [agentId(), `n${rng.int(1, 2)}:s${rng.int(1, 2)}`, rng.pick([0, 5_000, 30_000])];
      return step(`disconnect(${id}, ${conn}, ${now}, ${graceMs})`, (s) => s.disconnect(id, conn, now, graceMs));
    }],
    [3, () => step(`expireGrace(${now})`, (s) => s.expireGrace(now))],
    [10, () => {
      const request = randomRequest(rng, chatId(), now);
      return step(`enqueue(${JSON.stringify(request)}, ${now})`, (s) => s.enqueue(request, now));
    }],
    [2, () => {
      const id = chatId();
      return step(`remove(${id})`, (s) => s.remove(id));
    }],
    [4, () => step(`offerNext(${now})`, (s) => s.offerNext(now))],
    [8, () => {
      const limit = rng.int(0, 6);
      return step(`offerBatch(${now}, ${limit})`, (s) => s.offerBatch(now, limit));
    }],
    [8, () => {
      const route = offered.length && rng.chance(0.85) ? rng.pick(offered) : null;
      const [id, agent] = route ? [route.conversationId, route.agentId!] : [chatId(), agentId()];
      return step(`accept(${id}, ${agent}, ${now})`, (s) => s.accept(id, agent, now));
    }],
    [4, () => {
      const route = offered.length && rng.chance(0.85) ? rng.pick(offered) : null;
      const [id, agent] = route ? [route.conversationId, route.agentId!] : [chatId(), agentId()];
      return step(`decline(${id}, ${agent}, ${now}, ${excludeMs})`, (s) => s.decline(id, agent, now, excludeMs));
    }],
    [3, () => step(`expireOffers(${now}, ${excludeMs})`, (s) => s.expireOffers(now, excludeMs))],
    [6, () => {
      const id = assigned.length && rng.chance(0.7) ? rng.pick(assigned).conversationId : chatId();
      return step(`release(${id}, ${now})`, (s) => s.release(id, now));
    }],
    [3, () => step(`expireWrapUps(${now})`, (s) => s.expireWrapUps(now))],
    [3, () => {
      const [request, agent] = [randomRequest(rng, chatId(), now), agentId()];
      return step(`assign(${JSON.stringify(request)}, ${agent}, ${now})`, (s) => s.assign(request, agent, now));
    }],
    [3, () => {
      const id = chatId();
      return step(`requeue(${id}, ${now})`, (s) => s.requeue(id, now));
    }],
    [6, () => {
      const route = assigned.length && rng.chance(0.9) ? rng.pick(assigned) : null;
      const ask = {
        conversationId: route?.conversationId ?? chatId(),
        transferId: `t${stepNo}`,
        fromAgentId: route && rng.chance(0.9) ? route.agentId! : agentId(),
        toAgentId: route && rng.chance(0.9) ? rng.pick(AGENTS.filter((id) => id !== route.agentId)) : agentId(),
        expiresAt: now + rng.pick([1_000, 20_000]),
        force: rng.chance(0.3),
      };
      return step(`requestTransfer(${JSON.stringify(ask)}, ${now})`, (s) => s.requestTransfer(ask, now));
    }],
    [2, () => {
      const route = transferring.length && rng.chance(0.85) ? rng.pick(transferring) : null;
      const [id, transferId] = route ? [route.conversationId, route.transfer!.transferId] : [chatId(), `t${rng.int(0, stepNo)}`];
      return step(`dropTransfer(${id}, ${transferId})`, (s) => s.dropTransfer(id, transferId));
    }],
    [2, () => step(`expireTransfers(${now})`, (s) => s.expireTransfers(now))],
    [4, () => {
      const route = transferring.length && rng.chance(0.85) ? rng.pick(transferring) : null;
      const [id, transferId] = route ? [route.conversationId, route.transfer!.transferId] : [chatId(), `t${rng.int(0, stepNo)}`];
      return step(`completeTransfer(${id}, ${transferId}, ${now})`, (s) => s.completeTransfer(id, transferId, now));
    }],
    [3, () => {
      const [id, department] = [chatId(), rng.chance(0.05) ? UNKNOWN_DEPARTMENT : rng.pick(DEPARTMENTS)];
      return step(`moveToDepartment(${id}, ${department}, ${now}, ${excludeMs})`, (s) => s.moveToDepartment(id, department, now, excludeMs));
    }],
    [6, () => {
      const back = wrapping.length && rng.chance(0.5) ? rng.pick(wrapping) : null;
      const [id, agent, force] = back ? [back.conversationId, back.agentId, rng.chance(0.3)] : [chatId(), agentId(), rng.chance(0.3)];
      return step(`reassign(${id}, ${agent}, ${now}, ${force})`, (s) => s.reassign(id, agent, now, force));
    }],
    [4, () => {
      const id = assigned.length && rng.chance(0.8) ? rng.pick(assigned).conversationId : chatId();
      const inCall = rng.chance(0.6);
      return step(`markCall(${id}, ${inCall})`, (s) => s.markCall(id, inCall));
    }],
  ];
  let roll = rng.int(1, kinds.reduce((sum, [weight]) => sum + weight, 0));
  for (const [weight, make] of kinds) {
    roll -= weight;
    if (roll <= 0) return make();
  }
  throw new Error('unreachable');
}

const byNumber = (a: number, b: number) => a - b;
const byKey = <T>(key: (item: T) => string | number) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * What a step returned, in a form both stores must agree on. The expiry steps return sets (the
 * stores walk their own indexes, the memory store its agents, Redis a sorted set by deadline), so
 * their order is not part of the contract; everything else is compared as returned.
 */
function comparable(label: string, result: unknown): unknown {
  if (!Array.isArray(result)) return result;
  const name = label.slice(0, label.indexOf('('));
  switch (name) {
    case 'expireWrapUps':
      return [...(result as number[])].sort(byNumber);
    case 'expireGrace':
      return [...(result as Array<{ agent: { agentId: number } }>)].sort(byKey((e) => e.agent.agentId));
    case 'expireOffers':
    case 'expireTransfers':
      return [...(result as Array<{ route: { conversationId: string } }>)].sort(byKey((e) => e.route.conversationId));
    default:
      return result;
  }
}

/** Everything the read methods show (lists without a defined order sorted by id). */
async function snapshot(store: RoutingStore) {
  const [routes, queued, queueAll, queues, agents, agentById, departments, profiles, profileById] = await Promise.all([
    Promise.all(CHATS.map((id) => store.route(id))),
    Promise.all(CHATS.map((id) => store.queued(id))),
    store.queue(null),
    Promise.all([...DEPARTMENTS, UNKNOWN_DEPARTMENT].map((id) => store.queue(id))),
    store.agents(),
    Promise.all([...AGENTS, STRANGER].map((id) => store.agent(id))),
    store.departments(),
    store.profiles(),
    Promise.all([...AGENTS, STRANGER].map((id) => store.agentProfile(id))),
  ]);
  return {
    routes,
    queued,
    queueAll,
    queues,
    agents: agents.sort(byKey((a) => a.agentId)),
    agentById,
    departments: departments.sort(byKey((d) => d.id)),
    profiles: profiles.sort(byKey((p) => p.agentId)),
    profileById,
  };
}

describe('routing stores, differential: memory and Redis agree step by step', function () {
  this.timeout(120_000);
  let client: RedisClientType;

  before(async function () {
    // Only outside CI: CI sets REQUIRE_REDIS=1 and redisAvailable() then throws instead.
    if (!(await redisAvailable())) this.skip();
    client = await connectTestRedis();
  });
  after(async () => {
    await client?.close();
  });

  // The title stays the same from run to run; a failure names its seed.
  it('random sequences of every state-changing step: same results and same state after each', async () => {
    for (let k = 0; k < SEQUENCES; k++) {
      const seed = (FIRST_SEED + k) >>> 0;
      const prefix = testPrefix();
      try {
        await runSequence(seed, await createRedisRoutingStore(client, prefix));
      } finally {
        await dropPrefix(client, prefix);
      }
    }
  });
});

/** The first place where two JSON-like values differ, as a path with both values, for the report. */
function firstDifference(actual: unknown, expected: unknown, path = ''): string | null {
  if (Object.is(actual, expected)) return null;
  const bothObjects = typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null;
  if (bothObjects && Array.isArray(actual) === Array.isArray(expected)) {
    const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
    for (const key of keys) {
      const found = firstDifference((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], Array.isArray(actual) ? `${path}[${key}]` : `${path}.${key}`);
      if (found) return found;
    }
    return null;
  }
  return `${path || '(top)'}: Redis ${JSON.stringify(actual)}, memory ${JSON.stringify(expected)}`;
}

async function runSequence(seed: number, redis: RoutingStore): Promise<void> {
  const rng = prng(seed);
  const memory = createMemoryRoutingStore();
  // A real epoch: Lua's cjson keeps 14 significant digits, and today's times have 13.
  let now = 1_700_000_000_000;
  const history: string[] = [];
  const check = (stepNo: string, what: string, actual: unknown, expected: unknown) => {
    try {
      assert.deepStrictEqual(actual, expected);
    } catch (error) {
      const recent = history.slice(-15).join('\n  ');
      throw new Error(
        `memory and Redis differ in ${what} after step ${stepNo} of seed ${seed} (reproduce: ROUTING_DIFF_SEED=${seed})\n` +
          `step: ${history.at(-1)}\nfirst difference: ${firstDifference(actual, expected)}\n` +
          `recent steps, last one last:\n  ${recent}\n(actual = Redis, expected = memory) ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
  const apply = async (stepNo: string, step: Step) => {
    history.push(`${stepNo}: ${step.label}`);
    const expected = await step.run(memory);
    const actual = await step.run(redis);
    check(stepNo, 'the result', comparable(step.label, actual), comparable(step.label, expected));
    const [ours, theirs] = await Promise.all([snapshot(memory), snapshot(redis)]);
    for (const key of Object.keys(ours) as Array<keyof typeof ours>) check(stepNo, `the state (${key})`, theirs[key], ours[key]);
  };

  // Every sequence starts with a working desk (steps "setup n", compared like the rest): all departments
  // set, every agent with a profile, available and connected.
  const departments = DEPARTMENTS.map((id) => randomDepartment(rng, id));
  const setup: Step[] = [{ label: `setDepartments(${JSON.stringify(departments)}, ${now})`, run: (s) => s.setDepartments(departments, now) }];
  for (const id of AGENTS) {
    const profile = randomProfile(rng, id);
    setup.push({ label: `setAgentProfile(${JSON.stringify(profile)})`, run: (s) => s.setAgentProfile(profile) });
    setup.push({ label: `setStatus(${id}, available, null, ${now})`, run: (s) => s.setStatus(id, 'available', null, now) });
    setup.push({ label: `connect(${id}, n1:s1, ${now})`, run: (s) => s.connect(id, 'n1:s1', now) });
  }
  for (const [i, step] of setup.entries()) await apply(`setup ${i + 1}`, step);

  for (let i = 1; i <= STEPS; i++) {
    now += rng.pick([0, 0, rng.int(1, 500), rng.int(1, 5_000), rng.int(10_000, 40_000)]);
    await apply(String(i), await nextStep(rng, memory, now, i));
  }
}
