import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const origin = z.url().transform((u, ctx) => {
  const parsed = new URL(u);
  if (parsed.origin === 'null') {
    ctx.addIssue({ code: 'custom', message: `"${u}" has no origin (expected http(s)://host[:port])` });
    return z.NEVER;
  }
  return parsed.origin;
});

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().min(1).default('data'),
  DATABASE_URL: z
    .string()
    .regex(/^(mysql|mariadb):\/\//, 'expected mysql://user:password@host:3306/database')
    .optional(),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected redis://host:6379').optional(),
  REDIS_PREFIX: z.string().min(1).max(64).default('zentrale:'),
  NODE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)').optional(),
  NODE_DEAD_AFTER_SECONDS: z.coerce.number().int().min(3).max(600).default(15),
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(origin)),
  SECRET_KEY: z.string().min(32, 'at least 32 characters of random data').optional(),
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters of random data').optional(),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(12),
  VISITOR_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(400).default(30),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(10),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(10).max(86400).default(900),
  TRUST_PROXY: z.string().default('false'),
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(100 * 1024),
  SOCKET_EVENTS_PER_10S: z.coerce.number().int().min(1).max(100_000).default(200),
  SOCKET_EVENTS_PER_VISITOR_PER_10S: z.coerce.number().int().min(1).max(1_000_000).default(300),
  SOCKET_EVENTS_PER_STAFF_PER_10S: z.coerce.number().int().min(1).max(1_000_000).default(600),
  SOCKET_EVENTS_PER_ADDRESS_PER_10S: z.coerce.number().int().min(1).max(10_000_000).default(3000),
  CONNECTIONS_PER_VISITOR: z.coerce.number().int().min(1).max(100_000).default(10),
  CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(100),
  CONNECTIONS_PER_STAFF: z.coerce.number().int().min(1).max(100_000).default(20),
  EVENT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(10),
  SESSION_RECHECK_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(100_000).default(32),
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_LOG_SQL: bool.default(false),
  SERVE_CLIENT: bool.default(true),
  PRESENCE_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  AUTO_AWAY_ON_MISSED_OFFER: bool.default(true),
  REOFFER_AFTER_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  DEFAULT_HANDLE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  ROUTING_TICK_MS: z.coerce.number().int().min(20).max(10_000).default(250),
  TRANSFER_TIMEOUT_SECONDS: z.coerce.number().int().min(10).max(600).default(60),
  ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(10 * 1024 * 1024),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'expected smtp://user:password@host:587 or smtps://…:465').optional(),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASS: z.string().min(1).optional(),
  SMTP_SECURE: bool.optional(),
  MAIL_FROM: z.string().min(3).max(254).optional(),
  TICKET_NUMBER_PREFIX: z.string().regex(/^[A-Z]{1,8}$/, '1-8 capital letters').default('ZT'),
  TICKET_LINK_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
  PUBLIC_TICKET_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  // Quotas on what anonymous visitors may create (docs/limits.md).
  VISITOR_SESSIONS_PER_ADDRESS_PER_10MIN: z.coerce.number().int().min(1).max(10_000_000).default(60),
  VISITOR_SESSIONS_PER_10MIN: z.coerce.number().int().min(1).max(100_000_000).default(6000),
  OPEN_CHATS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(10),
  CHAT_STARTS_PER_ADDRESS_PER_10MIN: z.coerce.number().int().min(1).max(10_000_000).default(30),
  CHAT_STARTS_PER_10MIN: z.coerce.number().int().min(1).max(100_000_000).default(3000),
  TICKETS_PER_VISITOR_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(5),
  TICKETS_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).max(10_000_000).default(30),
  TICKETS_PER_HOUR: z.coerce.number().int().min(1).max(100_000_000).default(1000),
  ATTACHMENT_BYTES_PER_CONVERSATION: z.coerce.number().int().min(1024).max(2 ** 50).default(25 * 1024 * 1024),
  ATTACHMENT_BYTES_PER_VISITOR_PER_DAY: z.coerce.number().int().min(1024).max(2 ** 50).default(50 * 1024 * 1024),
  ATTACHMENT_BYTES_PER_ADDRESS_PER_DAY: z.coerce.number().int().min(1024).max(2 ** 50).default(200 * 1024 * 1024),
  ATTACHMENT_BYTES_PER_DAY: z.coerce.number().int().min(1024).max(2 ** 50).default(2 * 1024 * 1024 * 1024),
  VOICEMAILS_PER_VISITOR_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(3),
  VOICEMAILS_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).max(10_000_000).default(20),
  VOICEMAIL_BYTES_PER_ADDRESS_PER_DAY: z.coerce.number().int().min(2 * 1024 * 1024, 'at least one recording (2 MiB)').max(2 ** 50).default(50 * 1024 * 1024),
  VOICEMAIL_BYTES_PER_DAY: z.coerce.number().int().min(2 * 1024 * 1024, 'at least one recording (2 MiB)').max(2 ** 50).default(1024 * 1024 * 1024),
  MAILS_PER_RECIPIENT_PER_DAY: z.coerce.number().int().min(1).max(1_000_000).default(3),
  MAILS_PER_VISITOR_PER_DAY: z.coerce.number().int().min(1).max(1_000_000).default(5),
  MAILS_PER_ADDRESS_PER_DAY: z.coerce.number().int().min(1).max(10_000_000).default(30),
  MAILS_PER_DAY: z.coerce.number().int().min(1).max(100_000_000).default(1000),
  SLA_WARN_PERCENT: z.coerce.number().int().min(1).max(99).default(80),
  VOICE_ENABLED: bool.default(true),
  VOICE_WORKERS: z.coerce.number().int().min(1).max(256).optional(),
  VOICE_LISTEN_IP: z.union([z.ipv4(), z.ipv6()], { message: 'expected an IP address such as 0.0.0.0' }).default('127.0.0.1'),
  VOICE_ANNOUNCED_ADDRESS: z.string().min(1).max(253).optional(),
  VOICE_PORT_MIN: z.coerce.number().int().min(1024).max(65535).default(40000),
  VOICE_PORT_MAX: z.coerce.number().int().min(1024).max(65535).default(49999),
  VOICE_ICE_SERVERS: z.string().optional(),
  VOICE_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
  COMMUNITY_POSTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(6),
  COMMUNITY_POSTS_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  COMMUNITY_REPORTS_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(20),
  VOICE_RING_SECONDS: z.coerce.number().int().min(1).max(600).default(45),
});

