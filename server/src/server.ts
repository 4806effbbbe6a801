import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { Server as SocketServer } from 'socket.io';
import { AGENT_NAMESPACE } from '../../shared/events/agent.js';
import { VISITOR_NAMESPACE } from '../../shared/events/visitor.js';
import { ErrorCode } from '../../shared/errors.js';
import { createLoginLimiter } from './auth/loginLimiter.js';
import { createLimits } from './limits/limits.js';
import { authRoutes } from './auth/routes.js';
import { resolveSecretKey } from './auth/secretKey.js';
import { createSessions } from './auth/sessions.js';
import { createSetup } from './users/setup.js';
import { createVisitorTokens } from './auth/visitorTokens.js';
import { createAttachmentStore } from './attachments/attachmentStore.js';
import { attachmentRoutes } from './attachments/routes.js';
import { createCannedResponses } from './canned/cannedResponses.js';
import { cannedRoutes } from './canned/routes.js';
import { createChatService } from './chat/chatService.js';
import { createMessageStore } from './conversations/messageStore.js';
import { createStartWriter } from './chat/startWriter.js';
import { createMessageWriter } from './conversations/messageWriter.js';
import { createEventLog } from './conversations/eventLog.js';
import { conversationRoutes } from './conversations/routes.js';
import { createTimeline } from './conversations/timeline.js';
import { createConversationViews } from './conversations/views.js';
import type { Config } from './config/config.js';
import { openDatabase, type Database } from './db/database.js';
import { createSqlRunner } from './db/sqlRunner.js';
import { migrate } from './db/migrate.js';
import { createDepartments } from './departments/departments.js';
import { departmentRoutes, publicDepartmentRoutes } from './departments/routes.js';
import { databaseCheck, redisCheck } from './health/checks.js';
import { isRedisUnavailable } from './cluster/redisFailures.js';
import { healthRoutes } from './health/routes.js';
import { createApp } from './http/app.js';
import { clientAssets } from './http/clientAssets.js';
import { devClient } from './http/devClient.js';
import type { Logger } from './log/logger.js';
import { createMailer } from './mail/mailer.js';
import { createOutbox, type Outbox } from './mail/outbox.js';
import { createTranscripts } from './mail/transcripts.js';
import { createMetrics } from './metrics/metrics.js';
import { createHandleTimes } from './routing/handleTimes.js';
import { createMemoryRoutingStore } from './routing/memoryRoutingStore.js';
import { createRedisRoutingStore } from './routing/redis/redisRoutingStore.js';
import { connectRedisCluster } from './cluster/redisCluster.js';
import { createNotifier } from './routing/notifier.js';
import { createBus } from './events/bus.js';
import { subscribeChatPushes } from './socket/pushes/chat.js';
import { subscribeTicketPushes } from './socket/pushes/tickets.js';
import { subscribeTransferPushes } from './socket/pushes/transfers.js';
import { subscribeResyncPushes } from './socket/pushes/resync.js';
import { createRoutingEngine, type RoutingEngine } from './routing/routingEngine.js';
import { setupAgentNamespace, type AgentNamespace } from './socket/agentNamespace.js';
import { createConnectionGate } from './socket/connectionGate.js';
import { createEventLimits } from './socket/eventBudgets.js';
import { createSessionGuard, type SessionGuard } from './socket/sessionGuard.js';
import { createMemoryConnectionCounter, createRedisConnectionCounter } from './limits/connectionCounter.js';
import { createHashGate, type HashGate } from './auth/hashGate.js';
import { Inflight } from './socket/inflight.js';
import { setupVisitorNamespace, type VisitorNamespace } from './socket/visitorNamespace.js';
import { createTickets, type Tickets } from './tickets/tickets.js';
import { transferHandlers } from './transfer/handlers.js';
import { cannedHandlers } from './canned/handlers.js';
import { agentChatHandlers } from './chat/agentHandlers.js';
import { visitorChatHandlers } from './chat/visitorHandlers.js';
import { presenceHandlers } from './presence/handlers.js';
import { routingHandlers } from './routing/agentHandlers.js';
import { createTransfers, type Transfers } from './transfer/transfers.js';
import { userRoutes } from './users/routes.js';
import { createUsers } from './users/users.js';
import { visitorRoutes } from './visitors/routes.js';
import { createVisitors } from './visitors/visitors.js';
import { createVisitorQuotas } from './visitors/quotas.js';
import { createChatStartQuota } from './visitors/chatQuota.js';
import { createMailGate } from './mail/gate.js';
import { createVoice, type Voice } from './voice/voice.js';
import { voicemailRoutes } from './voice/voicemail.js';
import { createCommunity, type Community } from './community/community.js';
import { communityHandlers } from './community/handlers.js';
import { communityRoutes } from './community/routes.js';
import { setupCommunityNamespace, type CommunityNamespace } from './community/namespace.js';
import { COMMUNITY_NAMESPACE } from '../../shared/events/community.js';

