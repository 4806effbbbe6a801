import { io, type Socket } from 'socket.io-client';
import type { BurstJob, BurstResult, IdleJob, IdleResult, Mode, SteadyJob, SteadyResult, Team } from './jobs.js';
import { Histogram, nowMs } from './stats.js';

/**
 * Bot logic shared by every scenario. One code path drives zentrale and the bare relay; `mode`
 * only changes how a bot authenticates (zentrale: visitor token / session cookie; relay: none).
 */

/** The parts of a pushed message the bots look at (zentrale sends the full `Message`). */
interface PushedMessage {
  clientId: string | null;
  senderType: string;
  body: string;
}
type AckResponse<T> = { ok: true; data: T } | { ok: false; error: { code: string } };

const MARK = 'bench ';
const ACK_TIMEOUT_MS = 30_000;
const MAX_UNASSIGNED = 25;

/** Runs `fn` over `items` with at most `limit` in flight: set-up must not itself become a burst. */
export async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function visitorToken(url: string): Promise<string> {
  const res = await fetch(`${url}/api/visitor/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const body = (await res.json()) as AckResponse<{ token: string }>;
  if (!body.ok) throw new Error(`visitor session: ${body.error.code}`);
  return body.data.token;
}

async function login(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('zentrale_session='));
  if (res.status !== 200 || !cookie) throw new Error(`login ${email}: HTTP ${res.status}`);
  return cookie.split(';')[0]!;
}

function connect(url: string, opts: { auth?: Record<string, unknown>; cookie?: string }): Promise<Socket> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 30_000,
    auth: opts.auth ?? {},
    extraHeaders: opts.cookie ? { cookie: opts.cookie } : {},
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (e) => {
      socket.close();
      reject(e);
    });
  });
}

async function ask<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  const res = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload)) as AckResponse<T>;
  if (!res.ok) throw new Error(`${event}: ${res.error.code}`);
  return res.data;
}

/** Visitor token for zentrale; the relay takes anyone. Fetched ahead so connecting is all a phase measures. */
const tokenFor = (mode: Mode, url: string): Promise<string | null> => (mode === 'zentrale' ? visitorToken(url) : Promise.resolve(null));

const connectVisitor = (url: string, token: string | null) => connect(`${url}/visitor`, token ? { auth: { token } } : {});

async function connectAgents(mode: Mode, urls: string[], team: Team): Promise<Socket[]> {
  const sockets: Socket[] = new Array(team.emails.length);
  // Logins run argon2 on the server; a few at a time keeps set-up from starving the event loop.
  await pool(team.emails, 4, async (email, i) => {
    const url = urls[i % urls.length]!;
    const socket =
      mode === 'zentrale'
        ? await connect(`${url}/agent`, { cookie: await login(url, email, team.password) })
        : await connect(`${url}/agent`, { auth: { departmentId: team.departmentId } });
    sockets[i] = socket;
  });
  return sockets;
}

async function goAvailable(agents: Socket[]): Promise<void> {
  await pool(agents, 20, async (s) => void (await ask(s, 'presence:set', { status: 'available' })));
}

/** Client ids are 8–64 chars [A-Za-z0-9_-]; the load generator index keeps them unique across processes. */
const clientId = (index: number, kind: string, n: number) => `b${index}${kind}${n.toString(36).padStart(7, '0')}`;

const countError = (errors: Record<string, number>, e: unknown) => {
  const key = e instanceof Error ? e.message.slice(0, 80) : String(e);
  errors[key] = (errors[key] ?? 0) + 1;
};

// ─── steady ────────────────────────────────────────────────────────────────────────────────────

interface Chat {
  conversationId: string;
  visitor: Socket;
  agent: Socket | null;
  /** Unacked messages per side: 0 visitor, 1 agent. */
  inFlight: [number, number];
}

interface Sent {
  at: number;
  fromVisitor: boolean;
  acked: boolean;
  received: number;
}

export interface Prepared {
  run(): Promise<SteadyResult | BurstResult | IdleResult>;
  close(): void;
}

export async function prepareSteady(job: SteadyJob): Promise<Prepared> {
  const t0 = nowMs();
  const sockets: Socket[] = [];
  const sent = new Map<string, Sent>();
  const v2a = new Histogram();
  const a2v = new Histogram();
  const ack = new Histogram();
  const ackErrors: Record<string, number> = {};
  let windowStart = Infinity;
  let windowEnd = Infinity;
  let delivered = 0;
  let firstDeliveries = 0;
  let disconnects = 0;
  let running = false;

  const onMessage = (m: PushedMessage, toAgent: boolean) => {
    if (!m.body.startsWith(MARK) || !m.clientId) return;
    const record = sent.get(m.clientId);
    if (!record || record.fromVisitor !== toAgent) return;
    record.received++;
    if (record.received > 1) return;
    firstDeliveries++;
    const at = nowMs();
    if (at >= windowStart && at <= windowEnd) delivered++;
    if (record.at >= windowStart && record.at <= windowEnd) (toAgent ? v2a : a2v).record(at - record.at);
  };

  const assigned = new Map<string, Socket>();
  const agents = await connectAgents(job.mode, job.urls, job.team);
  sockets.push(...agents);
  for (const agent of agents) {
    agent.on('conversation:assigned', (c: { id: string }) => assigned.set(c.id, agent));
    agent.on('message:sent', (m: PushedMessage) => onMessage(m, true));
    agent.on('disconnect', () => running && disconnects++);
  }
  await goAvailable(agents);

  const chats: Chat[] = [];
  const setupErrors: Record<string, number> = {};
  let starting = 0;
  const setupDeadline = Date.now() + 8 * 60_000;
  await pool(
    Array.from({ length: job.chats }, (_, i) => i),
    25,
    async (i) => {
      // Chats arrive as a trickle, not as one wall: keep at most MAX_UNASSIGNED waiting for an
      // agent. A queue thousands long measures queue-position broadcasts (every visitor told its
      // new position on every assignment), which is the burst scenario's business, not steady's.
      while (chats.length + starting - assigned.size >= MAX_UNASSIGNED && Date.now() < setupDeadline) await sleep(5);
      starting++;
      try {
        const url = job.urls[i % job.urls.length]!;
        const visitor = await connectVisitor(url, await tokenFor(job.mode, url));
        sockets.push(visitor);
        visitor.on('message:sent', (m: PushedMessage) => onMessage(m, false));
        visitor.on('disconnect', () => running && disconnects++);
        const started = await ask<{ conversation: { id: string } }>(visitor, 'conversation:start', {
          clientId: clientId(job.index, 's', i),
          departmentId: job.team.departmentId,
          language: 'de',
          name: `Bench ${job.index}-${i}`,
          text: 'Hallo, ich brauche Hilfe.',
        });
        chats.push({ conversationId: started.conversation.id, visitor, agent: null, inFlight: [0, 0] });
      } catch (e) {
        countError(setupErrors, e);
      } finally {
        starting--;
      }
    },
  );
  // Routing is the server's business; wait (bounded) until every started chat has its agent.
  for (const until = Date.now() + 60_000; Date.now() < until && chats.some((c) => !assigned.has(c.conversationId)); ) await sleep(100);
  for (const c of chats) c.agent = assigned.get(c.conversationId) ?? null;
  const ready = chats.filter((c) => c.agent !== null);
  // Shuffle so consecutive sends hit different agents and nodes, as real traffic would.
  for (let i = ready.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [ready[i], ready[j]] = [ready[j]!, ready[i]!];
  }
  const setupMs = nowMs() - t0;

  return {
    close: () => sockets.forEach((s) => s.close()),
    async run() {
      running = true;
      let seq = 0;
      let issued = 0;
      let offered = 0;
      let sentInWindow = 0;
      let skipped = 0;
      let ackedInWindow = 0;
      const start = nowMs();
      windowStart = start + job.warmupMs;
      windowEnd = windowStart + job.durationMs;

      const send = (chat: Chat, fromVisitor: boolean) => {
        const at = nowMs();
        const inWindow = at >= windowStart && at <= windowEnd;
        if (inWindow) offered++;
        const side = fromVisitor ? 0 : 1;
        // Open loop with a cap: a sender that is far behind skips instead of queueing forever.
        if (chat.inFlight[side] >= job.maxInFlightPerChat) {
          if (inWindow) skipped++;
          return;
        }
        const id = clientId(job.index, fromVisitor ? 'v' : 'a', seq++);
        const record: Sent = { at, fromVisitor, acked: false, received: 0 };
        sent.set(id, record);
        if (inWindow) sentInWindow++;
        chat.inFlight[side]++;
        const socket = fromVisitor ? chat.visitor : chat.agent!;
        socket
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck('message:send', { conversationId: chat.conversationId, clientId: id, text: `${MARK}${at.toFixed(3)}` })
          .then(
            (res: AckResponse<unknown>) => {
              if (res.ok) {
                record.acked = true;
                const t = nowMs();
                if (t >= windowStart && t <= windowEnd) ackedInWindow++;
                if (inWindow) ack.record(t - at);
              } else countError(ackErrors, new Error(res.error.code));
            },
            (e: unknown) => countError(ackErrors, e),
          )
          .finally(() => chat.inFlight[side]--);
      };

      // One pacing loop instead of a timer per bot: every tick sends exactly what the target rate
      // owes by now, round-robin over (chat, side) pairs, so each side of a chat sends every
      // 2·chats/rate seconds.
      const senders = ready.length * 2;
      await new Promise<void>((resolve) => {
        const tick = setInterval(() => {
          const now = nowMs();
          if (now >= windowEnd || senders === 0) {
            clearInterval(tick);
            resolve();
            return;
          }
          const owed = Math.floor(((now - start) / 1000) * job.rate) - issued;
          for (let k = 0; k < owed; k++, issued++) send(ready[(issued >> 1) % ready.length]!, (issued & 1) === 0);
        }, 5);
      });

      // Grace: wait for outstanding acks and pushes, but stop early once everything acked arrived.
      // While deliveries still trickle in (an overloaded server catching up) the grace extends, up
      // to two minutes: "lost" means never delivered, not merely late.
      let graceUntil = nowMs() + job.graceMs;
      const graceCap = nowMs() + Math.max(job.graceMs, 120_000);
      let seen = firstDeliveries;
      while (nowMs() < graceUntil) {
        if (firstDeliveries > seen) {
          seen = firstDeliveries;
          graceUntil = Math.min(graceCap, Math.max(graceUntil, nowMs() + 5000));
        }
        const pending = ready.some((c) => c.inFlight[0] + c.inFlight[1] > 0);
        let missing = false;
        for (const r of sent.values()) if (r.acked && r.received === 0) { missing = true; break; }
        if (!pending && !missing) break;
        await sleep(200);
      }
      await sleep(300); // a late duplicate would arrive right behind the original
      running = false;

      let totalAcked = 0;
      let lost = 0;
      let duplicated = 0;
      for (const r of sent.values()) {
        if (r.acked) totalAcked++;
        if (r.acked && r.received === 0) lost++;
        if (r.received > 1) duplicated++;
      }
      for (const [k, v] of Object.entries(setupErrors)) ackErrors[`setup: ${k}`] = v;
      return {
        kind: 'steady',
        setupMs: Math.round(setupMs),
        chatsStarted: chats.length,
        chatsAssigned: ready.length,
        windowMs: job.durationMs,
        offered,
        sent: sentInWindow,
        skipped,
        acked: ackedInWindow,
        ackErrors,
        delivered,
        totalAcked,
        lost,
        duplicated,
        v2a: v2a.toJSON(),
        a2v: a2v.toJSON(),
        ack: ack.toJSON(),
        disconnects,
      };
    },
  };
}

// ─── burst ─────────────────────────────────────────────────────────────────────────────────────

export async function prepareBurst(job: BurstJob): Promise<Prepared> {
  const sockets: Socket[] = [];
  const assignedAt = new Map<string, number>();
  const agents = await connectAgents(job.mode, job.urls, job.team);
  sockets.push(...agents);
  for (const agent of agents) agent.on('conversation:assigned', (c: { id: string }) => assignedAt.set(c.id, nowMs()));
  await goAvailable(agents);
  // Visitors are connected before the burst: the burst is K chat requests, not K handshakes.
  const visitors: Socket[] = new Array(job.requests);
  await pool(
    Array.from({ length: job.requests }, (_, i) => i),
    40,
    async (i) => {
      const url = job.urls[i % job.urls.length]!;
      visitors[i] = await connectVisitor(url, await tokenFor(job.mode, url));
      sockets.push(visitors[i]!);
    },
  );
  return {
    close: () => sockets.forEach((s) => s.close()),
    async run() {
      const emittedAt: number[] = [];
      const conversationOf: (string | null)[] = new Array(job.requests).fill(null);
      const ackHist = new Histogram();
      const ackErrors: Record<string, number> = {};
      const start = nowMs();
      let emitted = 0;
      const acks: Promise<void>[] = [];
      await new Promise<void>((resolve) => {
        const tick = setInterval(() => {
          const due = Math.min(job.requests, Math.floor(((nowMs() - start) / job.windowMs) * job.requests) + 1);
          for (; emitted < due; emitted++) {
            const i = emitted;
            emittedAt[i] = nowMs();
            acks.push(
              ask<{ conversation: { id: string } }>(visitors[i]!, 'conversation:start', {
                clientId: clientId(job.index, 'r', i),
                departmentId: job.team.departmentId,
                language: 'de',
                name: `Burst ${job.index}-${i}`,
                text: 'Schnelle Frage',
              }).then(
                (d) => {
                  conversationOf[i] = d.conversation.id;
                  ackHist.record(nowMs() - emittedAt[i]!);
                },
                (e: unknown) => countError(ackErrors, e),
              ),
            );
          }
          if (emitted >= job.requests) {
            clearInterval(tick);
            resolve();
          }
        }, 1);
      });
      const spreadMs = emittedAt[job.requests - 1]! - emittedAt[0]!;
      await Promise.all(acks);
      const done = () => conversationOf.every((c) => c === null || assignedAt.has(c));
      for (const until = nowMs() + job.timeoutMs; nowMs() < until && !done(); ) await sleep(50);
      const assign = new Histogram();
      let assigned = 0;
      conversationOf.forEach((c, i) => {
        const at = c === null ? undefined : assignedAt.get(c);
        if (at !== undefined) {
          assigned++;
          // The push can beat the ack; both orders are fine since times are kept per conversation.
          assign.record(at - emittedAt[i]!);
        }
      });
      return {
        kind: 'burst',
        requested: job.requests,
        acked: conversationOf.filter((c) => c !== null).length,
        ackErrors,
        assigned,
        spreadMs: Math.round(spreadMs),
        assign: assign.toJSON(),
        ack: ackHist.toJSON(),
      };
    },
  };
}

// ─── idle ──────────────────────────────────────────────────────────────────────────────────────

export async function prepareIdle(job: IdleJob): Promise<Prepared> {
  const sockets: Socket[] = [];
  // Tokens first (they cost the server a database row, not a socket), so the RSS the orchestrator
  // reads before `run` already includes that work.
  const tokens: (string | null)[] = new Array(job.sockets).fill(null);
  await pool(
    Array.from({ length: job.sockets }, (_, i) => i),
    40,
    async (i) => void (tokens[i] = await tokenFor(job.mode, job.urls[i % job.urls.length]!)),
  );
  let next = 0;
  const errors: Record<string, number> = {};
  return {
    close: () => sockets.forEach((s) => s.close()),
    // Each call connects the next `sockets / steps` visitors and keeps them open, so the
    // orchestrator can read RSS between steps and take the marginal cost per socket.
    async run() {
      const end = Math.min(job.sockets, next + Math.ceil(job.sockets / job.steps));
      const batch = Array.from({ length: end - next }, (_, k) => next + k);
      next = end;
      await pool(batch, 50, async (i) => {
        try {
          sockets.push(await connectVisitor(job.urls[i % job.urls.length]!, tokens[i]!));
        } catch (e) {
          countError(errors, e);
        }
      });
      return { kind: 'idle', connected: sockets.length, failed: next - sockets.length, errors };
    },
  };
}
