import type { RedisClientType } from 'redis';
import type { RoutingStore } from '../routingStore.js';
import type { CallMark, AgentProfile, AgentRuntime, ChatRoute, DepartmentRouting, Moved, OfferMade, PendingTransfer, QueuedView, Reassigned, TransferStart } from '../types.js';
import { loadScript, loadScripts, readScripts, type ScriptName } from './scripts.js';

type Redis = RedisClientType;

/** Lua's cjson turns empty arrays into {} and keeps maps' keys as strings: put the shapes back. */
const asArray = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
const normAgent = (a: AgentRuntime): AgentRuntime => ({
  ...a,
  connections: asArray(a.connections),
  active: asArray(a.active),
  wrapUps: asArray(a.wrapUps),
  reserved: asArray(a.reserved),
  lastOfferedAt: a.lastOfferedAt ?? {},
});
// Routes written by an older version lack channel and inCall.
const normRoute = (r: ChatRoute): ChatRoute => ({ ...r, declined: r.declined ?? {}, transfer: r.transfer ?? null, channel: r.channel ?? 'chat', inCall: r.inCall === true });
const normMoved = (m: Moved): Moved => ({ route: normRoute(m.route), previous: normRoute(m.previous) });

/**
 * Routing state in Redis for a cluster: every transition is one Lua script (atomic on the Redis
 * server, files in ./lua/), so any node may route. Reads are plain hash and sorted-set reads.
 * Creating the store loads every script, so one that does not compile fails the start.
 */
