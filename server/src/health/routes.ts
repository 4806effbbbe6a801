import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import { ok } from '../../../shared/ack.js';
import type { VoiceStatus } from '../../../shared/schemas/voice.js';
import { requireUser } from '../auth/middleware.js';
import type { Sessions } from '../auth/sessions.js';
import type { Dialect } from '../db/database.js';
import { ForbiddenError, UnauthenticatedError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { VERSION } from '../version.js';
import type { CheckResult, HealthCheck } from './checks.js';

export interface HealthDeps {
  /** What this node depends on; any failing makes it `degraded` (503). */
  checks: HealthCheck[];
  metrics: Metrics;
  sessions: Sessions;
  /** METRICS_TOKEN: when set, /metrics wants it as a Bearer token; when not, it answers this machine only. */
  metricsToken: string | null;
  startedAt: Date;
  node: { nodeId: string; database: Dialect; cluster: boolean; voice: () => VoiceStatus };
  log: Logger;
  /** A check not done within this long counts as failing (a hung database must not hang the probe). */
  checkTimeoutMs?: number;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/**
 * A request straight from this machine: the TCP peer is a loopback address and no proxy forwarded
 * it (a reverse proxy on the same host connects from loopback too, but says so in its headers).
 */
function fromThisMachine(req: Request): boolean {
  const forwarded = req.headers['forwarded'] ?? req.headers['x-forwarded-for'] ?? req.headers['x-real-ip'];
  return forwarded === undefined && LOOPBACK.test(req.socket.remoteAddress ?? '');
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * GET /health (public): only whether this node works, `ok` or `degraded` with the names of the
 * failing checks, for load balancers and probes. GET /api/admin/health (admins): the details —
 * node, database, cluster, voice, uptime, each check and why it fails. Neither names server paths,
 * hosts or process ids to clients; the start banner and the log have the full story.
 * GET /metrics: Prometheus text, protected as docs/deployment.md describes.
 */
export function healthRoutes(deps: HealthDeps): { ops: Router; admin: Router } {
  const timeoutMs = deps.checkTimeoutMs ?? 5000;
  const lastOk = new Map<string, boolean>();

  async function runOne(c: HealthCheck): Promise<CheckResult & { name: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<CheckResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    });
    const checked = c.check().catch((error: unknown): CheckResult => {
      deps.log.error({ err: error, check: c.name }, 'health check threw');
      return { ok: false, reason: 'the check failed' };
    });
    const result = await Promise.race([checked, timedOut]);
    clearTimeout(timer);
    // Probes ask every few seconds: log when a check changes, not on every ask.
    if (lastOk.get(c.name) !== result.ok) {
      if (result.ok) {
        if (lastOk.has(c.name)) deps.log.info({ check: c.name }, 'health check ok again');
      } else deps.log.warn({ check: c.name, reason: result.reason }, 'health check failing');
      lastOk.set(c.name, result.ok);
    }
    return { name: c.name, ...result };
  }

  async function runAll() {
    const checks = await Promise.all(deps.checks.map(runOne));
    const failing = checks.filter((c) => !c.ok).map((c) => c.name);
    return { status: failing.length ? ('degraded' as const) : ('ok' as const), failing, checks };
  }
  // /health is public: requests arriving while the checks run share that one run, so a flood of
  // probes costs the database no more than one.
  let running: ReturnType<typeof runAll> | null = null;
  const report = () => (running ??= runAll().finally(() => (running = null)));

  const ops = Router();
  ops.get('/health', async (_req, res) => {
    const { status, failing } = await report();
    res.setHeader('Cache-Control', 'no-store');
    res.status(status === 'ok' ? 200 : 503).json(ok(status === 'ok' ? { status } : { status, failing }));
  });

  ops.get('/metrics', async (req, res) => {
    if (deps.metricsToken !== null) {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      if (!timingSafeEqual(digest(bearer), digest(deps.metricsToken))) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new UnauthenticatedError('Metrics need the METRICS_TOKEN as a Bearer token.');
      }
    } else if (!fromThisMachine(req)) {
      throw new ForbiddenError('Metrics are served to this machine only; set METRICS_TOKEN to scrape from elsewhere.');
    }
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  const admin = Router();
  admin.get('/admin/health', requireUser(deps.sessions, 'admin'), async (_req, res) => {
    const { status, checks } = await report();
    res.setHeader('Cache-Control', 'no-store');
    res.json(
      ok({
        status,
        version: VERSION,
        node: deps.node.nodeId,
        database: deps.node.database,
        cluster: deps.node.cluster,
        voice: deps.node.voice(),
        uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
        checks,
      }),
    );
  });
  return { ops, admin };
}