const iceServersSchema = z
  .array(z.object({ urls: z.union([z.string().regex(/^(stun|turns?):/), z.array(z.string().regex(/^(stun|turns?):/)).min(1)]), username: z.string().optional(), credential: z.string().optional() }))
  .max(8);

export type Env = z.input<typeof envSchema>;

/** The numbers behind every quota on anonymous creation (server/src/visitors/quotas.ts, docs/limits.md). */
export interface VisitorQuotaSettings {
  sessionsPerAddressPer10Min: number;
  sessionsPer10Min: number;
  openChatsPerAddress: number;
  chatStartsPerAddressPer10Min: number;
  chatStartsPer10Min: number;
  ticketsPerVisitorPerHour: number;
  ticketsPerAddressPerHour: number;
  ticketsPerHour: number;
  attachmentBytesPerConversation: number;
  attachmentBytesPerVisitorPerDay: number;
  attachmentBytesPerAddressPerDay: number;
  attachmentBytesPerDay: number;
  voicemailsPerVisitorPerHour: number;
  voicemailsPerAddressPerHour: number;
  voicemailBytesPerAddressPerDay: number;
  voicemailBytesPerDay: number;
  mailsPerRecipientPerDay: number;
  mailsPerVisitorPerDay: number;
  mailsPerAddressPerDay: number;
  mailsPerDay: number;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** Where people reach this server; used for links and as the console's own origin. */
  publicUrl: string;
  dataDir: string;
  database: { kind: 'sqlite'; storage: string } | { kind: 'mysql'; url: string };
  dbPoolMax: number;
  dbLogSql: boolean;
  redisUrl: string | null;
  /** Key prefix of everything zentrale keeps in Redis (several installations may share one Redis). */
  redisPrefix: string;
  /** This process's name in the cluster; connection ids and heartbeats carry it. */
  nodeId: string;
  /** A node silent this long is dead: its agents' connections are dropped. */
  nodeDeadAfterMs: number;
  /** Sites allowed to embed the widget and call the visitor API from the browser. */
  allowedOrigins: string[];
  secretKey: string | null;
  /** Bearer token /metrics asks for; without one, /metrics answers requests from this machine only. */
  metricsToken: string | null;
  sessionTtlHours: number;
  visitorTokenTtlDays: number;
  loginMaxAttempts: number;
  loginWindowSeconds: number;
  trustProxy: boolean | number | string;
  cookieSecure: boolean;
  maxPayloadBytes: number;
  /** Budget of events one connection may send per 10 seconds. */
  socketEventsPer10s: number;
  /** Budgets shared by all connections of one visitor, staff member or (visitors') address, per 10 s. */
  socketEventsPerVisitorPer10s: number;
  socketEventsPerStaffPer10s: number;
  socketEventsPerAddressPer10s: number;
  /** Open connections at once (all nodes, /visitor and /community together for visitors). */
  connections: { perVisitor: number; perAddress: number; perStaff: number };
  /** An event not answered within this time is answered UNAVAILABLE (a dependency hangs). */
  eventTimeoutMs: number;
  /** Live console connections re-check their session at least this often. */
  sessionRecheckMs: number;
  /** Password hashes running at once, and waiting; past that a login is refused (503). */
  passwordHash: { concurrency: number; queue: number };
  /** A Redis command not answered within this time fails (UNAVAILABLE) instead of waiting. */
  redisCommandTimeoutMs: number;
  shutdownTimeoutMs: number;
  logLevel: string;
  serveClient: boolean;
  routing: {
    presenceGraceMs: number;
    autoAwayOnMissedOffer: boolean;
    reofferAfterMs: number;
    tickMs: number;
    /** Average handle time assumed for wait estimates until there is real history. */
    defaultHandleSeconds: number;
    /** How long a colleague has to answer a warm transfer before the requester keeps the chat. */
    transferTimeoutMs: number;
  };
  attachmentMaxBytes: number;
  /** Outgoing mail; null transport: no mail is sent (the server says so at start). */
  mail: {
    transport: string | { host: string; port: number; secure: boolean; auth?: { user: string; pass: string } } | null;
    from: string;
  };
  community: {
    /** Posts one visitor may make per minute, and all visitors from one address (an office shares it). */
    postsPerMinute: number;
    postsPerAddressPerMinute: number;
    reportsPerHour: number;
  };
  voice: {
    enabled: boolean;
    /** mediasoup workers (one process each); never more than the machine's cores. */
    workers: number;
    listenIp: string;
    /** The address clients are told to send media to (the public IP or host name behind NAT); null: listenIp. */
    announcedAddress: string | null;
    portMin: number;
    portMax: number;
    /** STUN/TURN servers handed to browsers (for clients behind restrictive firewalls). */
    iceServers: Array<{ urls: string | string[]; username?: string; credential?: string }>;
    logLevel: 'debug' | 'warn' | 'error' | 'none';
    /** A call nobody answers (only one side ever joined) ends after this long. */
    ringMs: number;
  };
  tickets: {
    /** Ticket numbers read PREFIX-YEAR-NNNNNN. */
    numberPrefix: string;
    /** A tracking link works this long after the last public reply (or creation). */
    linkTtlDays: number;
    /** Requests one address may make to the public tracking API per minute. */
    publicRequestsPerMinute: number;
    /** An SLA target is "approaching" once this share of its time has passed. */
    slaWarnPercent: number;
  };
  /** What anonymous visitors may create, per visitor, address, recipient and installation (docs/limits.md). */
  quotas: VisitorQuotaSettings;
}