export async function createRedisRoutingStore(redis: Redis, prefix: string, options: { luaDir?: string } = {}): Promise<RoutingStore> {
  const P = prefix;
  // luaDir: tests load a deliberately broken copy to see the start fail.
  const scripts = readScripts(options.luaDir);
  const shas = await loadScripts(redis, scripts);

  async function run(name: ScriptName, args: Array<string | number>): Promise<unknown> {
    const options = { keys: [P], arguments: args.map(String) };
    try {
      return await redis.evalSha(shas.get(name)!, options);
    } catch (error) {
      // A restarted Redis has forgotten the scripts: load again and retry once.
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      shas.set(name, await loadScript(redis, scripts[name]));
      return redis.evalSha(shas.get(name)!, options);
    }
  }
  const json = async <T>(name: ScriptName, args: Array<string | number>): Promise<T | null> => {
    const reply = await run(name, args);
    return typeof reply === 'string' ? (JSON.parse(reply) as T) : null;
  };

  const readRoutes = async (ids: string[]): Promise<ChatRoute[]> => {
    if (ids.length === 0) return [];
    const raw = await redis.hmGet(`${P}route`, ids);
    return raw.filter((v): v is string => typeof v === 'string').map((v) => normRoute(JSON.parse(v) as ChatRoute));
  };

  // Queue views are read several times a second, and most waiting chats have not changed since
  // the last read: what was parsed is kept by its stored text, and only changed chats are parsed
  // again (a profile with 15,000 waiting spent most of the views' time and garbage on parsing).
  // A read of the whole queue keeps only the chats still waiting.
  let parsed = new Map<string, { raw: string; route: ChatRoute }>();
  const PARSED_MAX = 200_000;

  async function readQueue(departmentId: number | null): Promise<QueuedView[]> {
    const ids = await redis.zRange(departmentId === null ? `${P}queue` : `${P}dq:${departmentId}`, 0, -1);
    const raw = ids.length ? await redis.hmGet(`${P}route`, ids) : [];
    if (parsed.size > PARSED_MAX) parsed = new Map();
    const kept = departmentId === null ? new Map<string, { raw: string; route: ChatRoute }>() : parsed;
    const perDepartment = new Map<number, number>();
    const views: QueuedView[] = [];
    raw.forEach((text, i) => {
      if (typeof text !== 'string') return;
      const id = ids[i]!;
      let entry = parsed.get(id);
      if (entry?.raw !== text) entry = { raw: text, route: normRoute(JSON.parse(text) as ChatRoute) };
      kept.set(id, entry);
      const r = entry.route;
      if (r.state === 'assigned' || (departmentId !== null && r.departmentId !== departmentId)) return;
      const position = (perDepartment.get(r.departmentId) ?? 0) + 1;
      perDepartment.set(r.departmentId, position);
      // Callers get their own copy; the kept one stays as stored.
      views.push({ ...r, declined: { ...r.declined }, transfer: r.transfer ? { ...r.transfer } : null, position });
    });
    parsed = kept;
    return views;
  }

  const offerBatch = async (now: number, limit: number): Promise<OfferMade[]> =>
    asArray<OfferMade>(await json('offerBatch', [now, limit])).map((offer) => ({ ...offer, route: normRoute(offer.route) }));

  return {
    async setDepartments(list, now) {
      await run('setDepartments', [now, ...list.flatMap((d) => [d.id, JSON.stringify(d)])]);
    },
    async setAgentProfile(profile) {
      await redis.hSet(`${P}profile`, String(profile.agentId), JSON.stringify(profile));
    },
    async agentProfile(agentId) {
      const raw = await redis.hGet(`${P}profile`, String(agentId));
      return raw ? (JSON.parse(raw) as AgentProfile) : null;
    },

    setStatus: async (agentId, status, reason, now) => normAgent((await json<AgentRuntime>('setStatus', [agentId, status, reason ?? '', now]))!),
    connect: async (agentId, connectionId, now) => normAgent((await json<AgentRuntime>('connect', [agentId, connectionId, now]))!),
    disconnect: async (agentId, connectionId, now, graceMs) => normAgent((await json<AgentRuntime>('disconnect', [agentId, connectionId, now, graceMs]))!),
    async expireGrace(now) {
      const out = (await json<Array<{ agent: AgentRuntime; withdrawnOffer: string | null; requeued: unknown }>>('expireGrace', [now])) ?? [];
      return asArray<(typeof out)[number]>(out).map((e) => ({ agent: normAgent(e.agent), withdrawnOffer: e.withdrawnOffer ?? null, requeued: asArray<string>(e.requeued) }));
    },

    enqueue: async (request, now) => (await run('enqueue', [JSON.stringify(request), now])) === 1,
    async remove(conversationId) {
      const r = await json<ChatRoute>('remove', [conversationId]);
      return r ? normRoute(r) : null;
    },
    offerNext: async (now) => (await offerBatch(now, 1))[0] ?? null,
    offerBatch,
    async accept(conversationId, agentId, now) {
      const r = await json<ChatRoute>('accept', [conversationId, agentId, now]);
      return r ? normRoute(r) : null;
    },
    async decline(conversationId, agentId, now, excludeMs) {
      const r = await json<ChatRoute>('decline', [conversationId, agentId, now, excludeMs]);
      return r ? normRoute(r) : null;
    },
    async expireOffers(now, excludeMs) {
      const out = asArray<{ route: ChatRoute; agentId: number }>(await json('expireOffers', [now, excludeMs]));
      return out.map((e) => ({ route: normRoute(e.route), agentId: e.agentId }));
    },
    async release(conversationId, now) {
      const r = await json<ChatRoute>('release', [conversationId, now]);
      return r ? normRoute(r) : null;
    },
    expireWrapUps: async (now) => asArray<number>(await json('expireWrapUps', [now])),
    async assign(request, agentId, now) {
      await run('assign', [JSON.stringify(request), agentId, now]);
    },
    async requeue(conversationId, now) {
      const r = await json<ChatRoute>('requeue', [conversationId, now]);
      return r ? normRoute(r) : null;
    },

    async requestTransfer(ask, _now) {
      const result = (await json<TransferStart>('requestTransfer', [JSON.stringify(ask)]))!;
      return result.ok ? { ok: true, route: normRoute(result.route) } : result;
    },
    async dropTransfer(conversationId, transferId) {
      const r = await json<ChatRoute>('dropTransfer', [conversationId, transferId]);
      return r ? normRoute(r) : null;
    },
    async expireTransfers(now) {
      const out = asArray<{ route: ChatRoute; transfer: PendingTransfer }>(await json('expireTransfers', [now]));
      return out.map((e) => ({ route: normRoute(e.route), transfer: e.transfer }));
    },
    async completeTransfer(conversationId, transferId, now) {
      const moved = await json<Moved>('completeTransfer', [conversationId, transferId, now]);
      return moved ? normMoved(moved) : null;
    },
    async moveToDepartment(conversationId, departmentId, now, excludeMs) {
      const moved = await json<Moved>('moveToDepartment', [conversationId, departmentId, now, excludeMs]);
      return moved ? normMoved(moved) : null;
    },
    async reassign(conversationId, toAgentId, now, force): Promise<Reassigned> {
      const result = (await json<Reassigned>('reassign', [conversationId, toAgentId, now, force ? 1 : 0]))!;
      return result.ok ? { ok: true, ...normMoved(result) } : result;
    },

    async markCall(conversationId, inCall): Promise<CallMark> {
      const result = (await json<CallMark>('markCall', [conversationId, inCall ? 1 : 0]))!;
      return result.ok ? { ok: true, route: normRoute(result.route) } : result;
    },

    heartbeat: async (nodeId, now) => (await redis.zAdd(`${P}nodes`, { score: now, value: nodeId })) === 1,
    reapDeadNodes: async (now, deadAfterMs, graceMs, selfNodeId) => asArray<number>(await json('reapDeadNodes', [now, deadAfterMs, graceMs, selfNodeId])),
    epoch: async () => redis.get(`${P}epoch`),
    claimRebuild: async (epoch) => (await redis.set(`${P}epoch`, epoch, { NX: true })) === 'OK',

    async route(conversationId) {
      return (await readRoutes([conversationId]))[0] ?? null;
    },
    async queued(conversationId) {
      const route = (await readRoutes([conversationId]))[0];
      if (!route || route.state === 'assigned') return null;
      const rank = await redis.zRank(`${P}dq:${route.departmentId}`, conversationId);
      return rank === null ? null : { ...route, position: rank + 1 };
    },
    queue: readQueue,
    async agent(agentId) {
      const raw = await redis.hGet(`${P}agent`, String(agentId));
      if (raw) return normAgent(JSON.parse(raw) as AgentRuntime);
      return { agentId, status: 'offline', reason: null, since: 0, connections: [], graceUntil: null, active: [], offer: null, wrapUps: [], reserved: [], idleSince: 0, lastOfferedAt: {} };
    },
    agents: async () => (await redis.hVals(`${P}agent`)).map((v) => normAgent(JSON.parse(v) as AgentRuntime)),
    departments: async () => (await redis.hVals(`${P}dept`)).map((v) => JSON.parse(v) as DepartmentRouting),
    profiles: async () => (await redis.hVals(`${P}profile`)).map((v) => JSON.parse(v) as AgentProfile),
  };
}