export const ROOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Zentrale {
  config: Config;
  db: Database;
  httpServer: HttpServer;
  io: SocketServer;
  engine: RoutingEngine;
  transfers: Transfers;
  tickets: Tickets;
  outbox: Outbox;
  voice: Voice;
  community: Community;
  /** Bounds password hashing (logins). */
  hashGate: HashGate;
  /** Re-checks live console connections against their sessions. */
  sessionGuard: SessionGuard;
  /** Starts listening; resolves with the bound URL (useful with PORT=0). */
  listen(): Promise<string>;
  /** A token for the first-admin form when no user exists yet, else null. */
  setupToken: string | null;
  close(): Promise<void>;
}

/** The composition root: builds every part from config and wires them together. */
export interface ZentraleOptions {
  /** The clock routing, timestamps and timers read; tests pass a controllable one. */
  now?: () => Date;
}

export async function createZentrale(config: Config, log: Logger, options: ZentraleOptions = {}): Promise<Zentrale> {
  const startedAt = new Date();
  const now = options.now ?? (() => new Date());
  const db = await openDatabase(config, log);
  try {
    const applied = await migrate(db.sequelize, db.dialect, log);
    if (applied.length) log.info({ applied }, 'migrations applied');
  } catch (error) {
    await db.close();
    throw error;
  }

  const metrics = createMetrics();
  const inflight = new Inflight();
  const ownOrigin = new URL(config.publicUrl).origin;
  const secretKey = await resolveSecretKey(config.secretKey, config.dataDir, log);
  const sessions = createSessions(db.models, config.sessionTtlHours, now);
  const visitors = createVisitors(db.models, createVisitorTokens(secretKey, config.visitorTokenTtlDays));
  // The event spine: services publish what happened; pushes, voice and mail follow by subscribing.
  const bus = createBus(log.child({ feature: 'bus' }));
  // Cluster mode: routing state, rate limits and broadcasts go through Redis.
  const cluster = config.redisUrl
    ? await connectRedisCluster(config.redisUrl, log.child({ feature: 'redis' }), () => void bus.publish('cluster.resync_required', {}), {
        commandTimeoutMs: config.redisCommandTimeoutMs,
        prefix: config.redisPrefix,
      })
    : null;
  // Every quota and rate limit (server/src/limits): in Redis on a cluster, so budgets hold across nodes.
  const makeLimit = createLimits({ redis: cluster ? { client: cluster.client, prefix: config.redisPrefix } : null }, metrics);
  // What anonymous visitors may create, and the mails they may cause (docs/limits.md).
  const quotas = createVisitorQuotas(makeLimit, config.quotas, log.child({ feature: 'quotas' }));
  const mailGate = createMailGate(quotas.mail, log.child({ feature: 'mail' }));
  const limiter = createLoginLimiter(makeLimit, config.loginMaxAttempts, config.loginWindowSeconds);
  const hashGate = createHashGate(config.passwordHash.concurrency, config.passwordHash.queue);
  const eventLimits = createEventLimits(makeLimit, {
    perConnection: config.socketEventsPer10s,
    perVisitor: config.socketEventsPerVisitorPer10s,
    perStaff: config.socketEventsPerStaffPer10s,
    perAddress: config.socketEventsPerAddressPer10s,
  });
  // Open connections are counted over every node; entries of a node that died expire on their own.
  const connectionTtlMs = 90_000;
  const gate = createConnectionGate(
    cluster ? createRedisConnectionCounter(cluster.client, config.redisPrefix, connectionTtlMs) : createMemoryConnectionCounter(connectionTtlMs),
    { metrics, log: log.child({ feature: 'connections' }), refreshMs: connectionTtlMs / 3, fallback: createMemoryConnectionCounter(connectionTtlMs) },
  );

  // Socket.IO is attached to the HTTP server once the Express app exists (see below).
  const browserOrigins = [ownOrigin, ...config.allowedOrigins];
  const io = new SocketServer({
    maxHttpBufferSize: config.maxPayloadBytes,
    serveClient: false,
    ...(cluster ? { adapter: cluster.adapter } : {}),
    cors: { origin: browserOrigins, credentials: true },
    // CORS does not cover WebSocket upgrades: check the Origin of every handshake here.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      callback(null, origin === undefined || browserOrigins.includes(origin));
    },
  });
  io.of('/').use((_socket, next) => next(new Error(`${ErrorCode.NOT_FOUND}: connect to ${VISITOR_NAMESPACE}, ${AGENT_NAMESPACE} or ${COMMUNITY_NAMESPACE}`)));
  // Each namespace has its own typed event maps from shared/; Socket.IO types io.of() untyped.
  const agents = io.of(AGENT_NAMESPACE) as unknown as AgentNamespace;
  const visitorsNsp = io.of(VISITOR_NAMESPACE) as unknown as VisitorNamespace;

  subscribeChatPushes(bus, agents, visitorsNsp);
  subscribeTicketPushes(bus, agents, visitorsNsp);
  subscribeTransferPushes(bus, agents);
  subscribeResyncPushes(bus, agents, visitorsNsp);
  const notifier = createNotifier(bus);
  const sql = await createSqlRunner(db, log.child({ feature: 'sql' }));
  const events = createEventLog(sql, log, now);
  const views = createConversationViews(db);
  const messages = createMessageStore(createMessageWriter(db, sql, log.child({ feature: 'messages' }), { maxBatch: 500, maxInFlight: 1 }), now);
  const engine = createRoutingEngine({
    db,
    sql,
    store: cluster ? await createRedisRoutingStore(cluster.client, config.redisPrefix) : createMemoryRoutingStore(),
    notifier,
    events,
    views,
    messages,
    handleTimes: createHandleTimes(db.models, config.routing.defaultHandleSeconds, now),
    log: log.child({ feature: 'routing' }),
    now,
    options: { ...config.routing, nodeId: config.nodeId, nodeDeadAfterMs: config.nodeDeadAfterMs },
  });
  const sessionGuard = createSessionGuard({ sessions, namespaces: [io.of(AGENT_NAMESPACE), io.of(COMMUNITY_NAMESPACE)], recheckMs: config.sessionRecheckMs, now, log: log.child({ feature: 'sessions' }) });
  const users = createUsers(
    db.models,
    db,
    async (userId) => {
      await engine.loadAgentProfile(userId);
      engine.kick();
    },
    // Rights taken away are taken from live connections too, on every node.
    async ({ userId, code, keepSessionId }) => {
      if (code !== 'ROLE_CHANGED') await sessions.destroyAllForUser(userId, keepSessionId);
      sessionGuard.endUser(userId, code, keepSessionId);
    },
  );
  const setup = createSetup(db.models, users);
  const departments = createDepartments(db.models, async () => {
    await engine.loadDepartments();
    engine.kick();
  });
  const canned = createCannedResponses(db.models);
  const mailer = createMailer(config.mail, log.child({ feature: 'mail' }));
  if (!mailer.enabled) log.warn('mail is not configured (SMTP_URL or SMTP_HOST): ticket confirmations, reply mails and transcripts are not sent');
  const outbox = createOutbox({
    sequelize: db.sequelize,
    sql,
    mailer,
    log: log.child({ feature: 'mail' }),
    now,
    bus,
  });
  const transcripts = createTranscripts({ db, views, outbox, gate: mailGate, log: log.child({ feature: 'transcripts' }), now });
  const chatQuota = createChatStartQuota({ db, quotas, metrics, now });
  const tickets = createTickets({
    db,
    sql,
    engine,
    messages,
    conversationViews: views,
    notifier,
    events,
    outbox,
    transcripts,
    bus,
    secretKey,
    publicUrl: config.publicUrl,
    tickMs: config.routing.tickMs,
    mailGate,
    ticketQuota: quotas.ticket,
    voicemailQuota: quotas.voicemail,
    log: log.child({ feature: 'tickets' }),
    now,
    options: { numberPrefix: config.tickets.numberPrefix, linkTtlDays: config.tickets.linkTtlDays, slaWarnPercent: config.tickets.slaWarnPercent },
  });
  const chat = createChatService({
    starts: createStartWriter(sql, log.child({ feature: 'chat-start' })),
    db,
    engine,
    messages,
    views,
    notifier,
    events,
    now,
    transcripts,
    fallback: tickets.startFallback,
  });
  tickets.bindChat(chat);
  const memberDepartments = async (userId: number) =>
    (await db.models.DepartmentMember.findAll({ where: { userId }, attributes: ['departmentId'] })).map((m) => m.departmentId);

  const transfers = createTransfers({
    db,
    engine,
    chat,
    messages,
    conversationViews: views,
    notifier,
    bus,
    events,
    unserved: { nobodyAvailable: tickets.nobodyAvailable },
    log: log.child({ feature: 'transfers' }),
    now,
    options: { timeoutMs: config.routing.transferTimeoutMs, reofferAfterMs: config.routing.reofferAfterMs, tickMs: config.routing.tickMs },
  });

  const community = createCommunity({
    sequelize: db.sequelize,
    chat,
    secretKey,
    publicUrl: config.publicUrl,
    limits: config.community,
    staffNames: async () => (await db.models.User.findAll({ attributes: ['name'] })).map((u) => u.name),
    // Cluster: a visitor's budget is the same whichever node they post through.
    makeLimit,
    log: log.child({ feature: 'community' }),
    now,
  });
  const voice = await createVoice({
    config: config.voice,
    db,
    store: engine.store,
    messages,
    notifier,
    agents,
    visitors: visitorsNsp,
    consultParty: transfers.consultParty,
    communityAccess: (roomId, caller) => community.voiceAccess(roomId, caller),
    community: io.of(COMMUNITY_NAMESPACE),
    cluster: cluster ? { redis: cluster.client, prefix: config.redisPrefix, nodeId: config.nodeId } : null,
    metrics,
    log,
  });
  // A conversation that changed hands or closed may take someone out of its call.
  bus.on('conversation.updated', ({ conversation }) =>
    voice.ops.recheck(conversation.id).catch((error: unknown) => log.error({ err: error, conversationId: conversation.id }, 'voice recheck failed')),
  );

  // Each feature brings its handlers per namespace; the namespaces bind them to every connection.
  setupVisitorNamespace(visitorsNsp, {
    authenticate: (token) => visitors.authenticate(token),
    handlers: { ...visitorChatHandlers(chat, chatQuota), ...tickets.visitorHandlers(), ...voice.visitorHandlers() },
    disconnected: voice.ops.disconnected,
    log,
    metrics,
    events: eventLimits,
    gate,
    connections: config.connections,
    eventTimeoutMs: config.eventTimeoutMs,
    inflight,
    trustProxy: config.trustProxy,
  });
  setupAgentNamespace(agents, {
    sessions,
    handlers: {
      ...presenceHandlers(engine),
      ...routingHandlers(engine, memberDepartments, (agentId, autoAccept, socketId) => notifier.preferencesChanged(agentId, { autoAccept }, socketId)),
      ...agentChatHandlers(chat, engine),
      ...transferHandlers(transfers),
      ...tickets.agentHandlers(),
      ...voice.agentHandlers(),
      ...cannedHandlers(canned, memberDepartments),
    },
    connection: {
      departments: memberDepartments,
      conversations: async (agentId) => ({
        active: (await db.models.Conversation.findAll({ where: { assignedAgentId: agentId, status: 'active' }, attributes: ['id'] })).map((c) => c.id),
        followed: await transfers.followed(agentId),
      }),
      connected: async (agentId, socketId) => {
        await engine.agentConnected(agentId, socketId);
      },
      disconnected: (agentId, socketId) => engine.agentDisconnected(agentId, socketId),
      call: voice.ops.call,
      leftVoice: voice.ops.disconnected,
    },
    consoleOrigins: [ownOrigin],
    log,
    metrics,
    events: eventLimits,
    gate,
    connectionsPerStaff: config.connections.perStaff,
    guard: sessionGuard,
    eventTimeoutMs: config.eventTimeoutMs,
    inflight,
  });

  setupCommunityNamespace(
    io.of(COMMUNITY_NAMESPACE) as unknown as CommunityNamespace,
    { community, visitors, sessions, consoleOrigins: [ownOrigin], trustProxy: config.trustProxy,
      log,
      metrics,
      events: eventLimits,
      gate,
      connections: config.connections,
      guard: sessionGuard,
      eventTimeoutMs: config.eventTimeoutMs,
      inflight,
      voiceGone: voice.ops.disconnected },
    communityHandlers(community, voice.ops),
  );

  const health = healthRoutes({
    checks: [databaseCheck(db), ...(cluster ? [redisCheck(cluster.ready, () => cluster.client.ping())] : [])],
    metrics,
    sessions,
    metricsToken: config.metricsToken,
    startedAt,
    node: { nodeId: config.nodeId, database: db.dialect, cluster: cluster !== null, voice: voice.status },
    log: log.child({ feature: 'health' }),
  });
  const attachmentFiles = createAttachmentStore(config.dataDir);
  const dev = config.env === 'development' ? await devClient(ROOT_DIR) : null;
  const app = createApp(config, log, metrics, {
    ops: health.ops,
    visitorApi: [
      publicDepartmentRoutes(db.models, now, voice.status),
      visitorRoutes(visitors, quotas),
      voicemailRoutes({ db, files: attachmentFiles, tickets: tickets.voicemail, visitors, log: log.child({ feature: 'voicemail' }) }),
      tickets.publicRoutes(makeLimit({ name: 'public-ticket-requests-per-address', points: config.tickets.publicRequestsPerMinute, durationSeconds: 60 })),
    ],
    agentApi: [
      authRoutes({
        models: db.models,
        sessions,
        setup,
        limiter,
        hashGate,
        log,
        cookie: { secure: config.cookieSecure, ttlHours: config.sessionTtlHours },
        onSignedOut: (sessionId) => sessionGuard.endSession(sessionId, 'SIGNED_OUT'),
      }),
      userRoutes(users, sessions),
      health.admin,
      communityRoutes(community, sessions),
      departmentRoutes(departments, sessions),
      cannedRoutes(canned, sessions, memberDepartments),
      conversationRoutes({ db, sessions, timeline: createTimeline(db), wasParty: transfers.participant }),
      tickets.adminRoutes(sessions),
      attachmentRoutes({
        db,
        files: attachmentFiles,
        chat,
        messages,
        notifier,
        sessions,
        visitors,
        maxBytes: config.attachmentMaxBytes,
        quota: quotas.attachment,
        ticketThreadReadable: tickets.mayReadThread,
        log,
      }),
    ],
    // SERVE_CLIENT=false: an API-only node (the client is served from a CDN or another node).
    client: dev ? dev.router : config.serveClient ? clientAssets(path.join(ROOT_DIR, 'dist', 'client')) : Router(),
  });
  // Express answers every request Socket.IO does not take: engine.io wraps the listener when it attaches.
  const httpServer = createHttpServer(app);
  io.attach(httpServer);

  await engine.heartbeat();
  await engine.ensureState();
  engine.start();
  transfers.start();
  tickets.start();
  outbox.start();
  outbox.kick();
  if (cluster) log.info({ nodeId: config.nodeId }, 'cluster mode: state and broadcasts through Redis');

  const purge = setInterval(() => {
    sessions.purgeExpired().catch((error: unknown) => log.warn({ err: error }, 'purging expired sessions failed'));
    chatQuota.prune().catch((error: unknown) => log.warn({ err: error }, 'purging chat origins failed'));
  }, 3600_000);
  purge.unref();

  const setupToken = await setup.prepare();
  let closing: Promise<void> | null = null;

  return {
    config,
    db,
    httpServer,
    io,
    engine,
    transfers,
    tickets,
    outbox,
    voice,
    community,
    hashGate,
    sessionGuard,
    setupToken,
    listen: () =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          const { port } = httpServer.address() as AddressInfo;
          resolve(`http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`);
        });
      }),
    close: () => {
      closing ??= (async () => {
        clearInterval(purge);
        sessionGuard.stop();
        gate.stop();
        await engine.stop();
        transfers.stop();
        tickets.stop();
        // Stop taking new connections, let in-flight acks finish, then close the transports. Clients
        // see a transport close (not a server disconnect) and so reconnect, to another node if any.
        // Keep-alive HTTP connections of open pages would hold close() forever: cut them after the timeout.
        const forced = setTimeout(() => httpServer.closeAllConnections(), config.shutdownTimeoutMs);
        const httpClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        httpServer.closeIdleConnections();
        const drained = await inflight.drain(config.shutdownTimeoutMs);
        if (!drained) log.warn('shutdown: socket work still in flight after the timeout');
        // Calls end while the database is still there to record it; disconnects that follow find nothing to do.
        await voice.close();
        void io.close().catch(() => undefined);
        httpServer.closeIdleConnections();
        await httpClosed;
        clearTimeout(forced);
        await dev?.close();
        await cluster?.close();
        await outbox.stop();
        await db.close();
        log.info('shutdown complete');
      })();
      return closing;
    },
  };
}
