import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  socketConnections: Gauge<'namespace'>;
  socketEvents: Counter<'namespace' | 'event' | 'outcome'>;
  /** Refusals by limit name (server/src/limits): quotas, rate limits, connection caps. */
  limitRefusals: Counter<'limit'>;
}

/** One registry per server instance, so several servers in one process (tests) never collide. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'zentrale_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'zentrale_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'zentrale_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    socketConnections: new Gauge({
      name: 'zentrale_socket_connections',
      help: 'Open Socket.IO connections by namespace',
      labelNames: ['namespace'],
      registers: [registry],
    }),
    socketEvents: new Counter({
      name: 'zentrale_socket_events_total',
      help: 'Socket events handled, by namespace, event and outcome (ok or error code)',
      labelNames: ['namespace', 'event', 'outcome'],
      registers: [registry],
    }),
    limitRefusals: new Counter({
      name: 'zentrale_limit_refusals_total',
      help: 'Requests refused by a limit (RATE_LIMITED), by limit name; see docs/limits.md',
      labelNames: ['limit'],
      registers: [registry],
    }),
  };
}
