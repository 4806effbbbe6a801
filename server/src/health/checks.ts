import type { Database } from '../db/database.js';
import { isDatabaseUnavailable } from '../db/failures.js';
import { isRedisUnavailable } from '../cluster/redisFailures.js';

/** Outcome of one health check. `reason` is shown to admins only: short, never a server path. */
export interface CheckResult {
  ok: boolean;
  reason?: string;
}

/**
 * Something this node depends on (the database; Redis in a cluster). When one fails, /health says
 * `degraded` with 503 and names it, so a load balancer takes the node out.
 */
export interface HealthCheck {
  /** Public: appears in /health's `failing` list. Letters, digits, `-`. */
  name: string;
  check(): Promise<CheckResult>;
}

/** A driver's error code (ECONNREFUSED, SQLITE_BUSY…) says what failed without quoting paths or hosts. */
export function failureCode(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
    e = (e as { parent?: unknown; original?: unknown }).parent ?? (e as { original?: unknown }).original;
  }
  return error instanceof Error && /^[A-Za-z]{1,60}$/.test(error.name) ? error.name : 'error';
}

export function databaseCheck(db: Database): HealthCheck {
  return {
    name: 'database',
    async check() {
      try {
        await db.ping();
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: `${isDatabaseUnavailable(error) ? 'unreachable' : 'failing'} (${failureCode(error)})` };
      }
    },
  };
}

/** /health: the cluster's shared state is reachable (a node without it cannot route, limit or broadcast). */
export function redisCheck(ready: () => boolean, ping: () => Promise<unknown>): HealthCheck {
  return {
    name: 'redis',
    async check() {
      if (!ready()) return { ok: false, reason: 'not connected (reconnecting)' };
      try {
        await ping();
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: isRedisUnavailable(error) ? 'no answer' : 'failing' };
      }
    },
  };
}
