import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { apiNotFound, errorHandler, redactPath } from './errorHandler.js';
import { sameOriginWrites } from './originGuard.js';
import { securityHeaders } from './security.js';

export interface AppRouters {
  /** Health and metrics, at the root. */
  ops: express.Router;
  /** APIs the widget (or a third-party client on an allowed site) calls: CORS-enabled. */
  visitorApi: express.Router[];
  /** APIs of the console: same-origin only, cookie-authenticated. */
  agentApi: express.Router[];
  /** Built client or Vite's dev middleware. */
  client: RequestHandler | express.Router;
}

/** Paths under /api that browsers on allowed sites may call (the widget's API). */
export const VISITOR_API_PREFIXES = ['/public/', '/visitor/'];

function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      // Route patterns, not raw paths, keep the label set small.
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : req.path.startsWith('/api') ? 'api-unmatched' : 'static';
      end({ method: req.method, route });
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}

export function createApp(config: Config, log: Logger, metrics: Metrics, routers: AppRouters): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  const ownOrigin = new URL(config.publicUrl).origin;

  app.use(
    pinoHttp({
      logger: log,
      // A tracking token in the path is a credential: it must not reach the logs.
      serializers: {
        req: (req: { url?: string; params?: unknown }) =>
          req.url?.startsWith('/api/public/tickets/') ? { ...req, url: redactPath(req.url), params: undefined } : req,
      },
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' || (req.url ?? '').startsWith('/assets/') },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
    }),
  );
  app.use(httpMetrics(metrics));
  app.use(securityHeaders({ https: config.publicUrl.startsWith('https:'), allowedOrigins: config.allowedOrigins, development: config.env === 'development' }));
  app.use(routers.ops);

  const json = express.json({ limit: config.maxPayloadBytes, strict: true });
  const cors_ = cors({ origin: [ownOrigin, ...config.allowedOrigins], methods: ['GET', 'POST'], maxAge: 600 });
  // CORS only on the visitor-facing paths: agent APIs must never answer a foreign origin.
  const visitorCors: RequestHandler = (req, res, next) =>
    VISITOR_API_PREFIXES.some((p) => req.path.startsWith(p)) ? cors_(req, res, next) : next();
  for (const router of routers.visitorApi) app.use('/api', visitorCors, json, router);
  for (const router of routers.agentApi) app.use('/api', sameOriginWrites([ownOrigin]), json, router);
  app.use('/api', apiNotFound());

  app.use(routers.client);
  app.use(errorHandler(log));
  return app;
}
