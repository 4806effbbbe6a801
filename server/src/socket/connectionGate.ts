import type { ConnectionCounter } from '../limits/connectionCounter.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';

export interface ConnectionCap {
  /** Limit name for /metrics (zentrale_limit_refusals_total{limit}), e.g. `connections:visitor`. */
  limit: string;
  key: string;
  cap: number;
}

/**
 * Caps on open connections per visitor, per address and per staff member, over every node. A
 * connection is admitted in the namespace middleware and released when it closes; this node keeps
 * its admitted connections counted while they are open.
 */
export interface ConnectionGate {
  /** True when admitted; false (counted in /metrics) when one of the caps is reached. */
  admit(connectionId: string, caps: ConnectionCap[]): Promise<boolean>;
  release(connectionId: string): void;
  stop(): void;
}

export function createConnectionGate(
  counter: ConnectionCounter,
  deps: { metrics: Metrics; log: Logger; refreshMs: number; /** Counts this node's connections while `counter` (Redis) cannot answer. */ fallback?: ConnectionCounter },
): ConnectionGate {
  const admitted = new Map<string, string[]>();
  const timer = setInterval(() => {
    const entries = [...admitted].map(([connectionId, keys]) => ({ connectionId, keys }));
    counter.refresh(entries, Date.now()).catch((error: unknown) => deps.log.warn({ err: error }, 'refreshing connection counts failed'));
  }, deps.refreshMs);
  timer.unref();
  return {
    async admit(connectionId, caps) {
      const entries = caps.map(({ key, cap }) => ({ key, cap }));
      const full = await counter.open(entries, connectionId, Date.now()).catch((error: unknown) => {
        if (!deps.fallback) throw error;
        deps.log.warn({ err: error }, 'connection counts unavailable: counting on this node only');
        return deps.fallback.open(entries, connectionId, Date.now());
      });
      if (full >= 0) {
        deps.metrics.limitRefusals.inc({ limit: caps[full]!.limit });
        return false;
      }
      admitted.set(connectionId, caps.map((c) => c.key));
      return true;
    },
    release(connectionId) {
      const keys = admitted.get(connectionId);
      if (!keys) return;
      admitted.delete(connectionId);
      counter.close(keys, connectionId).catch((error: unknown) => deps.log.warn({ err: error, connectionId }, 'releasing a connection count failed'));
      void deps.fallback?.close(keys, connectionId);
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * A visitor's connections (widget tabs, the community page) are capped per visitor and per address,
 * on /visitor and /community together: more tokens from one address buy no more sockets.
 */
export const visitorConnectionCaps = (visitorId: string, address: string, caps: { perVisitor: number; perAddress: number }): ConnectionCap[] => [
  { limit: 'connections:visitor', key: `visitor:${visitorId}`, cap: caps.perVisitor },
  { limit: 'connections:address', key: `address:${address}`, cap: caps.perAddress },
];