const SECRET_VARIABLES = /SECRET|TOKEN|PASS|_URL$/;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parseTrustProxy(raw: string): boolean | number | string {
  if (raw === 'true') return true;
  if (raw === 'false' || raw === '') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw; // a list of subnets, as Express understands it
}

/** Reads and validates the environment. Throws ConfigError naming every wrong variable. */
export function loadConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? '?');
        const given = env[name];
        // Secrets (and URLs, which may carry a password) are never echoed into logs.
        const shown = given === undefined ? '' : SECRET_VARIABLES.test(name) ? ' (given value not shown)' : ` (given "${given}")`;
        return `${name}${shown}: ${i.message}`;
      }),
    );
  }
  const e = parsed.data;
  if (e.REDIS_URL && !e.SECRET_KEY) {
    throw new ConfigError(['SECRET_KEY: required when REDIS_URL is set (every node must sign visitor tokens with the same key)']);
  }
  if (e.SMTP_URL && e.SMTP_HOST) throw new ConfigError(['SMTP_HOST: give either SMTP_URL or SMTP_HOST (with SMTP_PORT, SMTP_USER, SMTP_PASS, SMTP_SECURE), not both']);
  if ((e.SMTP_USER === undefined) !== (e.SMTP_PASS === undefined)) throw new ConfigError(['SMTP_USER/SMTP_PASS: give both or neither']);
  // A byte budget below the largest single file would refuse every such file: a mistake, not a policy.
  for (const name of ['ATTACHMENT_BYTES_PER_CONVERSATION', 'ATTACHMENT_BYTES_PER_VISITOR_PER_DAY', 'ATTACHMENT_BYTES_PER_ADDRESS_PER_DAY', 'ATTACHMENT_BYTES_PER_DAY'] as const) {
    if (e[name] < e.ATTACHMENT_MAX_BYTES) throw new ConfigError([`${name} (given "${e[name]}"): must not be below ATTACHMENT_MAX_BYTES (${e.ATTACHMENT_MAX_BYTES})`]);
  }
  if (e.VOICE_PORT_MIN > e.VOICE_PORT_MAX) throw new ConfigError([`VOICE_PORT_MIN (given "${e.VOICE_PORT_MIN}"): must not be above VOICE_PORT_MAX (${e.VOICE_PORT_MAX})`]);
  let iceServers: Config['voice']['iceServers'] = [];
  if (e.VOICE_ICE_SERVERS) {
    let raw: unknown;
    try {
      raw = JSON.parse(e.VOICE_ICE_SERVERS);
    } catch {
      throw new ConfigError(['VOICE_ICE_SERVERS: expected JSON such as [{"urls":"turn:turn.example.com:3478","username":"u","credential":"p"}]']);
    }
    const servers = iceServersSchema.safeParse(raw);
    if (!servers.success) throw new ConfigError([`VOICE_ICE_SERVERS: ${servers.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`]);
    iceServers = servers.data;
  }
  const cores = os.availableParallelism();
  if (e.VOICE_WORKERS !== undefined && e.VOICE_WORKERS > cores) throw new ConfigError([`VOICE_WORKERS (given "${e.VOICE_WORKERS}"): at most one worker per core (this machine has ${cores})`]);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    dataDir,
    database: e.DATABASE_URL
      ? { kind: 'mysql', url: e.DATABASE_URL }
      : { kind: 'sqlite', storage: path.join(dataDir, 'zentrale.sqlite') },
    dbPoolMax: e.DB_POOL_MAX,
    dbLogSql: e.DB_LOG_SQL,
    redisUrl: e.REDIS_URL ?? null,
    redisPrefix: e.REDIS_PREFIX,
    nodeId: e.NODE_ID ?? `${os.hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40)}-${process.pid}-${randomBytes(2).toString('hex')}`,
    nodeDeadAfterMs: e.NODE_DEAD_AFTER_SECONDS * 1000,
    allowedOrigins: e.ALLOWED_ORIGINS,
    secretKey: e.SECRET_KEY ?? null,
    metricsToken: e.METRICS_TOKEN ?? null,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    visitorTokenTtlDays: e.VISITOR_TOKEN_TTL_DAYS,
    loginMaxAttempts: e.LOGIN_MAX_ATTEMPTS,
    loginWindowSeconds: e.LOGIN_WINDOW_SECONDS,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    cookieSecure: e.COOKIE_SECURE === 'auto' ? publicUrl.startsWith('https:') : e.COOKIE_SECURE === 'true',
    maxPayloadBytes: e.MAX_PAYLOAD_BYTES,
    socketEventsPer10s: e.SOCKET_EVENTS_PER_10S,
    socketEventsPerVisitorPer10s: e.SOCKET_EVENTS_PER_VISITOR_PER_10S,
    socketEventsPerStaffPer10s: e.SOCKET_EVENTS_PER_STAFF_PER_10S,
    socketEventsPerAddressPer10s: e.SOCKET_EVENTS_PER_ADDRESS_PER_10S,
    connections: { perVisitor: e.CONNECTIONS_PER_VISITOR, perAddress: e.CONNECTIONS_PER_ADDRESS, perStaff: e.CONNECTIONS_PER_STAFF },
    eventTimeoutMs: e.EVENT_TIMEOUT_SECONDS * 1000,
    sessionRecheckMs: e.SESSION_RECHECK_SECONDS * 1000,
    passwordHash: { concurrency: e.PASSWORD_HASH_CONCURRENCY ?? cores, queue: e.PASSWORD_HASH_QUEUE },
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    serveClient: e.SERVE_CLIENT,
    routing: {
      presenceGraceMs: e.PRESENCE_GRACE_SECONDS * 1000,
      autoAwayOnMissedOffer: e.AUTO_AWAY_ON_MISSED_OFFER,
      reofferAfterMs: e.REOFFER_AFTER_SECONDS * 1000,
      tickMs: e.ROUTING_TICK_MS,
      defaultHandleSeconds: e.DEFAULT_HANDLE_SECONDS,
      transferTimeoutMs: e.TRANSFER_TIMEOUT_SECONDS * 1000,
    },
    attachmentMaxBytes: e.ATTACHMENT_MAX_BYTES,
    mail: {
      transport: e.SMTP_URL
        ? e.SMTP_URL
        : e.SMTP_HOST
          ? {
              host: e.SMTP_HOST,
              port: e.SMTP_PORT ?? (e.SMTP_SECURE ? 465 : 587),
              secure: e.SMTP_SECURE ?? false,
              ...(e.SMTP_USER ? { auth: { user: e.SMTP_USER, pass: e.SMTP_PASS! } } : {}),
            }
          : null,
      from: e.MAIL_FROM ?? `zentrale <no-reply@${new URL(publicUrl).hostname}>`,
    },
    community: {
      postsPerMinute: e.COMMUNITY_POSTS_PER_MINUTE,
      postsPerAddressPerMinute: e.COMMUNITY_POSTS_PER_ADDRESS_PER_MINUTE,
      reportsPerHour: e.COMMUNITY_REPORTS_PER_HOUR,
    },
    voice: {
      enabled: e.VOICE_ENABLED,
      workers: e.VOICE_WORKERS ?? cores,
      listenIp: e.VOICE_LISTEN_IP,
      announcedAddress: e.VOICE_ANNOUNCED_ADDRESS ?? null,
      portMin: e.VOICE_PORT_MIN,
      portMax: e.VOICE_PORT_MAX,
      iceServers,
      logLevel: e.VOICE_LOG_LEVEL,
      ringMs: e.VOICE_RING_SECONDS * 1000,
    },
    tickets: {
      numberPrefix: e.TICKET_NUMBER_PREFIX,
      linkTtlDays: e.TICKET_LINK_TTL_DAYS,
      publicRequestsPerMinute: e.PUBLIC_TICKET_REQUESTS_PER_MINUTE,
      slaWarnPercent: e.SLA_WARN_PERCENT,
    },
    quotas: {
      sessionsPerAddressPer10Min: e.VISITOR_SESSIONS_PER_ADDRESS_PER_10MIN,
      sessionsPer10Min: e.VISITOR_SESSIONS_PER_10MIN,
      openChatsPerAddress: e.OPEN_CHATS_PER_ADDRESS,
      chatStartsPerAddressPer10Min: e.CHAT_STARTS_PER_ADDRESS_PER_10MIN,
      chatStartsPer10Min: e.CHAT_STARTS_PER_10MIN,
      ticketsPerVisitorPerHour: e.TICKETS_PER_VISITOR_PER_HOUR,
      ticketsPerAddressPerHour: e.TICKETS_PER_ADDRESS_PER_HOUR,
      ticketsPerHour: e.TICKETS_PER_HOUR,
      attachmentBytesPerConversation: e.ATTACHMENT_BYTES_PER_CONVERSATION,
      attachmentBytesPerVisitorPerDay: e.ATTACHMENT_BYTES_PER_VISITOR_PER_DAY,
      attachmentBytesPerAddressPerDay: e.ATTACHMENT_BYTES_PER_ADDRESS_PER_DAY,
      attachmentBytesPerDay: e.ATTACHMENT_BYTES_PER_DAY,
      voicemailsPerVisitorPerHour: e.VOICEMAILS_PER_VISITOR_PER_HOUR,
      voicemailsPerAddressPerHour: e.VOICEMAILS_PER_ADDRESS_PER_HOUR,
      voicemailBytesPerAddressPerDay: e.VOICEMAIL_BYTES_PER_ADDRESS_PER_DAY,
      voicemailBytesPerDay: e.VOICEMAIL_BYTES_PER_DAY,
      mailsPerRecipientPerDay: e.MAILS_PER_RECIPIENT_PER_DAY,
      mailsPerVisitorPerDay: e.MAILS_PER_VISITOR_PER_DAY,
      mailsPerAddressPerDay: e.MAILS_PER_ADDRESS_PER_DAY,
      mailsPerDay: e.MAILS_PER_DAY,
    },
  };
}
