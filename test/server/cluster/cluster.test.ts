import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { io, type Socket } from 'socket.io-client';
import { createClient } from 'redis';
import type { Ack } from '../../../shared/ack.js';
import type { Message } from '../../../shared/schemas/chat.js';
import type { Offer } from '../../../shared/schemas/routing.js';
import type { Database } from '../../../server/src/db/database.js';
import type { AgentRuntime } from '../../../server/src/routing/types.js';
import { createUsers } from '../../../server/src/users/users.js';
import { clientId, eventually, sleep } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectAgent, connectVisitor, eventWhere, expectOk, login, nextEvent, visitorSession, type AgentSocket, type VisitorSocket } from '../../support/clients.js';
import { freePort, startCluster, type TestCluster } from '../../support/cluster.js';
import { dbTargets } from '../../support/dbTargets.js';
import { redisAvailable } from '../../support/redis.js';

const PASSWORD = 'correct horse battery staple';

/** One department, `agents` agents in it; returns the department id and the agents' e-mails. */
async function seedTeam(db: Database, agents: number, maxChats: number, routing: { offerTimeoutSeconds?: number } = {}) {
  const dept = await db.models.Department.create({
    slug: 'technik', name: 'Technik', languages: ['de', 'en'], openingHours: null, fallbackDepartmentId: null,
    wrapUpSeconds: 0, offerTimeoutSeconds: routing.offerTimeoutSeconds ?? 30,
  });
  const users = createUsers(db.models);
  const emails: string[] = [];
  for (let i = 0; i < agents; i++) {
    const email = `agent${i}@cluster.test`;
    const user = await users.create({ email, name: `Agent ${i}`, password: PASSWORD, role: i === 0 ? 'supervisor' : 'agent', languages: ['de'], maxChats });
    await db.models.DepartmentMember.create({ userId: user.id, departmentId: dept.id, level: 'L1', maxChats: null });
    emails.push(email);
  }
  return { departmentId: dept.id, emails };
}

async function agentOn(url: string, email: string, opts: { reconnect?: boolean } = {}): Promise<AgentSocket> {
  const cookie = await login(url, email, PASSWORD);
  if (!opts.reconnect) {
    const socket = await connectAgent(url, cookie);
    await ask(socket, 'presence:get', {});
    return socket;
  }
  const socket = io(`${url}/agent`, { transports: ['websocket'], extraHeaders: { cookie }, reconnectionDelay: 100, reconnectionDelayMax: 500 }) as AgentSocket;
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  await ask(socket, 'presence:get', {});
  return socket;
}

async function visitorOn(url: string, departmentId: number, name: string): Promise<{ socket: VisitorSocket; conversationId: string }> {
  const socket = await connectVisitor(url, (await visitorSession(url)).token);
  // As the widget does: a start answered UNAVAILABLE (Redis reconnecting) is retried with the same client id.
  const id = clientId();
  let ack = await ask(socket, 'conversation:start', { clientId: id, departmentId, language: 'de', name, text: `Hallo von ${name}` });
  for (let attempt = 0; attempt < 10 && !ack.ok && ack.error.code === 'UNAVAILABLE'; attempt++) {
    await sleep(500);
    ack = await ask(socket, 'conversation:start', { clientId: id, departmentId, language: 'de', name, text: `Hallo von ${name}` });
  }
  const started = expectOk(ack);
  return { socket, conversationId: started.conversation.id };
}

async function agentState(cluster: TestCluster, agentId: number): Promise<AgentRuntime | null> {
  const client = createClient({ url: cluster.redisUrl });
  await client.connect();
  try {
    const raw = await client.hGet(`${cluster.redisPrefix}agent`, String(agentId));
    if (!raw) return null;
    const state = JSON.parse(raw) as AgentRuntime;
    // Lua's cjson writes an empty array as {}: read it the way the store does.
    return { ...state, connections: Array.isArray(state.connections) ? state.connections : [] };
  } finally {
    await client.close();
  }
}

const userId = async (db: Database, email: string) => (await db.models.User.findOne({ where: { email } }))!.id;

/** Like `ask`, with a longer bound: under a deliberate burst on a loaded machine an ack may take more than 15 s. */
function askWithin(socket: Socket, ms: number, event: string, payload: unknown): Promise<Ack<unknown>> {
  return (socket.timeout(ms) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<unknown>> }).emitWithAck(event, payload);
}

/** Runs `fn` over `items`, `limit` at a time: setting up clients is not what a test measures. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  }));
  return out;
}

/**
 * Waits until `done`, as long as `progress` keeps moving: fails after `stallMs` without progress
 * or `capMs` in all. A slow machine gets more time; a stuck system still fails, and soon.
 */
async function whileProgressing(done: () => boolean, progress: () => number, opts: { stallMs: number; capMs: number; what: () => string }): Promise<void> {
  const started = Date.now();
  let last = progress();
  let lastMoved = Date.now();
  while (!done()) {
    const now = Date.now();
    if (progress() !== last) {
      last = progress();
      lastMoved = now;
    }
    if (now - lastMoved > opts.stallMs) throw new Error(`no progress for ${opts.stallMs} ms: ${opts.what()}`);
    if (now - started > opts.capMs) throw new Error(`not done within ${opts.capMs} ms: ${opts.what()}`);
    await sleep(100);
  }
}

// Needs a shared MariaDB and Redis; CI provides both and requires them (REQUIRE_MARIADB, REQUIRE_REDIS).
const clusterPossible = dbTargets().includes('mariadb');

(clusterPossible ? describe : describe.skip)('cluster: two server processes, one system', function () {
  this.timeout(180_000);
  before(async function () {
    assert.ok(await redisAvailable(), 'the cluster suite needs Redis');
  });
  afterEach(closeAllSockets);

  it('a visitor on node A chats with an agent on node B: offers, messages, notes, typing, reads, presence', async () => {
    let team!: Awaited<ReturnType<typeof seedTeam>>;
    const cluster = await startCluster({ nodes: 2, seed: async (db) => void (team = await seedTeam(db, 2, 3)) });
    try {
      const [a, b] = cluster.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0]];
      const supervisor = await agentOn(a.url, team.emails[0]!);
      const agent = await agentOn(b.url, team.emails[1]!);
      const agentId = await userId(cluster.db, team.emails[1]!);
      const seenPresence = new Promise<void>((resolve) =>
        supervisor.on('presence:changed', (p) => p.agentId === agentId && p.status === 'available' && resolve()),
      );
      const offered = nextEvent<Offer>(agent, 'offer:received', 10_000);
      expectOk(await ask(agent, 'presence:set', { status: 'available' }));
      await seenPresence;

      const visitor = await visitorOn(a.url, team.departmentId, 'Erika');
      assert.equal((await offered).conversationId, visitor.conversationId);
      const joined = nextEvent<Message>(visitor.socket, 'message:sent', 10_000);
      expectOk(await ask(agent, 'offer:accept', { conversationId: visitor.conversationId }));
      assert.match((await joined).body, /Sie sprechen jetzt mit Agent 1/);

      const toAgent = eventWhere<Message>(agent, 'message:sent', (m) => m.body === 'über zwei Knoten', 10_000);
      const sent = expectOk(await ask(visitor.socket, 'message:send', { conversationId: visitor.conversationId, clientId: clientId(), text: 'über zwei Knoten' }));
      assert.equal((await toAgent).id, sent.message.id);
      const toVisitor = eventWhere<Message>(visitor.socket, 'message:sent', (m) => m.body === 'Antwort von B', 10_000);
      expectOk(await ask(agent, 'message:send', { conversationId: visitor.conversationId, clientId: clientId(), text: 'Antwort von B' }));
      assert.equal((await toVisitor).body, 'Antwort von B');

      const typing = nextEvent<{ by: string }>(agent, 'typing:changed', 10_000);
      (visitor.socket as unknown as Socket).volatile.emit('typing:set', { conversationId: visitor.conversationId, typing: true });
      assert.equal((await typing).by, 'visitor');
      const read = nextEvent<{ upToId: number }>(visitor.socket, 'messages:read', 10_000);
      expectOk(await ask(agent, 'message:read', { conversationId: visitor.conversationId, upToId: sent.message.id }));
      assert.equal((await read).upToId, sent.message.id);

      let leaked = false;
      visitor.socket.onAny((_e, payload) => {
        if (JSON.stringify(payload ?? '').includes('nur intern')) leaked = true;
      });
      expectOk(await ask(agent, 'note:add', { conversationId: visitor.conversationId, clientId: clientId(), text: 'nur intern' }));
      const snapshot = expectOk(await ask(supervisor, 'supervisor:snapshot', {}));
      const state = snapshot.agents.find((s) => s.agentId === agentId)!;
      assert.deepEqual(state.conversationIds, [visitor.conversationId], 'the supervisor on A sees the chat on B');
      // A barrier instead of a pause: a message sent after the note takes the same way to the
      // visitor (node B, the adapter, node A), so a leaked note would have arrived before it.
      const after = eventWhere<Message>(visitor.socket, 'message:sent', (m) => m.body === 'nach der Notiz', 10_000);
      expectOk(await ask(agent, 'message:send', { conversationId: visitor.conversationId, clientId: clientId(), text: 'nach der Notiz' }));
      await after;
      assert.equal(leaked, false);
    } finally {
      await cluster.close();
    }
  });

  it('1,000 requests at once over both nodes, 50 agents: one offer at a time, nobody over capacity, all served', async function () {
    // Bounded by observed progress below (a loaded 2-core CI machine needs minutes, not seconds).
    this.timeout(15 * 60_000);
    const ACK_MS = 120_000;
    let team!: Awaited<ReturnType<typeof seedTeam>>;
    const capacity = 3;
    const cluster = await startCluster({ nodes: 2, env: { SOCKET_EVENTS_PER_10S: '100000' }, seed: async (db) => void (team = await seedTeam(db, 50, capacity)) });
    try {
      const urls = cluster.nodes.map((n) => n.url);
      const agents = await pool(team.emails, 10, (email, i) => agentOn(urls[i % 2]!, email));
      const ids = await Promise.all(team.emails.map((email) => userId(cluster.db, email)));
      const holder = new Map<string, number>();
      const active = new Map<number, Set<string>>(ids.map((id) => [id, new Set()]));
      let doubleOffers = 0;
      let overCapacity = 0;
      const served = new Set<string>();
      const failures: string[] = [];
      agents.forEach((socket, i) => {
        const me = ids[i]!;
        socket.on('offer:received', (offer) => {
          const current = holder.get(offer.conversationId);
          if (current !== undefined && current !== me) doubleOffers++;
          holder.set(offer.conversationId, me);
          void (async () => {
            const ack = await askWithin(socket, ACK_MS, 'offer:accept', { conversationId: offer.conversationId });
            holder.delete(offer.conversationId);
            if (!ack.ok) return; // e.g. revoked meanwhile: routing offers it again
            const mine = active.get(me)!;
            mine.add(offer.conversationId);
            if (mine.size > capacity) overCapacity++;
            await sleep(5 + Math.random() * 30);
            mine.delete(offer.conversationId);
            const closed = await askWithin(socket, ACK_MS, 'conversation:close', { conversationId: offer.conversationId });
            if (!closed.ok) throw new Error(`close: ${closed.error.code}`);
            // Served once closed: the count of closed chats below must not race the last closes.
            served.add(offer.conversationId);
          })().catch((error: unknown) => failures.push(`agent ${me}, ${offer.conversationId}: ${String(error)}`));
        });
      });
      await Promise.all(agents.map((socket) => askWithin(socket, ACK_MS, 'presence:set', { status: 'available' })));

      // Setting up 1,000 visitors is not the race: connect them a few at a time, then start all at once.
      const visitors = await pool(Array.from({ length: 1000 }, (_, i) => urls[i % 2]!), 25, async (url) => connectVisitor(url, (await visitorSession(url)).token));
      const started = await Promise.all(
        visitors.map((socket, i) =>
          askWithin(socket, ACK_MS, 'conversation:start', { clientId: clientId(), departmentId: team.departmentId, language: 'de', name: `Besucher ${i}`, text: 'Hilfe' }),
        ),
      );
      assert.equal(started.filter((s) => s.ok).length, 1000);
      await whileProgressing(() => served.size === 1000 || failures.length > 0, () => served.size, {
        stallMs: 90_000,
        capMs: 12 * 60_000,
        what: () => `served ${served.size} of 1000`,
      });
      assert.deepEqual(failures, []);
      assert.equal(doubleOffers, 0, 'a chat was offered to two agents at once');
      assert.equal(overCapacity, 0, 'an agent went over capacity');
      assert.equal(await cluster.db.models.Conversation.count({ where: { status: 'closed' } }), 1000);
    } finally {
      await cluster.close();
    }
  });

  it('a node killed mid-chat: clients move over, the chat goes on, nothing acked is lost or doubled, no ghosts', async () => {
    let team!: Awaited<ReturnType<typeof seedTeam>>;
    const cluster = await startCluster({
      nodes: 2,
      env: { NODE_DEAD_AFTER_SECONDS: '3', PRESENCE_GRACE_SECONDS: '3', AUTO_AWAY_ON_MISSED_OFFER: 'false' },
      seed: async (db) => void (team = await seedTeam(db, 3, 3, { offerTimeoutSeconds: 4 })),
    });
    try {
      const [a, b] = cluster.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0]];
      // The serving agent and the visitor go through the proxy and reconnect on their own.
      const agent = await agentOn(cluster.proxyUrl, team.emails[1]!, { reconnect: true });
      const agentId = await userId(cluster.db, team.emails[1]!);
      expectOk(await ask(agent, 'presence:set', { status: 'available' }));
      const { token } = await visitorSession(cluster.proxyUrl);
      const visitor = io(`${cluster.proxyUrl}/visitor`, { transports: ['websocket'], auth: { token }, reconnectionDelay: 100, reconnectionDelayMax: 500 }) as VisitorSocket;
      await new Promise<void>((resolve) => visitor.once('connect', () => resolve()));
      const offered = nextEvent<Offer>(agent, 'offer:received', 10_000);
      const started = expectOk(await ask(visitor, 'conversation:start', { clientId: clientId(), departmentId: team.departmentId, language: 'de', name: 'Erika', text: 'Start' }));
      const conversationId = started.conversation.id;
      await offered;
      expectOk(await ask(agent, 'offer:accept', { conversationId }));
      await ask(agent, 'presence:set', { status: 'away', reason: 'break' });

      // A second agent only on the node that will die, holding a pending offer.
      const doomedNode = ((await agentState(cluster, agentId))!.connections[0] ?? '').startsWith('node-a') ? a : b;
      const survivor = doomedNode === a ? b : a;
      const stranded = await agentOn(doomedNode.url, team.emails[2]!);
      const strandedId = await userId(cluster.db, team.emails[2]!);
      const strandedOffer = nextEvent<Offer>(stranded, 'offer:received', 10_000);
      expectOk(await ask(stranded, 'presence:set', { status: 'available' }));
      const second = await visitorOn(survivor.url, team.departmentId, 'Zweite');
      assert.equal((await strandedOffer).conversationId, second.conversationId);
      const rescuer = await agentOn(survivor.url, team.emails[0]!);
      const rescued = nextEvent<Offer>(rescuer, 'offer:received', 20_000);
      expectOk(await ask(rescuer, 'presence:set', { status: 'available' }));

      // The visitor keeps writing, resending unacked messages with the same client id (like the widget).
      const acked = new Set<string>();
      const outbox: string[] = [];
      let writing = true;
      const writer = (async () => {
        for (let i = 0; writing && i < 200; i++) {
          outbox.push(clientId());
          for (const id of [...outbox]) {
            const ack = await (visitor.timeout(1500) as unknown as { emitWithAck(e: string, p: unknown): Promise<{ ok: boolean }> })
              .emitWithAck('message:send', { conversationId, clientId: id, text: `Nachricht ${id}` })
              .catch(() => ({ ok: false }));
            if (ack.ok) {
              acked.add(id);
              outbox.splice(outbox.indexOf(id), 1);
            }
          }
          await sleep(40);
        }
      })();
      await sleep(500);
      doomedNode.process.kill('SIGKILL');
      await doomedNode.exited;
      await sleep(2500);
      writing = false;
      await writer;
      while (outbox.length) {
        const id = outbox[0]!;
        const ack = await ask(visitor, 'message:send', { conversationId, clientId: id, text: `Nachricht ${id}` });
        if (ack.ok) {
          acked.add(id);
          outbox.shift();
        } else await sleep(200);
      }

      // Nothing acked is lost or doubled.
      const rows = await cluster.db.models.Message.findAll({ where: { conversationId, senderType: 'visitor' } });
      const stored = rows.map((r) => r.clientId!).filter((id) => acked.has(id));
      assert.equal(stored.length, acked.size, 'every acked message is stored');
      assert.equal(new Set(stored).size, stored.length, 'none twice');
      // The agent, reconnected through the proxy, catches up and can still answer.
      const synced = expectOk(await ask(agent, 'conversation:sync', { conversationId, afterId: 0 }));
      for (const id of acked) assert.ok(synced.messages.some((m) => m.clientId === id), `agent missing ${id}`);
      expectOk(await ask(agent, 'message:send', { conversationId, clientId: clientId(), text: 'Ich bin noch da.' }));

      // The dead node's pending offer timed out and went to an agent on the living node.
      assert.equal((await rescued).conversationId, second.conversationId);
      // No ghost: the stranded agent's connection was reaped and, after the grace period, they are offline.
      await eventually(async () => (await agentState(cluster, strandedId))?.status === 'offline', 20_000, 'stranded agent offline');
      const agentNow = (await agentState(cluster, agentId))!;
      assert.ok(agentNow.connections.every((c) => !c.startsWith(`${doomedNode.nodeId}:`)), 'no connection of the dead node left');
      assert.ok(agentNow.connections.length > 0, 'the serving agent is connected again');
      visitor.close();
      agent.close();
    } finally {
      await cluster.close();
    }
  });

  it('a node that stalls past the dead-node timeout announces its agents again when it wakes', async () => {
    let team!: Awaited<ReturnType<typeof seedTeam>>;
    const cluster = await startCluster({
      nodes: 2,
      env: { NODE_DEAD_AFTER_SECONDS: '3', PRESENCE_GRACE_SECONDS: '30' },
      seed: async (db) => void (team = await seedTeam(db, 2, 3)),
    });
    try {
      const [a, b] = cluster.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0]];
      const agent = await agentOn(b.url, team.emails[1]!);
      const agentId = await userId(cluster.db, team.emails[1]!);
      expectOk(await ask(agent, 'presence:set', { status: 'available' }));
      // Node B stops for longer than the dead-node timeout (as a saturated or paused process would).
      b.process.kill('SIGSTOP');
      await eventually(async () => ((await agentState(cluster, agentId))?.connections.length ?? 1) === 0, 15_000, 'node A reaps B');
      b.process.kill('SIGCONT');
      await eventually(async () => ((await agentState(cluster, agentId))?.connections ?? []).some((c) => c.startsWith('node-b:')), 15_000, 'B announces its agent again');
      // Still present and routable: a chat started on node A reaches the agent on node B.
      const offered = nextEvent<Offer>(agent, 'offer:received', 10_000);
      const visitor = await visitorOn(a.url, team.departmentId, 'Nach der Pause');
      assert.equal((await offered).conversationId, visitor.conversationId);
      assert.equal((await agentState(cluster, agentId))?.status, 'available');
    } catch (error) {
      for (const node of cluster.nodes) process.stderr.write(`--- ${node.nodeId}\n${node.output().slice(-3000)}\n`);
      throw error;
    } finally {
      cluster.nodes[1]?.process.kill('SIGCONT');
      await cluster.close();
    }
  });

  it('Redis restarting during traffic: the system recovers by itself', async () => {
    const port = await freePort();
    const startRedis = (): ChildProcess => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    let redis = startRedis();
    await sleep(300);
    let team!: Awaited<ReturnType<typeof seedTeam>>;
    const cluster = await startCluster({ nodes: 2, redisUrl: `redis://127.0.0.1:${port}`, seed: async (db) => void (team = await seedTeam(db, 2, 5)) });
    try {
      const [a, b] = cluster.nodes as [TestCluster['nodes'][0], TestCluster['nodes'][0]];
      const agent = await agentOn(b.url, team.emails[1]!);
      expectOk(await ask(agent, 'presence:set', { status: 'available' }));
      // As the console does: an accept answered UNAVAILABLE (Redis reconnecting; commands fail fast) is tried again.
      const acceptOffer = async (conversationId: string) => {
        for (let attempt = 0; attempt < 10; attempt++) {
          const ack = await ask(agent, 'offer:accept', { conversationId });
          if (ack.ok || ack.error.code !== 'UNAVAILABLE') return;
          await sleep(500);
        }
      };
      agent.on('offer:received', (offer) => void acceptOffer(offer.conversationId));
      const before = await visitorOn(a.url, team.departmentId, 'Vorher');
      await eventually(async () => (await cluster.db.models.Conversation.findByPk(before.conversationId))?.status === 'active', 10_000, 'first chat accepted');

      const resyncAsked = nextEvent<void>(before.socket, 'sync:required', 30_000);
      redis.kill('SIGKILL');
      await sleep(1000);
      // Durable state lives in MariaDB: chatting between already connected sockets still stores messages.
      const during = ask(before.socket, 'message:send', { conversationId: before.conversationId, clientId: clientId(), text: 'während Redis weg ist' });
      redis = startRedis();
      expectOk(await during);
      // Pushes handed to the broken link may be gone: connected clients are asked to resync.
      await resyncAsked;

      // After the restart: routing state is rebuilt, the agent is still present, chats route across nodes.
      const after = await visitorOn(a.url, team.departmentId, 'Nachher');
      await eventually(async () => (await cluster.db.models.Conversation.findByPk(after.conversationId))?.status === 'active', 20_000, 'new chat routed after the restart');
      const toVisitor = nextEvent<Message>(after.socket, 'message:sent', 10_000);
      expectOk(await ask(agent, 'message:send', { conversationId: after.conversationId, clientId: clientId(), text: 'wieder da' }));
      // The join notice or the reply: either proves cross-node delivery; wait for the reply itself.
      await eventually(async () => {
        const m = await toVisitor.catch(() => null);
        return m !== null;
      }, 10_000, 'cross-node delivery after the restart');
      const snapshot = expectOk(await ask(agent, 'conversation:list', {}));
      assert.ok(snapshot.conversations.some((c) => c.id === before.conversationId), 'the earlier chat is still the agent’s');
    } catch (error) {
      for (const node of cluster.nodes) process.stderr.write(`--- ${node.nodeId}\n${node.output().slice(-4000)}\n`);
      throw error;
    } finally {
      await cluster.close();
      redis.kill('SIGKILL');
    }
  });
});
